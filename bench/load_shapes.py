"""Benchmark: ways of loading the same dossier exports into DuckDB, to see what each guarantee costs.

Generates N synthetic rows in 12 monthly files (as `bench/run.py` does), then times, each in a
new database file with the same threads and memory limit, checkpoint and close included:

- the floor's load: one `create table … as select … from read_csv(<the 12 files>)`;
- one insert over all files into a raw-shaped table, each row given its file's id by a join;
- one insert per file, each in its own transaction, as the product's bulk path does;
- the SHA-256 of the files (the duplicate rule), on one thread and on all cores.

    .venv/bin/python bench/load_shapes.py --rows 10000000 [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tthc.demo import write_demo_data  # noqa: E402
from tthc.ingest.read import sha256_of_file  # noqa: E402

COLUMNS = {
    "dossier_id": "varchar", "procedure_code": "varchar", "unit_code": "varchar", "level": "varchar",
    "channel": "varchar", "received_at": "timestamp", "due_at": "timestamp", "resolved_at": "timestamp",
    "status": "varchar", "synthetic": "boolean",
}
NAMES = ", ".join(COLUMNS)
READ = (
    "read_csv({files}, header = true, auto_detect = false, columns = $columns, "
    "timestampformat = '%d/%m/%Y %H:%M:%S', store_rejects = true{more})"
)


def ctas(con: duckdb.DuckDBPyConnection, files: list[str]) -> None:
    con.execute(
        f"create table dossiers as select * from {READ.format(files='$files', more='')}", {"files": files, "columns": COLUMNS}
    )


def one_insert(con: duckdb.DuckDBPyConnection, files: list[str]) -> None:
    con.execute("set preserve_insertion_order = false")
    con.execute(f"create table dossiers (_file_id bigint not null, {', '.join(f'{k} {v}' for k, v in COLUMNS.items())})")
    con.execute(
        "create temp table batch as select unnest($files) as filename, unnest(range(1, len($files) + 1)) as file_id",
        {"files": files},
    )
    con.execute(
        f"insert into dossiers select batch.file_id, {NAMES} from {READ.format(files='$files', more=', filename = true')} "
        "join batch using (filename)",
        {"files": files, "columns": COLUMNS},
    )


def per_file(con: duckdb.DuckDBPyConnection, files: list[str]) -> None:
    con.execute("set preserve_insertion_order = false")
    con.execute(f"create table dossiers (_file_id bigint not null, {', '.join(f'{k} {v}' for k, v in COLUMNS.items())})")
    for file_id, path in enumerate(files, start=1):
        con.execute("begin transaction")
        con.execute("drop table if exists reject_errors")
        con.execute("drop table if exists reject_scans")
        con.execute(
            f"insert into dossiers select $file_id, {NAMES} from {READ.format(files='$path', more='')}",
            {"file_id": file_id, "path": path, "columns": COLUMNS},
        )
        con.execute("commit")


def timed_load(
    load: Callable[[duckdb.DuckDBPyConnection, list[str]], None], files: list[str], db: Path, config: dict
) -> float:
    db.unlink(missing_ok=True)
    started = time.monotonic()
    con = duckdb.connect(str(db), config=config)
    load(con, files)
    con.execute("checkpoint")
    con.close()
    return time.monotonic() - started


def timed_hash(files: list[Path], threads: int) -> float:
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(lambda f: sha256_of_file(f.parent, f.name), files))
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--memory-limit", default="4GB")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    config = {"threads": args.threads, "memory_limit": args.memory_limit}
    with tempfile.TemporaryDirectory(prefix="tthc-load-") as tmp:
        work = Path(tmp)
        paths = write_demo_data(work / "data", ["22"], 2020, list(range(1, 13)), seed=1, rows_per_year=args.rows)
        files = [str(p) for p in paths]
        print(f"{args.rows:,} rows in {len(files)} files; threads {args.threads}, memory limit {args.memory_limit}; "
              f"median of {args.repeat} (fastest–slowest)")
        shapes = {
            "floor: create table as select (all files)": lambda: timed_load(ctas, files, work / "x.duckdb", config),
            "one insert over all files, file id by join": lambda: timed_load(one_insert, files, work / "x.duckdb", config),
            "one insert per file, one transaction each": lambda: timed_load(per_file, files, work / "x.duckdb", config),
            "SHA-256 of the files, one thread": lambda: timed_hash(paths, 1),
            f"SHA-256 of the files, {os.cpu_count()} threads": lambda: timed_hash(paths, os.cpu_count() or 1),
        }
        for label, run in shapes.items():
            seconds = [run() for _ in range(args.repeat)]
            print(f"{label:48}{statistics.median(seconds):>8.2f} s   ({min(seconds):.2f}–{max(seconds):.2f})")


if __name__ == "__main__":
    main()
