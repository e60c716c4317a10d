"""What a new user meets first: a quiet terminal with progress, a command line in Vietnamese with
English, named runs, a shell that remembers, pages that print and a PDF that fits A4."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser import browser_page, chromium_path
from tests.conftest import PROJECT_ROOT, SMALL_FEEDBACK


def tthc(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tthc.cli.main", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, env={**os.environ, **(env or {})}, timeout=timeout)


def test_the_help_reads_in_vietnamese_with_the_english_beside_it():
    top, run = tthc("--help"), tthc("run", "--help")
    assert "nạp tệp mới, dựng và kiểm thử các bảng" in top.stdout and "load raw files, build and test" in top.stdout
    assert "thư mục tệp báo cáo" in run.stdout and "directory of report files" in run.stdout
    assert "--verbose" in run.stdout


def test_a_mistyped_raw_directory_is_an_error_before_prefect_starts(tmp_path):
    done = tthc("run", "--raw-dir", str(tmp_path / "rwa"), "--warehouse", str(tmp_path / "wh" / "tthc.duckdb"),
                env={"PREFECT_API_URL": "http://127.0.0.1:9/api"}, timeout=60)  # Prefect would fail on this address
    assert done.returncode == 1
    assert done.stderr == f"tthc run: không có thư mục báo cáo {tmp_path / 'rwa'} / no raw directory at {tmp_path / 'rwa'}\n"
    assert not (tmp_path / "wh").exists()


def test_a_run_is_quiet_shows_its_stages_and_ends_with_its_summary(tmp_path):
    """As `make run` in a fresh clone: piped, with the temporary Prefect server a run starts when
    none runs (the point of this test), so its shutdown is checked too."""
    raw = tmp_path / "raw"
    (raw / "feedback").mkdir(parents=True)
    shutil.copyfile(SMALL_FEEDBACK, raw / "feedback" / "22_2021.csv")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    done = subprocess.run([sys.executable, "-m", "tthc.cli.main", "run", "--raw-dir", str(raw),
                           "--warehouse", str(tmp_path / "wh" / "tthc.duckdb")],
                          capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=600)
    shown = (done.stderr + done.stdout).splitlines()
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(shown) <= 40, "\n".join(shown)
    assert "Traceback" not in done.stderr + done.stdout and "ERROR" not in done.stderr + done.stdout
    assert "\x1b" not in done.stderr + done.stdout  # piped: plain lines, no control characters
    stages = [line for line in done.stderr.splitlines() if line.endswith("…")]
    assert stages[:3] == ["Chuẩn bị / Preparing …", "Nạp tệp / Loading files (1) …",
                          f"Dựng và kiểm thử (dbt) / Building and testing (dbt) ({stages[2].split('(')[-1]}"]
    assert done.stdout.splitlines()[0].startswith("Lần chạy ") and "/ Run " in done.stdout.splitlines()[0]
    log = Path(done.stdout.splitlines()[-1].removeprefix("Nhật ký / Log: "))
    assert log.parent == tmp_path / "wh" / "runs" and log.suffix == ".log"
    text = log.read_text(encoding="utf-8")
    assert "INFO    tthc.dbt:" in text and "feedback/22_2021.csv" in text  # dbt's and Prefect's INFO lines are kept there


def test_a_flow_run_is_named_for_what_it_is(shipped_run):
    from prefect import get_client

    with get_client(sync_client=True) as client:
        name = client.read_flow_run(shipped_run.flow_run_id).name
    assert re.fullmatch(r"tthc-run \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(manual\)", name), name


def test_the_report_prints_to_pdf_pages_that_fit_a4(shipped_run, tmp_path):
    from pypdf import PdfReader

    chromium_path()  # skips, saying so, without Chromium (never under CI)
    overview, province = tmp_path / "tong_quan.pdf", tmp_path / "quang_ninh.pdf"
    assert tthc("report", "--format", "pdf", "--output", str(overview), "--warehouse", str(shipped_run.warehouse)).returncode == 0
    done = tthc("report", "--format", "pdf", "--province", "22", "--output", str(province), "--warehouse", str(shipped_run.warehouse))
    assert done.returncode == 0, done.stderr
    for path, words in ((overview, "Kho dữ liệu TTHC — tổng quan"), (province, "Quảng Ninh (22)")):
        pages = PdfReader(path).pages
        assert 1 <= len(pages) <= 20
        for page in pages:
            width, height = (float(x) / 72 * 25.4 for x in page.mediabox[2:])
            assert abs(width - 210) < 1 and abs(height - 297) < 1  # A4, portrait
        text = "".join(page.extract_text() for page in pages)
        assert words in text and "lần chạy / run" in text  # the footer names the run on every page
        assert "Lần chạy gần nhất" not in text  # no navigation on paper


def test_printed_pages_hide_the_navigation_and_keep_the_matrix_headers_on_one_line(shipped_run, tmp_path):
    with browser_page(width=794, height=1123) as page:
        page.emulate_media(media="print")
        page.goto((shipped_run.warehouse.parent / "report" / "run.html").as_uri())
        assert not page.locator("nav").is_visible()
        assert page.locator("footer.print").is_visible()
        heights = page.eval_on_selector_all(".matrix thead th", "ths => ths.map(t => t.getBoundingClientRect().height)")
        page.screenshot(path=str(tmp_path / "run-printed.png"), full_page=True)
    assert heights and max(heights) < 40, heights  # one line, not a letter per line
    assert (tmp_path / "run-printed.png").stat().st_size > 10_000


def _shell_session(warehouse: Path, keys: list[bytes]) -> str:
    """`tthc shell` on a pseudo-terminal: type each of `keys` once the prompt is back, then Ctrl-D;
    return what it showed."""
    main, secondary = pty.openpty()
    shell = subprocess.Popen([sys.executable, "-m", "tthc.cli.main", "shell", "--warehouse", str(warehouse)],
                             stdin=secondary, stdout=secondary, stderr=secondary, cwd=PROJECT_ROOT, close_fds=True)
    os.close(secondary)
    shown = b""

    def read_until_prompts(count: int, seconds: float = 60) -> None:
        nonlocal shown
        end = time.monotonic() + seconds
        while shown.count(b"tthc> ") < count and time.monotonic() < end:
            if select.select([main], [], [], 0.2)[0]:
                try:
                    shown += os.read(main, 65536)
                except OSError:
                    return

    read_until_prompts(1)
    for number, key in enumerate(keys, start=2):
        os.write(main, key)
        read_until_prompts(number)
    os.write(main, b"\x04")
    shell.wait(timeout=30)
    os.close(main)
    return shown.decode("utf-8", errors="replace")


@pytest.mark.skipif(sys.platform != "linux", reason="pseudo-terminals as on the office's Linux machines")
def test_the_shell_keeps_its_history_across_sessions_and_looks_around(shipped_run):
    warehouse = shipped_run.warehouse
    (warehouse.parent / ".tthc_shell_history").unlink(missing_ok=True)
    first = _shell_session(warehouse, [b"select 40 + 2 as answer;\r", b".schema province_indicators\r"])
    assert "42" in first and "indicator_code" in first
    second = _shell_session(warehouse, [b"\x1b[A\x1b[A\r"])  # up twice: the first session's query
    assert "42" in second and "answer" in second
    assert "select 40 + 2 as answer;" in (warehouse.parent / ".tthc_shell_history").read_text(encoding="utf-8")
