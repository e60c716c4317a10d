"""Access by province on the PostgreSQL target, proven by connecting as the roles themselves."""

from __future__ import annotations

import shutil

import psycopg
import pytest

from tests.conftest import CORPUS, SHIPPED_RAW
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
    """Quảng Ninh (22) and Vĩnh Phúc (26) reports published on PostgreSQL, and two reader roles."""
    raw = tmp_path_factory.mktemp("access") / "raw"
    shutil.copytree(SHIPPED_RAW, raw)
    for path in (CORPUS / "dossier_results").glob("26_*"):
        shutil.copyfile(path, raw / "dossier_results" / path.name)
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


def test_grants_and_policies_survive_a_publish_and_a_revoke_takes_effect(published):
    raw, url = published
    again = tthc("run", "--target", "postgres", "--full-refresh", "--raw-dir", str(raw),
                 "--warehouse", str(raw.parent / "wh" / "tthc.duckdb"), url=url)
    assert again.returncode in (0, 3), again.stdout + again.stderr
    assert _provinces(url, "reader_26", "dossier_results") == {"26"}
    assert _provinces(url, "reader_all", "dossier_results") == {"22", "26"}
    assert tthc("access", "revoke", "reader_26", url=url).returncode == 0
    with _as(url, "reader_26") as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
        con.execute("select * from marts.province_indicators")


def test_granting_a_role_that_does_not_exist_says_so(published):
    _, url = published
    done = tthc("access", "grant", "nobody_here", "--province", "26", url=url)
    assert done.returncode == 1 and 'no role "nobody_here"' in done.stderr
