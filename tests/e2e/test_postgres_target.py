"""The same project on a real PostgreSQL server: `tthc run --target postgres` publishes marts
identical to the DuckDB target's, through working schemas swapped in by one transaction."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import threading
from decimal import Decimal

import duckdb
import psycopg
import pytest

from tests.conftest import CORPUS, PROJECT_ROOT, SHIPPED_RAW, SMALL_FEEDBACK, copy_published
from tests.e2e.test_dossiers import BROKEN_EXPORTS
from tests.postgres_server import fresh_database


def tthc(*args: str, url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", *args], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=900,
        env={**os.environ, "TTHC_POSTGRES_URL": url},
    )


def _comparable(value):
    if isinstance(value, float | Decimal):
        return round(float(value), 9)
    return value


def _marts(rows_of, tables: list[str], columns_of) -> dict[str, list[tuple]]:
    """Every mart's rows, less the ids of runs and loads and the times files arrived or runs were
    recorded (two runs differ in them)."""
    out = {}
    for table in tables:
        names = [c for c, kind in columns_of(table)
                 if c != "load_id" and not c.endswith("run_id") and "timestamp" not in kind.lower()]
        select = ", ".join(f'"{c}"' for c in names)
        out[table] = sorted((tuple(_comparable(v) for v in row) for row in rows_of(f'select {select} from marts."{table}"')), key=repr)
    return out


def _duckdb_marts(path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [t for (t,) in con.execute("select table_name from information_schema.tables where table_schema = 'marts'").fetchall()]
        return _marts(lambda sql: con.execute(sql).fetchall(), tables, lambda t: con.execute(
            "select column_name, data_type from information_schema.columns where table_schema = 'marts' and table_name = ?", [t]
        ).fetchall())
    finally:
        con.close()


def _postgres_marts(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url) as con:
        tables = [t for (t,) in con.execute("select table_name from information_schema.tables where table_schema = 'marts'").fetchall()]
        return _marts(lambda sql: con.execute(sql).fetchall(), tables, lambda t: con.execute(
            "select column_name, data_type from information_schema.columns where table_schema = 'marts' and table_name = %s", [t]
        ).fetchall())


def _with_dossier_exports(raw) -> None:
    """A calibrated synthetic year of dossier records, and exports broken in every way."""
    subprocess.run([sys.executable, "-m", "tthc.cli.main", "demo-data", "--provinces", "22", "--year", "2020",
                    "--calibrate", "1200,500,600,3", "--seed", "7", "--out", str(raw)],
                   capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    for name, (text, encoding) in BROKEN_EXPORTS.items():
        (raw / "dossiers" / name).write_text(text, encoding=encoding)


def _assert_same_marts(duck_warehouse, url: str) -> None:
    """Every mart has the same rows on both targets (less run ids and times)."""
    duck, pg = _duckdb_marts(duck_warehouse), _postgres_marts(url)
    assert sorted(pg) == sorted(duck)
    for table in duck:
        assert pg[table] == duck[table], table


def _rejects_on_both(duck_warehouse, url: str) -> list[tuple]:
    """The rejected lines, with their line and reason, after checking that both targets keep the same."""
    rejects = "select file_path, line_number, reason, line_text from audit.record_rejects order by 1, 2"
    with psycopg.connect(url) as con:
        on_pg = con.execute(rejects).fetchall()
    with duckdb.connect(str(duck_warehouse), read_only=True) as con:
        assert on_pg == con.execute(rejects).fetchall()
    return on_pg


def _run_on_postgres(raw, warehouse, url: str, exit_code: int) -> None:
    on_postgres = tthc("run", "--target", "postgres", "--raw-dir", str(raw), "--warehouse", str(warehouse), url=url)
    assert on_postgres.returncode == exit_code, on_postgres.stdout + on_postgres.stderr
    assert "published to the PostgreSQL target" in on_postgres.stdout


def test_the_shipped_files_publish_the_same_marts_on_both_targets(shipped_run, postgres_shipped, tmp_path):
    """The session's runs on the shipped files, one per target (each `tthc run` on the same files)."""
    _assert_same_marts(shipped_run.warehouse, postgres_shipped.url)
    with psycopg.connect(postgres_shipped.url) as con:
        assert con.execute(
            "select numerator, denominator from marts.province_indicators "
            "where province_code = '22' and period = '2020' and indicator_code = 'national_portal_integration_rate'"
        ).fetchone() == (518, 1552)
        schemas = {s for (s,) in con.execute("select nspname from pg_namespace").fetchall()}
    assert not {s for s in schemas if s.endswith("__work")}  # swapped in, none left behind
    copy = copy_published(postgres_shipped, tmp_path, "tthc_shipped_again")
    again = tthc("run", "--target", "postgres", "--raw-dir", str(copy.raw), "--warehouse", str(copy.warehouse), url=copy.url)
    assert again.returncode == 0 and "Nothing new" in again.stdout, again.stdout + again.stderr


def test_the_corpus_publishes_the_same_marts_and_rejects_on_both_targets(postgres_url, corpus_run, tmp_path):
    """The corpus's odd and broken files on PostgreSQL, against the session's run of them on DuckDB."""
    raw = tmp_path / "raw"
    shutil.copytree(CORPUS, raw, symlinks=True)
    url = fresh_database(postgres_url, "tthc_corpus")
    _run_on_postgres(raw, tmp_path / "pg" / "tthc.duckdb", url, corpus_run.exit_code)
    _assert_same_marts(corpus_run.warehouse, url)
    _rejects_on_both(corpus_run.warehouse, url)


def test_dossier_exports_publish_the_same_marts_on_both_targets_run_after_run(postgres_url, tmp_path):
    """A calibrated year of dossier records and broken exports, then a form file and a month more."""
    raw, duck_warehouse = tmp_path / "raw", tmp_path / "duck" / "tthc.duckdb"
    shutil.copytree(SHIPPED_RAW, raw)
    _with_dossier_exports(raw)
    url = fresh_database(postgres_url, "tthc_dossiers")
    on_duckdb = tthc("run", "--raw-dir", str(raw), "--warehouse", str(duck_warehouse), url=url)
    assert on_duckdb.returncode in (0, 3), on_duckdb.stdout + on_duckdb.stderr
    _run_on_postgres(raw, tmp_path / "pg" / "tthc.duckdb", url, on_duckdb.returncode)
    _assert_same_marts(duck_warehouse, url)
    assert len(_rejects_on_both(duck_warehouse, url)) >= 8  # every rejected line, with its line and reason
    assert {f"2020_{m:02}" for m in range(1, 13)} <= _partitioned_by_month(url)
    _as_made_before_partitioning(url)
    _then_a_form_file_and_a_month(raw, tmp_path, url)
    assert "2022_05" in _partitioned_by_month(url)
    with psycopg.connect(url) as con, duckdb.connect(str(duck_warehouse), read_only=True) as duck:
        assert con.execute("select count(*) from raw.dossiers").fetchone() == duck.execute("select count(*) from raw.dossiers").fetchone()
        assert con.execute("select to_regclass('raw.dossiers_unpartitioned')").fetchone() == (None,)


def _partitioned_by_month(url: str) -> set[str]:
    """The months raw.dossiers is partitioned by (YYYY_MM), after checking that it is partitioned,
    indexed on _file_id and that each partition holds only the dossiers received in its month."""
    with psycopg.connect(url) as con:
        assert con.execute("select relkind from pg_class where oid = 'raw.dossiers'::regclass").fetchone() == ("p",)
        assert con.execute("select count(*) from pg_indexes where schemaname = 'raw' and tablename = 'dossiers' "
                           "and indexdef like '%(_file_id)%'").fetchone() == (1,)
        months = set()
        for (name,) in con.execute("select c.relname from pg_inherits as i join pg_class as c on c.oid = i.inhrelid "
                                   "where i.inhparent = 'raw.dossiers'::regclass").fetchall():
            held = {m for (m,) in con.execute(f"select distinct to_char(received_at, 'YYYY_MM') from raw.{name}").fetchall()}
            if name == "dossiers_default":
                assert held == set()
            else:
                assert held == {name.removeprefix("dossiers_")}, name
                months.add(name.removeprefix("dossiers_"))
        return months


def _as_made_before_partitioning(url: str) -> None:
    """raw.dossiers as a warehouse published before its partitioning has it: one table, the staging
    view reading it. The next run copies it into partitions and drops it once it publishes."""
    with psycopg.connect(url, autocommit=True) as con:
        view = con.execute("select pg_get_viewdef('staging.stg_raw__dossiers'::regclass)").fetchone()[0]
        con.execute("create table raw.dossiers_plain (like raw.dossiers including all)")
        con.execute("insert into raw.dossiers_plain select * from raw.dossiers")
        con.execute("drop table raw.dossiers cascade")  # the staging view, which only the monthly fact (a table) reads
        con.execute("alter table raw.dossiers_plain rename to dossiers")
        con.execute(f"create view staging.stg_raw__dossiers as {view}")


def _then_a_form_file_and_a_month(raw, tmp_path, url: str) -> None:
    """A second run on each target, after a small form file and one more month of records: the
    PostgreSQL build is selective as DuckDB's (the rest carried over, the monthly fact added to),
    and the marts are the same again, every one with the second run's id."""
    shutil.copyfile(SMALL_FEEDBACK, raw / "feedback" / "01_2021.csv")
    subprocess.run([sys.executable, "-m", "tthc.cli.main", "demo-data", "--provinces", "22", "--year", "2022", "--months", "5",
                    "--rows-per-year", "2400", "--seed", "8", "--out", str(raw)], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    with psycopg.connect(url) as con:
        months_before = set(con.execute("select province_code, month, built_from_loaded_at from marts.fct_dossiers_monthly").fetchall())
    on_duckdb = tthc("run", "--raw-dir", str(raw), "--warehouse", str(tmp_path / "duck" / "tthc.duckdb"), url=url)
    on_postgres = tthc("run", "--target", "postgres", "--raw-dir", str(raw), "--warehouse", str(tmp_path / "pg" / "tthc.duckdb"), url=url)
    assert on_postgres.returncode == on_duckdb.returncode, on_postgres.stdout + on_postgres.stderr
    record = json.loads(max((tmp_path / "pg" / "runs").glob("*.json")).read_text(encoding="utf-8"))
    assert "--select" in record["build_selection"] and "--exclude" in record["build_selection"]
    _assert_same_marts(tmp_path / "duck" / "tthc.duckdb", url)
    with psycopg.connect(url) as con:
        months_after = set(con.execute("select province_code, month, built_from_loaded_at from marts.fct_dossiers_monthly").fetchall())
        tables = [t for (t,) in con.execute(
            "select table_name from information_schema.columns where table_schema = 'marts' and column_name = 'run_id' "
            "and table_name in (select table_name from information_schema.tables where table_type = 'BASE TABLE')").fetchall()]
        run_ids = {r for t in tables for (r,) in con.execute(f'select distinct run_id from marts."{t}"').fetchall()}
    assert months_before < months_after  # the earlier months stood, the new one was added
    assert run_ids == {record["run_id"]}


def test_a_second_writer_on_the_same_database_stops_with_a_clear_message(postgres_url, tmp_path):
    from tthc.warehouse import postgres
    from tthc.warehouse.base import RunInProgress

    url = fresh_database(postgres_url, "tthc_lock")
    with postgres.writer_lock(url):
        with pytest.raises(RunInProgress, match="another run is writing the PostgreSQL warehouse"):
            with postgres.writer_lock(url):
                pass
    with postgres.writer_lock(url):  # released
        pass


def test_dates_survive_the_round_trip(postgres_url):
    # COPY keeps dates and times as they are (no text round trip through a locale).
    from tthc.warehouse import postgres

    url = fresh_database(postgres_url, "tthc_copy")
    con = postgres.connect(url)
    try:
        con.execute("create table t (d date, ts timestamptz, n integer, s varchar)")
        when = dt.datetime(2026, 11, 29, 5, 30, tzinfo=dt.UTC)
        con.copy_rows("t", ["d", "ts", "n", "s"], iter([(dt.date(2026, 1, 15), when, None, "Quảng Ninh"), (None, None, 3, None)]))
        assert con.execute("select d, ts, n, s from t order by n nulls first").fetchall() == [
            (dt.date(2026, 1, 15), when, None, "Quảng Ninh"), (None, None, 3, None)]
    finally:
        con.close()


@pytest.fixture()
def published_on_postgres(postgres_shipped, tmp_path):
    """The shipped files published on a database of their own (a copy of the session's); the raw
    directory to run again on."""
    copy = copy_published(postgres_shipped, tmp_path, "tthc_wap")
    return copy.raw, copy.url, copy.warehouse


def _run_ids(url: str) -> set[str]:
    with psycopg.connect(url) as con:
        return {r for (r,) in con.execute("select distinct run_id from marts.province_indicators").fetchall()}


def test_a_failing_error_test_leaves_the_published_schemas_untouched(published_on_postgres, tmp_path):
    raw, url, warehouse = published_on_postgres
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT_ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs"))
    (project / "tests" / "assert_deliberately_failing.sql").write_text("select 1 as broken\n")
    shutil.copyfile(SMALL_FEEDBACK, raw / "feedback" / "01_2021.csv")
    before, ids_before = _postgres_marts(url), _run_ids(url)
    run = subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", "run", "--target", "postgres", "--raw-dir", str(raw), "--warehouse", str(warehouse)],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=900,
        env={**os.environ, "TTHC_POSTGRES_URL": url, "TTHC_DBT_PROJECT_DIR": str(project)},
    )
    assert run.returncode == 1, run.stdout[-2000:]
    assert "NOT published" in run.stdout and "assert_deliberately_failing" in run.stdout
    assert _postgres_marts(url) == before and _run_ids(url) == ids_before
    with psycopg.connect(url) as con:
        assert not [s for (s,) in con.execute("select nspname from pg_namespace where nspname like '%%__work'").fetchall()]


def test_readers_never_get_an_error_during_a_publish(published_on_postgres):
    raw, url, warehouse = published_on_postgres
    shutil.copyfile(SMALL_FEEDBACK, raw / "feedback" / "01_2021.csv")
    union = " union all ".join(
        f"select distinct run_id from marts.{t}" for t in ("province_indicators", "data_quality_findings", "dim_periods", "submissions", "feedback")
    )
    seen: set[str] = set()
    errors: list[str] = []
    done = threading.Event()

    def read_in_a_loop() -> None:
        while not done.is_set():
            try:
                with psycopg.connect(url) as con:
                    ids = {r for (r,) in con.execute(f"select distinct run_id from ({union}) as runs").fetchall()}
                if len(ids) != 1:
                    errors.append(f"one query saw several runs: {ids}")
                seen.update(ids)
            except psycopg.Error as err:
                errors.append(str(err))

    reader = threading.Thread(target=read_in_a_loop)
    reader.start()
    try:
        run = tthc("run", "--target", "postgres", "--raw-dir", str(raw), "--warehouse", str(warehouse), url=url)
    finally:
        done.set()
        reader.join()
    assert run.returncode == 0, run.stdout[-2000:]
    assert errors == []
    assert len(seen) == 2  # the run before, then this one
