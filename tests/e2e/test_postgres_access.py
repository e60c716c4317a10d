"""Access by province on the PostgreSQL target, proven by connecting as the roles themselves."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import openpyxl
import psycopg
import pytest

from tests.conftest import CORPUS, PROJECT_ROOT, SHIPPED_RAW
from tests.e2e.test_postgres_target import tthc
from tests.postgres_server import fresh_database


def _as(url: str, role: str) -> psycopg.Connection:
    """A session of `role` (the test server trusts loopback connections)."""
    return psycopg.connect(url.replace("postgresql://postgres@", f"postgresql://{role}@"), autocommit=True)


def _provinces(url: str, role: str, table: str) -> set[str]:
    with _as(url, role) as con:
        return {p for (p,) in con.execute(f"select distinct province_code from marts.{table}").fetchall()}


@pytest.fixture(scope="module")
def published(postgres_url, tmp_path_factory):
    """Quảng Ninh (22) and Vĩnh Phúc (26) reports published on PostgreSQL, with a report of Phú Thọ
    (25) that has a finding, and two reader roles."""
    raw = tmp_path_factory.mktemp("access") / "raw"
    shutil.copytree(SHIPPED_RAW, raw)
    for path in (CORPUS / "dossier_results").glob("26_*"):
        shutil.copyfile(path, raw / "dossier_results" / path.name)
    shutil.copyfile(CORPUS / "online_services" / "25_2021.csv", raw / "online_services" / "25_2021.csv")  # a finding
    url = fresh_database(postgres_url, "tthc_access")
    run = tthc("run", "--target", "postgres", "--raw-dir", str(raw), "--warehouse", str(raw.parent / "wh" / "tthc.duckdb"), url=url)
    assert run.returncode in (0, 3), run.stdout + run.stderr  # 26_2026.csv: no province 26 after the merger
    with psycopg.connect(url, autocommit=True) as con:
        for role in ("reader_26", "reader_all"):
            con.execute(f"drop role if exists {role}")
            con.execute(f"create role {role} login")
    assert tthc("access", "grant", "reader_26", "--province", "26", url=url).returncode == 0
    assert tthc("access", "grant", "reader_all", url=url).returncode == 0
    return raw, url


def test_a_province_role_reads_its_own_unit_rows_and_every_provinces_indicators(published):
    _, url = published
    assert _provinces(url, "reader_all", "dossier_results") == {"22", "26"}
    assert _provinces(url, "reader_26", "dossier_results") == {"26"}
    assert _provinces(url, "reader_26", "submissions") <= {"26"}
    assert "22" in _provinces(url, "reader_26", "province_indicators")  # for comparison
    with _as(url, "reader_26") as con:
        assert con.execute("select count(*) from marts.dossier_results where province_code = '22'").fetchone() == (0,)


def test_a_province_role_is_not_granted_the_history_of_every_provinces_findings(published):
    _, url = published
    assert "22" in _provinces(url, "reader_all", "finding_history")
    with _as(url, "reader_26") as con:
        assert con.execute("select count(*) from marts.test_history").fetchone()[0] > 100
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("select * from marts.finding_history")


def test_row_security_cannot_be_switched_off_or_gone_around(published):
    _, url = published
    with _as(url, "reader_26") as con:
        con.execute("set row_security = off")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            con.execute("select * from marts.dossier_results")


@pytest.mark.parametrize("sql", [
    "select * from raw.report_files",
    "select * from audit.ingest_log",
    "select * from tthc_access.grants",
    "insert into marts.dim_periods (period) values ('2099')",
    "delete from marts.dossier_results",
    "create table marts.mine (x int)",
])
def test_a_reader_cannot_read_raw_or_audit_nor_write(published, sql):
    _, url = published
    with _as(url, "reader_all") as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
        con.execute(sql)


def test_every_mart_with_a_province_is_protected_unless_the_project_declares_it_open(published):
    from tthc.transform.dbt import declared_open

    raw, url = published
    declared = declared_open(raw.parent / "wh" / "dbt_target" / "postgres")
    assert {"province_indicators", "dim_provinces"} <= declared and "indicator_reconciliation" not in declared
    with psycopg.connect(url, autocommit=True) as con:
        recorded = {m for (m,) in con.execute("select mart_name from tthc_access.open_marts").fetchall()}
        marts = con.execute(
            """select c.relname, c.relkind, c.relrowsecurity,
                      exists (select 1 from pg_policy as p where p.polrelid = c.oid) as has_policy
               from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
               join pg_attribute as a on a.attrelid = c.oid and a.attname = 'province_code'
               where n.nspname = 'marts' and c.relkind in ('r', 'p', 'v')"""
        ).fetchall()
    assert recorded == declared
    assert len(marts) > 20
    for name, kind, secured, has_policy in marts:
        if name in declared:
            continue
        if kind == "v":  # row security does not reach through a view: a province role is not granted it
            with _as(url, "reader_26") as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(f"select 1 from marts.{name} limit 1")
        else:
            assert secured and has_policy, name


def test_a_province_role_cannot_read_another_provinces_reported_values_anywhere(published):
    _, url = published
    attack = ("select province_code, reported_text, source_file, line_number "
              "from marts.indicator_reconciliation where province_code = '22'")
    with _as(url, "reader_all") as con:
        assert con.execute(attack).fetchall()
    with _as(url, "reader_26") as con:
        assert con.execute(attack).fetchall() == []
        assert con.execute("select count(*) from marts.report_submissions where province_code = '22'").fetchone() == (0,)


def test_may_read_answers_only_for_the_role_that_asks(published):
    _, url = published
    with _as(url, "reader_26") as con:
        with pytest.raises(psycopg.errors.UndefinedFunction):
            con.execute("select tthc_access.may_read('22', 'reader_all')")
    with _as(url, "reader_26") as con:
        assert con.execute("select tthc_access.may_read('26'), tthc_access.may_read('22')").fetchone() == (True, False)
    with _as(url, "reader_all") as con:
        assert con.execute("select tthc_access.may_read('22')").fetchone() == (True,)


def test_a_reader_has_no_temporary_tables_and_limits_of_its_own(published):
    _, url = published
    with _as(url, "reader_all") as con:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("create temporary table filler (x text)")
    with _as(url, "reader_all") as con:
        settings = [con.execute(f"show {name}").fetchone()[0] for name in ("statement_timeout", "work_mem", "temp_file_limit")]
    assert settings == ["5min", "64MB", "1GB"]


def _read(url: str, role: str, command: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    as_role = url.replace("postgresql://postgres@", f"postgresql://{role}@")
    return subprocess.run([sys.executable, "-m", "tthc.cli.main", command, "--target", "postgres", "--url", as_role, *args],
                          capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300, input=stdin,
                          env={k: v for k, v in os.environ.items() if k != "TTHC_POSTGRES_URL"})


def test_tthc_shell_reads_as_the_users_own_role_and_goes_on_after_an_error(published):
    raw, url = published
    statements = ("select distinct province_code from marts.dossier_results order by 1;\n"
                  "delete from marts.dossier_results;\n"
                  ".schema dossier_results\n"
                  "select count(*) as so_dong\nfrom marts.dossier_results where province_code = '22';\n")

    shell = _read(url, "reader_26", "shell", "--warehouse", str(raw.parent / "wh" / "tthc.duckdb"), stdin=statements)

    assert shell.returncode == 0, shell.stderr
    out = shell.stdout
    assert "PostgreSQL 127.0.0.1" in out and "as reader_26 (chỉ đọc / read-only)" in out
    first = out[out.index("province_code"):out.index("lỗi / error")]
    assert "26" in first and "22" not in first  # its own rows only
    assert "read-only transaction" in out  # the delete refused, and the shell went on
    assert "province_code" in out[out.index("lỗi / error"):] and "so_dong" in out
    assert out.rstrip().splitlines()[-2].strip(" │|") == "0"  # Quảng Ninh's rows: none for this role


def test_tthc_query_reads_as_the_users_own_role_with_its_row_security(published, tmp_path):
    raw, url = published
    wh = ["--warehouse", str(raw.parent / "wh" / "tthc.duckdb")]
    mine = _read(url, "reader_26", "query", "select distinct province_code from marts.dossier_results order by 1",
                 "--format", "csv", *wh)
    everyone = _read(url, "reader_all", "query", "select distinct province_code from marts.dossier_results order by 1",
                     "--format", "csv", *wh)
    assert mine.returncode == 0, mine.stderr
    assert mine.stdout.lstrip("\ufeff").splitlines() == ["province_code", "26"]
    assert everyone.stdout.lstrip("\ufeff").splitlines() == ["province_code", "22", "26"]
    workbook = tmp_path / "chi_tieu.xlsx"
    done = _read(url, "reader_26", "query", "select province_code, value from marts.province_indicators", "--format", "xlsx",
                 "--output", str(workbook), *wh)
    assert done.returncode == 0 and workbook.stat().st_size > 0, done.stderr
    write = _read(url, "reader_all", "query", "delete from marts.dossier_results", *wh)
    assert write.returncode == 1 and "DELETE" not in write.stdout
    slow = _read(url, "reader_all", "query", "select pg_sleep(5)", "--timeout", "1", *wh)
    assert slow.returncode == 2 and "longer than 1 s" in slow.stderr, slow.stderr


def test_tthc_metrics_writes_postgresql_sql_from_the_same_layer(published):
    raw, url = published
    answered = _read(url, "reader_all", "metrics", "--metrics", "dossiers_received", "--group-by", "province,period",
                     "--format", "csv", "--warehouse", str(raw.parent / "wh" / "tthc.duckdb"))
    assert answered.returncode == 0, answered.stderr
    rows = answered.stdout.lstrip("\ufeff").splitlines()
    assert rows[0] == "province,period,dossiers_received"
    assert any(r.startswith("22,2020,1191036") for r in rows), rows


def test_granting_a_role_that_does_not_exist_says_so(published):
    _, url = published
    done = tthc("access", "grant", "nobody_here", "--province", "26", url=url)
    assert done.returncode == 1 and 'no role "nobody_here"' in done.stderr


def test_tthc_results_reads_the_published_run_as_the_users_own_role(published):
    raw, url = published
    wh = ["--warehouse", str(raw.parent / "wh" / "tthc.duckdb")]  # no run records there: read from the database
    mine, everyone = (_read(url, role, "results", *wh) for role in ("reader_26", "reader_all"))
    assert mine.returncode == 0 and everyone.returncode == 0, mine.stderr + everyone.stderr
    assert mine.stdout.splitlines()[0].endswith(": published") and "Tests: " in mine.stdout
    assert "Findings: 0" in mine.stdout and "province 25" not in mine.stdout  # its own findings only: none
    assert "province 25, warn" in everyone.stdout and "online_services/25_2021.csv" in everyone.stdout


def test_tthc_report_writes_the_site_and_workbook_of_the_last_publish_as_the_users_own_role(published, tmp_path):
    _, url = published
    sheets = {}
    for role in ("reader_26", "reader_all"):
        done = _read(url, role, "report", "--format", "xlsx", "--output", str(tmp_path / f"{role}.xlsx"))
        assert done.returncode == 0, done.stderr
        findings = openpyxl.load_workbook(tmp_path / f"{role}.xlsx", read_only=True)["Phát hiện"]
        sheets[role] = [" ".join(str(v) for v in row if v is not None) for row in findings.iter_rows(values_only=True)]
    assert not any("25_2021.csv" in row for row in sheets["reader_26"])  # another province's findings: not its to read
    assert any("25_2021.csv" in row for row in sheets["reader_all"])
    site = _read(url, "reader_26", "report", "--output", str(tmp_path / "site"))
    assert site.returncode == 0, site.stderr
    assert (tmp_path / "site" / "index.html").exists() and "25_2021.csv" not in (tmp_path / "site" / "index.html").read_text()


# Last: it revokes and narrows the module's roles.
def test_grants_and_policies_survive_a_publish_and_a_revoke_takes_effect(published):
    raw, url = published
    with psycopg.connect(url, autocommit=True) as con:
        for role in ("rall", "rnarrow"):
            con.execute(f"drop role if exists {role}")
            con.execute(f"create role {role} login")
    for role in ("rall", "rnarrow"):
        assert tthc("access", "grant", role, url=url).returncode == 0
    again = tthc("run", "--target", "postgres", "--full-refresh", "--raw-dir", str(raw),
                 "--warehouse", str(raw.parent / "wh" / "tthc.duckdb"), url=url)
    assert again.returncode in (0, 3), again.stdout + again.stderr
    assert _provinces(url, "reader_26", "dossier_results") == {"26"}
    assert _provinces(url, "reader_all", "dossier_results") == {"22", "26"}
    # the publish swapped the earlier marts out to marts_previous: nobody reads them there
    for role in ("reader_all", "rall"):
        for mart in ("province_indicators", "indicator_reconciliation", "finding_history"):
            with _as(url, role) as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(f"select * from marts_previous.{mart}")
    # revoked means revoked, and narrowed means narrowed, at once and everywhere
    assert tthc("access", "revoke", "reader_26", url=url).returncode == 0
    assert tthc("access", "revoke", "rall", url=url).returncode == 0
    assert tthc("access", "grant", "rnarrow", "--province", "26", url=url).returncode == 0
    for role in ("reader_26", "rall"):
        for schema in ("marts", "marts_previous"):
            with _as(url, role) as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(f"select * from {schema}.province_indicators")
    with _as(url, "rnarrow") as con:
        assert con.execute("select count(*) from marts.dossier_results where province_code = '22'").fetchone() == (0,)
        for schema in ("marts", "marts_previous"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(f"select * from {schema}.finding_history where province_code = '22'")
