"""Killing `tthc run` for real, at several points of ingestion and of the dbt build, leaves no
trace: the next run gives exactly the warehouse of one clean run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.conftest import CORPUS, PROJECT_ROOT, SMALL_FEEDBACK


def _start_run(raw: Path, warehouse: Path) -> subprocess.Popen:
    return subprocess.Popen(
        # --verbose: the log lines the kills are timed on (each file, the build, each node)
        [sys.executable, "-m", "tthc.cli.main", "run", "--verbose", "--raw-dir", str(raw), "--warehouse", str(warehouse)],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # its own process group: the kill takes Prefect's temporary server too
    )


def _kill_after(raw: Path, warehouse: Path, marker: str, occurrence: int) -> list[str]:
    """Start a run and SIGKILL its whole process group at the n-th output line containing `marker`."""
    proc = _start_run(raw, warehouse)
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


def _complete_run(raw: Path, warehouse: Path) -> None:
    proc = _start_run(raw, warehouse)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 3, out[-3000:]  # the corpus holds refused and rejected files


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


def test_killed_runs_leave_no_trace(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(CORPUS, raw, symlinks=True)
    clean = tmp_path / "clean" / "tthc.duckdb"
    _complete_run(raw, clean)

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
