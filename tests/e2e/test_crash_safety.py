"""Killing `tthc run` for real, at several points of ingestion, of the dbt build and (on
PostgreSQL) of the swap, leaves no trace: the published warehouse stays whole, and the next run
gives exactly the warehouse of one clean run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psycopg

from tests.conftest import CORPUS, PROJECT_ROOT, SMALL_FEEDBACK, copy_published
from tests.e2e.test_postgres_target import _postgres_marts
from tests.postgres_server import fresh_database


def _start_run(raw: Path, warehouse: Path, url: str | None = None) -> subprocess.Popen:
    """`tthc run` on the DuckDB target, or on the PostgreSQL database at `url`."""
    return subprocess.Popen(
        # --verbose: the log lines the kills are timed on (each file, the build, each node)
        [sys.executable, "-m", "tthc.cli.main", "run", "--verbose", "--raw-dir", str(raw), "--warehouse", str(warehouse),
         *(["--target", "postgres"] if url else [])],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # its own process group: the kill takes Prefect's temporary server too
        env={**os.environ, **({"TTHC_POSTGRES_URL": url} if url else {})},
    )


def _kill_after(raw: Path, warehouse: Path, marker: str, occurrence: int, url: str | None = None) -> list[str]:
    """Start a run and SIGKILL its whole process group at the n-th output line containing `marker`."""
    proc = _start_run(raw, warehouse, url)
    seen, lines = 0, []
    try:
        for line in proc.stdout:
            lines.append(line)
            if marker in line:
                seen += 1
                if seen == occurrence:
                    os.killpg(proc.pid, signal.SIGKILL)
                    break
    finally:
        proc.wait(timeout=60)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert seen == occurrence, f"no {occurrence}th line with {marker!r}:\n" + "".join(lines[-30:])
    return lines


def _complete_run(raw: Path, warehouse: Path, url: str | None = None, exit_code: int = 3) -> None:
    proc = _start_run(raw, warehouse, url)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == exit_code, out[-3000:]  # the corpus holds refused and rejected files


def _state(warehouse: Path) -> dict[str, list[tuple]]:
    """Everything a reader can see, less the ids and times that differ between two runs."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        state = {}
        for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('marts', 'raw') and table_type = 'BASE TABLE'"
        ).fetchall():
            cols = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                [schema, table],
            ).fetchall() if c not in ("load_id", "_load_id", "loaded_at", "delivered_at", "last_delivered_at", "first_accepted_at", "run_id")]
            select = ", ".join(f'"{c}"' for c in cols)
            state[f"{schema}.{table}"] = con.execute(f'select {select} from {schema}."{table}" order by all').fetchall()
        state["audit.ingest_log"] = con.execute(
            "select file_path, file_sha256, status, reason, rows_read from audit.ingest_log order by all"
        ).fetchall()
        state["audit.test_results"] = con.execute(
            "select unique_id, status, failures from audit.test_results order by all"
        ).fetchall()
        return state
    finally:
        con.close()


def test_killed_runs_leave_no_trace(corpus_run, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(CORPUS, raw, symlinks=True)
    clean = corpus_run.warehouse  # one clean run on the same files (the session's)

    # Killed during ingestion (after the first and the twelfth file), as the dbt build starts and
    # once its nodes are reported (before publishing):
    # nothing is ever published, and the next run starts afresh.
    recovered = tmp_path / "recovered" / "tthc.duckdb"
    for marker, occurrence in [(": loaded", 1), (": loaded", 12), ("dbt build of", 1), ("model.tthc.stg_raw__feedback", 1)]:
        _kill_after(raw, recovered, marker, occurrence)
        assert not recovered.exists()
    _complete_run(raw, recovered)
    assert _state(recovered) == _state(clean)
    assert not list((recovered.parent / "work").rglob("*.duckdb*"))

    # Killed while building on top of a published warehouse: the published file is untouched.
    before = recovered.read_bytes()
    shutil.copyfile(SMALL_FEEDBACK, raw / "feedback" / "94_2021.csv")
    _kill_after(raw, recovered, "dbt build of", 1)
    assert recovered.read_bytes() == before


def _work_schemas(url: str) -> list[str]:
    with psycopg.connect(url) as con:
        return [s for (s,) in con.execute("select nspname from pg_namespace where nspname like '%%__work' order by 1").fetchall()]


def _kill_during_the_swap(raw: Path, warehouse: Path, url: str) -> None:
    """Start a run while a reader holds a published mart, so that the swap waits for it, and
    SIGKILL the run while its swap's transaction is open (waiting for the lock)."""
    with psycopg.connect(url) as reader:
        reader.execute("select count(*) from marts.province_indicators")  # holds it until the rollback
        proc = _start_run(raw, warehouse, url)
        try:
            waited = 0
            while waited == 0 and proc.poll() is None:
                waited = reader.execute(
                    "select count(*) from pg_locks as l join pg_class as c on c.oid = l.relation "
                    "where not l.granted and c.relname = 'province_indicators'"
                ).fetchone()[0]
                time.sleep(0.05)
            assert waited, "the run ended without waiting at the swap"
            os.killpg(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(timeout=60)
        reader.rollback()


def test_killed_runs_on_postgres_leave_the_published_schemas_whole(postgres_url, postgres_shipped, tmp_path):
    clean = copy_published(postgres_shipped, tmp_path / "clean", "tthc_kill_clean")  # one clean run on the same files
    raw, clean_url = clean.raw, clean.url
    url, warehouse = fresh_database(postgres_url, "tthc_kill"), tmp_path / "killed" / "tthc.duckdb"

    # Killed during ingestion (its first files committed to raw) and during the build: nothing is
    # published; the dead run's working schemas are dropped by the next run, which builds what the
    # dead one loaded although it finds those files already in raw.
    _kill_after(raw, warehouse, ": loaded", 2, url)
    _kill_after(raw, warehouse, "dbt build 90/", 1, url)
    assert _work_schemas(url)
    _complete_run(raw, warehouse, url, exit_code=0)
    assert _postgres_marts(url) == _postgres_marts(clean_url) and _work_schemas(url) == []

    # On top of a published warehouse: killed during the build and during the swap, the
    # published marts stay as they were, one run's; the next run takes the file in.
    shutil.copyfile(SMALL_FEEDBACK, raw / "feedback" / "01_2021.csv")
    before = _postgres_marts(url)
    _kill_after(raw, warehouse, "model.tthc.", 3, url)  # the third model built
    assert _postgres_marts(url) == before
    _kill_during_the_swap(raw, warehouse, url)
    assert _postgres_marts(url) == before
    with psycopg.connect(url) as con:
        assert len({r for (r,) in con.execute("select distinct run_id from marts.province_indicators union "
                                              "select distinct run_id from marts.feedback").fetchall()}) == 1
    _complete_run(raw, warehouse, url, exit_code=0)
    _complete_run(raw, clean.warehouse, clean_url, exit_code=0)
    assert _postgres_marts(url) == _postgres_marts(clean_url) and _work_schemas(url) == []
