"""Operations: write-audit-publish, readers that never block, one writer, SQL access, schedules, docs."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest

from tests.browser import browser_page
from tests.conftest import PROJECT_ROOT, SHIPPED_RAW, SMALL_FEEDBACK, copy_warehouse


def tthc(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", *args], capture_output=True, text=True, cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})}, timeout=timeout,
    )


@pytest.fixture()
def published(shipped_run, tmp_path) -> Path:
    """A private copy of the shipped run's published warehouse, with raw files to rerun on."""
    shutil.copytree(SHIPPED_RAW, tmp_path / "raw")
    return copy_warehouse(shipped_run.warehouse, tmp_path / "wh")


def test_a_failing_error_test_leaves_the_published_file_byte_identical(published, tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT_ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs"))
    (project / "tests" / "assert_deliberately_failing.sql").write_text("select 1 as broken\n")
    shutil.copyfile(SMALL_FEEDBACK, tmp_path / "raw" / "feedback" / "01_2021.csv")
    before = published.read_bytes()

    run = tthc("run", "--raw-dir", str(tmp_path / "raw"), "--warehouse", str(published), env={"TTHC_DBT_PROJECT_DIR": str(project)})

    assert run.returncode == 1, run.stdout[-2000:]
    assert "NOT published" in run.stdout and "assert_deliberately_failing" in run.stdout
    assert published.read_bytes() == before
    assert not list((published.parent / "work").rglob("*.duckdb*"))
    results = tthc("results", "--warehouse", str(published))
    assert "NOT published" in results.stdout and "fail: assert_deliberately_failing" in results.stdout


def test_readers_see_only_complete_runs_during_a_run(published, tmp_path):
    """A reader querying in a loop during a run sees no error, and one run id across marts."""
    shutil.copyfile(SMALL_FEEDBACK, tmp_path / "raw" / "feedback" / "01_2021.csv")
    seen_run_ids: set[str] = set()
    errors: list[str] = []
    done = threading.Event()
    union = " union all ".join(
        f"select distinct run_id from marts.{t}" for t in ("province_indicators", "data_quality_findings", "dim_periods", "submissions", "feedback")
    )

    def read_in_a_loop() -> None:
        while not done.is_set():
            try:
                con = duckdb.connect(str(published), read_only=True)
                ids = {r[0] for r in con.execute(f"select distinct run_id from ({union})").fetchall()}
                con.close()
                if len(ids) != 1:
                    errors.append(f"one query saw several runs: {ids}")
                seen_run_ids.update(ids)
            except duckdb.Error as err:
                errors.append(str(err))

    reader = threading.Thread(target=read_in_a_loop)
    reader.start()
    try:
        run = tthc("run", "--raw-dir", str(tmp_path / "raw"), "--warehouse", str(published))
    finally:
        done.set()
        reader.join()
    assert run.returncode == 0, run.stdout[-2000:]
    assert errors == []
    new_run_id = re.search(r"Run (\S+): published", run.stdout).group(1)
    assert new_run_id in seen_run_ids or len(seen_run_ids) == 1


def test_a_second_writer_stops_with_a_clear_message(published, tmp_path):
    from tthc.settings import load_settings
    from tthc.warehouse import target_for

    with target_for(load_settings(warehouse=published)).writer_lock():
        run = tthc("run", "--raw-dir", str(tmp_path / "raw"), "--warehouse", str(published), timeout=120)
    assert run.returncode == 1
    assert "another run is writing" in run.stderr


def test_query_is_read_only_without_external_access_and_locked(published):
    passwd = tthc("query", "select * from read_csv('/etc/passwd')", "--warehouse", str(published))
    assert passwd.returncode == 1 and "root:" not in passwd.stdout
    unlock = tthc("query", "set enable_external_access = true", "--warehouse", str(published))
    assert unlock.returncode == 1
    write = tthc("query", "create table marts.x as select 1", "--warehouse", str(published))
    assert write.returncode == 1 and "read-only" in write.stderr
    # no directory to write to: not a file (COPY), not a spill directory, and none can be set
    copy = tthc("query", f"copy (select 1) to '{published.parent / 'x.csv'}'", "--warehouse", str(published))
    assert copy.returncode == 1 and not (published.parent / "x.csv").exists()
    spill = tthc("query", "select current_setting('temp_directory') as spill", "--format", "csv", "--warehouse", str(published))
    assert spill.stdout.splitlines()[1] in ("", '""')
    assert tthc("query", "set temp_directory = '/tmp'", "--warehouse", str(published)).returncode == 1


def test_query_time_limit_interrupts(published):
    slow = tthc("query", "select count(*) from range(100000000) a, range(100000) b where a.range + b.range = -1",
                "--timeout", "1", "--warehouse", str(published), timeout=120)
    assert slow.returncode == 2 and "longer than 1 s" in slow.stderr


def test_a_query_that_ignores_its_interrupt_is_stopped_from_outside(published):
    # unnest over a huge range sees DuckDB's interrupt only when it ends (about a minute, 14 GB)
    runaway = tthc("query", "select count(*) from (select unnest(range(200000000)) as x)",
                   "--timeout", "1", "--warehouse", str(published), timeout=120)
    assert runaway.returncode == 2, runaway.stderr
    assert "did not stop when asked; the command was ended" in runaway.stderr  # stopped from outside, not by the interrupt


def test_a_query_has_its_memory_and_threads_set_and_cannot_raise_them(published):
    limits = tthc("query", "select current_setting('memory_limit') as m, current_setting('threads') as t",
                  "--format", "csv", "--warehouse", str(published), env={"TTHC_QUERY_MEMORY": "1GB"})
    memory, threads = limits.stdout.splitlines()[1].split(",")
    assert memory in ("953.6 MiB", "1.0 GiB", "1000.0 MB") and 1 <= int(threads) <= max(1, (os.cpu_count() or 2) // 2), limits.stdout
    for setting in ("set memory_limit = '20GB'", "set threads = 64"):
        raised = tthc("query", setting, "--warehouse", str(published))
        assert raised.returncode == 1 and "locked" in raised.stderr, raised.stderr


def test_csv_output_neutralises_formulas(published):
    out = tthc("query", "select '=HYPERLINK(\"x\")' as a, '+1' as b, 'Quảng Ninh' as c, 3 as d", "--format", "csv",
               "--warehouse", str(published))
    assert out.returncode == 0
    assert out.stdout.splitlines()[1] == '"\'=HYPERLINK(""x"")",\'+1,Quảng Ninh,3'


def test_xlsx_output_keeps_numbers_and_vietnamese_text(published, tmp_path):
    target = tmp_path / "out.xlsx"
    out = tthc("query", "select province_name, numerator, denominator, value from marts.province_indicators "
               "where indicator_code = 'national_portal_integration_rate'", "--format", "xlsx", "--output", str(target),
               "--warehouse", str(published))
    assert out.returncode == 0, out.stderr
    ws = openpyxl.load_workbook(target).active
    assert [c.value for c in ws[1]] == ["province_name", "numerator", "denominator", "value"]
    name, num, den, value = ws[2]
    assert name.value == "Quảng Ninh"
    assert (num.value, den.value) == (518, 1552) and num.number_format == "#,##0"
    assert value.value == pytest.approx(518 / 1552) and value.number_format == "0.00%"


def test_xlsx_output_writes_text_as_text_never_a_formula(published, tmp_path):
    target = tmp_path / "out.xlsx"
    out = tthc("query", "select '=HYPERLINK(\"http://x\")' as unit, '@SUM(1)' as note, 2 as n", "--format", "xlsx",
               "--output", str(target), "--warehouse", str(published))
    assert out.returncode == 0, out.stderr
    unit, note, n = openpyxl.load_workbook(target).active[2]
    assert (unit.value, unit.data_type) == ('=HYPERLINK("http://x")', "s")
    assert (note.value, note.data_type) == ("@SUM(1)", "s")
    assert n.value == 2


def test_ctrl_c_in_the_shell_stops_the_query_and_returns_to_the_prompt(published):
    shell = subprocess.Popen(
        [sys.executable, "-m", "tthc.cli.main", "shell", "--warehouse", str(published)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=PROJECT_ROOT,
    )
    shell.stdin.write("select count(*) from range(100000000) a, range(100000) b where a.range + b.range = -1;\n")
    shell.stdin.flush()
    banner = shell.stdout.readline()
    assert "read-only" in banner
    time.sleep(3)  # the query is running
    shell.send_signal(signal.SIGINT)
    shell.stdin.write("select 6 * 7 as answer;\n")
    shell.stdin.close()
    out = shell.stdout.read()
    assert shell.wait(timeout=60) == 0, out
    assert "query interrupted" in out and "42" in out


def test_shell_answers_on_the_same_terms(published):
    shell = subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", "shell", "--warehouse", str(published)],
        input="select count(*) as n\nfrom marts.dim_provinces;\nselect * from read_csv('/etc/passwd');\n",
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60,
    )
    assert shell.returncode == 0
    assert "97" in shell.stdout and "error:" in shell.stdout and "root:" not in shell.stdout


def test_a_duckdb_1_5_client_opens_the_published_file_read_only(published):
    cli = Path(sys.executable).with_name("duckdb")
    assert cli.exists(), "the duckdb-cli package (DuckDB 1.5) is part of the test requirements"
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("v1.5")
    out = subprocess.run(
        [str(cli), "-readonly", "-csv", str(published), "-c",
         "select numerator, denominator from marts.province_indicators where indicator_code = 'national_portal_integration_rate'"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert "518,1552" in out


def test_schedules_are_deployed_with_their_crons_in_vietnam_time(prefect_server, tmp_path, monkeypatch):
    from prefect.client.orchestration import get_client
    from prefect.utilities.asyncutils import run_coro_as_sync

    from tthc.schedule import deployments
    from tthc.settings import load_settings

    monkeypatch.setenv("TTHC_NIGHTLY_CRON", "30 1 * * *")  # read by load_settings, as every setting
    monkeypatch.setenv("TTHC_MAILBOX", "imaps://kstt%40tinh.gov.vn@mail.tinh.gov.vn/INBOX")  # the mailbox is deployed too
    settings = load_settings(raw_dir=tmp_path / "raw", warehouse=tmp_path / "tthc.duckdb")
    for d in deployments(settings):
        d.apply()

    async def read():
        async with get_client() as client:
            return [await client.read_deployment_by_name(name)
                    for name in ("tthc-run/nightly", "tthc-run/after-cutoff", "tthc-intake/intake")]

    nightly, cutoff, mailbox = run_coro_as_sync(read())
    assert [(s.schedule.cron, s.schedule.timezone) for s in mailbox.schedules] == [("*/15 * * * *", "Asia/Ho_Chi_Minh")]
    assert [(s.schedule.cron, s.schedule.timezone) for s in nightly.schedules] == [("30 1 * * *", "Asia/Ho_Chi_Minh")]
    assert [(s.schedule.cron, s.schedule.timezone) for s in cutoff.schedules] == [("0 6 15 3,6,9,12 *", "Asia/Ho_Chi_Minh")]
    for d in (nightly, cutoff):
        assert d.parameters == {"raw_dir": str(settings.raw_dir), "warehouse": str(settings.warehouse), "wait_for_lock": True,
                                "target": "duckdb"}
        assert d.global_concurrency_limit is not None and d.global_concurrency_limit.limit == 1


def test_docs_page_renders_models_and_lineage_in_chromium(shipped_run):
    server = subprocess.Popen(
        [sys.executable, "-m", "tthc.cli.main", "docs", "serve", "--port", "0", "--warehouse", str(shipped_run.warehouse)],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        url = re.search(r"(http://127\.0\.0\.1:\d+/docs/)", server.stdout.readline()).group(1)
        with browser_page() as page:
            page.goto(url + "#!/model/model.tthc.province_indicators")
            page.wait_for_selector("text=One row per province, period and indicator")
            sidebar = page.inner_text("body")
            page.locator(".launcher a:visible").first.click()
            page.wait_for_selector("#graph-viz-wrapper canvas")
            page.wait_for_timeout(1500)
            painted = page.evaluate(
                """() => Array.from(document.querySelectorAll('#graph-viz-wrapper canvas')).map(c => {
                    if (!c.width || !c.height) return 0;
                    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
                    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
                    return n; }).reduce((a, b) => a + b, 0)"""
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    for model in ("province_indicators_2025", "data_quality_findings", "indicator_reconciliation", "submissions"):
        assert model in sidebar.replace("\n", "")
    assert "tthc.marts.province_indicators" in sidebar  # the catalog name readers see
    assert painted > 1000  # the lineage graph drew its nodes and edges


@pytest.mark.parametrize("command", ["run", "withdraw feedback 22 2021 --reason x", "serve", "deploy --pool p", "remind"])
def test_every_command_says_when_the_postgres_target_has_no_url(command, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TTHC_POSTGRES_URL"} | {"TTHC_NOTIFY": "json://127.0.0.1:9/"}
    done = subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", *command.split(), "--target", "postgres"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )
    name = command.split()[0]
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.strip() == (f"tthc {name}: đích postgres cần TTHC_POSTGRES_URL / the postgres target needs "
                                   "TTHC_POSTGRES_URL, e.g. postgresql://tthc@127.0.0.1:5432/tthc")
