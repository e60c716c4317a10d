"""Benchmark: the product (`tthc run`) against the floor (bare DuckDB) on N synthetic dossier rows.

Prints rows, seconds, rows/s and peak memory of each, the fixed overhead (a run that loads one
small form file, with its parts), a run with nothing new, adding one month to a loaded year
against a full rebuild, and the ratios. Figures come from here; tests never assert timings.

    .venv/bin/python bench/run.py --rows 1000000 [--threads 2] [--memory-limit 4GB]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.demo import write_demo_data  # noqa: E402
from flows.ingest.records import TIMESTAMP_FORMATS  # noqa: E402

FLOOR_SQL = """
create table dossiers as
select * from read_csv(?, header = true, auto_detect = false, columns = {
    'dossier_id': 'VARCHAR', 'procedure_code': 'VARCHAR', 'unit_code': 'VARCHAR', 'level': 'VARCHAR',
    'channel': 'VARCHAR', 'received_at': 'TIMESTAMP', 'due_at': 'TIMESTAMP', 'resolved_at': 'TIMESTAMP',
    'status': 'VARCHAR', 'synthetic': 'BOOLEAN'}, timestampformat = '%d/%m/%Y %H:%M:%S');
create table monthly as
select '22' as province_code, date_trunc('month', received_at) as month, level,
       count(*) as received,
       count(*) filter (where status = 'resolved') as resolved_total,
       count(*) filter (where cast(resolved_at as date) < cast(due_at as date)) as resolved_early,
       count(*) filter (where cast(resolved_at as date) = cast(due_at as date)) as resolved_on_time,
       count(*) filter (where cast(resolved_at as date) > cast(due_at as date)) as resolved_late
from dossiers
group by all;
"""


def floor(files: list[Path], db: Path, threads: int, memory_limit: str) -> float:
    """Bare DuckDB, same version, threads and memory limit: typed load and one group by."""
    started = time.monotonic()
    con = duckdb.connect(str(db), config={"threads": threads, "memory_limit": memory_limit})
    statements = [s for s in FLOOR_SQL.split(";") if s.strip()]
    con.execute(statements[0], [[str(f) for f in files]])
    con.execute(statements[1])
    con.close()
    return time.monotonic() - started


def product(raw: Path, warehouse: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--raw-dir", str(raw), "--warehouse", str(warehouse)],
        cwd=ROOT, capture_output=True, text=True, env=env,
    )
    seconds = time.monotonic() - started
    if run.returncode not in (0, 3):
        raise SystemExit(f"tthc run failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    return seconds, run.stdout + run.stderr


def peak_child_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="4GB")
    args = parser.parse_args()
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"}  # quieter; flows/transform.py sets dbt's own level
    work = Path(tempfile.mkdtemp(prefix="tthc-bench-"))
    try:
        raw = work / "raw"
        started = time.monotonic()
        files = write_demo_data(raw, ["22"], 2020, list(range(1, 13)), seed=1, rows_per_year=args.rows)
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, DuckDB {duckdb.__version__}")
        print(f"generated {args.rows:,} rows in {len(files)} monthly files in {time.monotonic() - started:.1f} s")
        print("\nfloor SQL:\n" + FLOOR_SQL.strip())
        print(f"(the product reads the same files with {len(TIMESTAMP_FORMATS)} accepted date formats and keeps every rejected line)\n")

        t_floor = floor(files, work / "floor.duckdb", args.threads, args.memory_limit)

        small = work / "small" / "feedback"
        small.mkdir(parents=True)
        (small / "22_2020.csv").write_text("Đơn vị,Số PAKN tiếp nhận\nTổng cộng,2\n", encoding="utf-8")
        t_overhead, out = product(work / "small", work / "small.duckdb", env)
        parts = json.loads(sorted((work / "runs").glob("*.json"))[-1].read_text())["timings"]

        t_product, out = product(raw, work / "product.duckdb", env)
        peak = peak_child_mb()
        t_nothing_new, _ = product(raw, work / "product.duckdb", env)

        eleven = work / "eleven"
        shutil.copytree(raw, eleven)
        (eleven / "dossiers" / "22_2020-12.csv").unlink()
        product(eleven, work / "incremental.duckdb", env)
        shutil.copyfile(raw / "dossiers" / "22_2020-12.csv", eleven / "dossiers" / "22_2020-12.csv")
        t_add_month, _ = product(eleven, work / "incremental.duckdb", env)

        above = max(t_product - t_overhead, 1e-9)
        print(f"{'':28}{'seconds':>10}{'rows/s':>14}")
        print(f"{'floor (bare DuckDB)':28}{t_floor:>10.1f}{args.rows / t_floor:>14,.0f}")
        print(f"{'product (tthc run)':28}{t_product:>10.1f}{args.rows / t_product:>14,.0f}")
        print(f"{'fixed overhead (1 form)':28}{t_overhead:>10.1f}")
        for step, seconds in parts.items():
            print(f"{'  ' + step:28}{seconds:>10.1f}")
        print(f"{'  start-up, Prefect, rest':28}{t_overhead - sum(parts.values()):>10.1f}")
        print(f"{'nothing new':28}{t_nothing_new:>10.1f}")
        print(f"{'add one month to the year':28}{t_add_month:>10.1f}")
        print(f"peak memory of the runs (max RSS of a child process): {peak:,.0f} MB")
        print(f"ratio product / floor: {t_product / t_floor:.2f}; above the overhead: {above / t_floor:.2f} (target <= 1.25 at 10M+)")
        print(f"add a month, above the overhead, / full rebuild: {max(t_add_month - t_overhead, 0) / t_product:.2%} (target <= 15%)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
