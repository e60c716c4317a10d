"""Benchmark: the product (`tthc run`) against the floor (bare DuckDB) on N synthetic dossier rows.

Prints rows, seconds, rows/s and peak memory of each, the fixed overhead (a run that loads one
small form file, with its parts), a run with nothing new, adding one month to a loaded year
against a full rebuild, and the ratios. Figures come from here; tests never assert timings.

    .venv/bin/python bench/run.py --rows 1000000 [--threads 2] [--memory-limit 4GB] [--repeat 3]
    .venv/bin/python bench/run.py --rows 10000000 --target postgres   # the PostgreSQL target

With `--target postgres` it times the floor, the fixed overhead, the product and a month added
to a loaded year on the PostgreSQL target (a new database for each run: TTHC_POSTGRES_URL's server, or a server it
starts itself, as the tests do).

The floor, the fixed overhead and the product are each run --repeat times; the median run is
the figure, and the spread (fastest–slowest) is printed beside it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tthc.demo import write_demo_data  # noqa: E402
from tthc.ingest.records import TIMESTAMP_FORMATS  # noqa: E402

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


def product(raw: Path, warehouse: Path, env: dict[str, str]) -> tuple[float, float, dict[str, float]]:
    """`tthc run` in a child process: seconds, its peak memory in MB, and the run's step timings."""
    started = time.monotonic()
    log = warehouse.parent.parent / "bench-run.log"
    with open(log, "w") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "tthc.cli.main", "run", "--raw-dir", str(raw), "--warehouse", str(warehouse)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env,
        )
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        raise SystemExit(f"tthc run failed:\n{log.read_text()[-4000:]}")
    runs = sorted((warehouse.parent / "runs").glob("*.json"))
    timings = json.loads(runs[-1].read_text())["timings"] if runs else {}
    return seconds, usage.ru_maxrss / 1024, timings


def warm_warehouse(root: Path, env: dict[str, str]) -> tuple[Path, Path]:
    """A raw directory and a warehouse that have had one run (a small form file): the state of a
    warehouse in service, with dbt's parse of the project kept from that run."""
    raw, warehouse = root / "raw", root / "wh" / "tthc.duckdb"
    (raw / "feedback").mkdir(parents=True)
    (raw / "feedback" / "22_2019.csv").write_text("Đơn vị,Số PAKN tiếp nhận\nTổng cộng,2\n", encoding="utf-8")
    product(raw, warehouse, env)
    return raw, warehouse


@contextmanager
def prefect_server(home: Path, env: dict[str, str]) -> Iterator[str]:
    """A Prefect server (`prefect server start`) on a free loopback port for the runs that use
    PREFECT_API_URL; its API URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env={**env, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--memory-limit", default="4GB")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the floor, the overhead and the product")
    parser.add_argument("--target", choices=("duckdb", "postgres"), default="duckdb")
    args = parser.parse_args()
    if args.target == "postgres":
        postgres_main(args)
        return
    env = {
        **os.environ, "PREFECT_LOGGING_LEVEL": "WARNING",  # quieter; tthc/transform/dbt.py sets dbt's own level
        "TTHC_MEMORY_LIMIT": args.memory_limit,
    }
    work = Path(tempfile.mkdtemp(prefix="tthc-bench-"))
    try:
        data = work / "data"
        started = time.monotonic()
        files = write_demo_data(data, ["22"], 2020, list(range(1, 13)), seed=1, rows_per_year=args.rows)
        size_mb = sum(f.stat().st_size for f in files) / 2**20
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {_memory_gb():.0f} GB, Python {platform.python_version()}, "
              f"DuckDB {duckdb.__version__}; threads {args.threads}, memory limit {args.memory_limit}")
        print(f"generated {args.rows:,} rows ({size_mb:,.0f} MB) in {len(files)} monthly files in {time.monotonic() - started:.1f} s")
        print("\nfloor SQL:\n" + FLOOR_SQL.strip())
        print(f"(the product reads the same files with {len(TIMESTAMP_FORMATS)} accepted date formats and keeps every rejected line)\n")

        floors = [floor(files, work / f"floor{i}.duckdb", args.threads, args.memory_limit) for i in range(args.repeat)]
        t_floor = statistics.median_low(floors)

        # Fixed overhead: one more small form file into a warehouse in service, each time.
        raw, wh = warm_warehouse(work / "overhead", env)
        overheads = []
        for year in range(2020, 2020 + args.repeat):
            (raw / "feedback" / f"22_{year}.csv").write_text("Đơn vị,Số PAKN tiếp nhận\nTổng cộng,2\n", encoding="utf-8")
            overheads.append(product(raw, wh, env))
        t_overhead, _, parts = _median(overheads)
        # The same against a running Prefect server (PREFECT_API_URL): no temporary server to start.
        with prefect_server(work / "prefect-home", env) as api_url:
            served_env = {**env, "PREFECT_API_URL": api_url}
            served = []
            for year in range(2030, 2030 + args.repeat):
                (raw / "feedback" / f"22_{year}.csv").write_text("Đơn vị,Số PAKN tiếp nhận\nTổng cộng,2\n", encoding="utf-8")
                served.append(product(raw, wh, served_env))
        t_served, _, served_parts = _median(served)

        # The year of dossiers into a warehouse in service (a new one each time), then nothing new.
        products = []
        for i in range(args.repeat):
            raw, wh = warm_warehouse(work / f"product{i}", env)
            shutil.copytree(data / "dossiers", raw / "dossiers", copy_function=os.link)  # links: no copy of GBs
            products.append(product(raw, wh, env))
        t_product, peak, product_parts = _median(products)
        peak = max(p[1] for p in products)
        t_nothing_new, _, _ = product(raw, wh, env)

        # The same year against a running Prefect server: no temporary server to start.
        with prefect_server(work / "prefect-home-product", env) as api_url:
            served_env = {**env, "PREFECT_API_URL": api_url}
            served_products = []
            for i in range(args.repeat):
                raw_s, wh_s = warm_warehouse(work / f"served-product{i}", served_env)
                shutil.copytree(data / "dossiers", raw_s / "dossiers", copy_function=os.link)
                served_products.append(product(raw_s, wh_s, served_env))
        t_served_product, _, served_product_parts = _median(served_products)

        # Eleven months loaded, then the twelfth added.
        raw, wh = warm_warehouse(work / "incremental", env)
        shutil.copytree(data / "dossiers", raw / "dossiers", ignore=shutil.ignore_patterns("*_2020-12.csv"), copy_function=os.link)
        product(raw, wh, env)
        os.link(data / "dossiers" / "22_2020-12.csv", raw / "dossiers" / "22_2020-12.csv")
        t_add_month, _, add_parts = product(raw, wh, env)

        above = max(t_product - t_overhead, 1e-9)
        print(f"{'':30}{'seconds':>10}{'rows/s':>14}")
        print(f"{'floor (bare DuckDB)':30}{t_floor:>10.1f}{args.rows / t_floor:>14,.0f}{_spread(floors)}")
        print(f"{'product (tthc run)':30}{t_product:>10.1f}{args.rows / t_product:>14,.0f}{_spread([p[0] for p in products])}")
        _print_parts(product_parts, t_product)
        print(f"{'product, running server':30}{t_served_product:>10.1f}{args.rows / t_served_product:>14,.0f}"
              f"{_spread([p[0] for p in served_products])}")
        _print_parts(served_product_parts, t_served_product)
        print(f"{'fixed overhead (1 form file)':30}{t_overhead:>10.1f}{'':>14}{_spread([o[0] for o in overheads])}")
        _print_parts(parts, t_overhead)
        print(f"{'1 form file, running server':30}{t_served:>10.1f}{'':>14}{_spread([o[0] for o in served])}")
        _print_parts(served_parts, t_served)
        print(f"{'nothing new':30}{t_nothing_new:>10.1f}")
        print(f"{'add one month to the year':30}{t_add_month:>10.1f}")
        _print_parts(add_parts, t_add_month)
        print(f"peak memory of the product runs (max RSS of the tthc process): {peak:,.0f} MB")
        print(f"ratio product / floor: {t_product / t_floor:.2f}, with a running server {t_served_product / t_floor:.2f} "
              f"(target <= 3); above the overhead: {above / t_floor:.2f} (target <= 1.25 at 10M+)")
        print(f"add a month, above the overhead, / full rebuild: {max(t_add_month - t_overhead, 0) / t_product:.1%} (target <= 15%)")
        print("\nrow for docs/benchmarks.md:")
        print(f"| {args.rows:,} | {t_floor:.1f} | {args.rows / t_floor:,.0f} | {t_product:.1f} | {args.rows / t_product:,.0f} | "
              f"{t_overhead:.1f} | {above / t_floor:.2f} | {t_nothing_new:.1f} | {t_add_month:.1f} | "
              f"{max(t_add_month - t_overhead, 0) / t_product:.1%} | {peak:,.0f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def postgres_main(args: argparse.Namespace) -> None:
    """The floor, the fixed overhead (a small form file into a warehouse in service), the product,
    and a month added to a loaded year, on the PostgreSQL target."""
    import psycopg

    from tests.postgres_server import fresh_database, running_postgres

    work = Path(tempfile.mkdtemp(prefix="tthc-bench-pg-"))
    work.chmod(0o755)  # the server runs as the postgres user when this runs as root
    try:
        with contextlib.ExitStack() as stack:
            server = os.environ.get("TTHC_POSTGRES_URL") or stack.enter_context(running_postgres(work / "server"))
            counter = iter(range(1_000_000))

            def fresh_env() -> dict[str, str]:
                url = fresh_database(server, f"tthc_bench_{next(counter)}")
                return {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING", "TTHC_MEMORY_LIMIT": args.memory_limit,
                        "TTHC_TARGET": "postgres", "TTHC_POSTGRES_URL": url}

            data = work / "data"
            files = write_demo_data(data, ["22"], 2020, list(range(1, 13)), seed=1, rows_per_year=args.rows)
            with psycopg.connect(server) as con:
                version = con.execute("show server_version").fetchone()[0]
            print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {_memory_gb():.0f} GB; PostgreSQL {version}; "
                  f"{args.rows:,} rows in {len(files)} monthly files")
            floors = [floor(files, work / f"floor{i}.duckdb", args.threads, args.memory_limit) for i in range(args.repeat)]
            overheads, products, months = [], [], []
            for i in range(args.repeat):
                env = fresh_env()
                raw, wh = warm_warehouse(work / f"overhead{i}", env)
                (raw / "feedback" / "22_2020.csv").write_text("Đơn vị,Số PAKN tiếp nhận\nTổng cộng,2\n", encoding="utf-8")
                overheads.append(product(raw, wh, env))
                env = fresh_env()
                raw, wh = warm_warehouse(work / f"product{i}", env)
                shutil.copytree(data / "dossiers", raw / "dossiers", copy_function=os.link)
                products.append(product(raw, wh, env))
                # Eleven months loaded, then the twelfth added: the build only what changed.
                env = fresh_env()
                raw, wh = warm_warehouse(work / f"month{i}", env)
                shutil.copytree(data / "dossiers", raw / "dossiers", ignore=shutil.ignore_patterns("*_2020-12.csv"),
                                copy_function=os.link)
                product(raw, wh, env)
                os.link(data / "dossiers" / "22_2020-12.csv", raw / "dossiers" / "22_2020-12.csv")
                months.append(product(raw, wh, env))
            t_floor = statistics.median_low(floors)
            t_overhead, _, parts = _median(overheads)
            t_product, _, product_parts = _median(products)
            t_month, _, month_parts = _median(months)
            print(f"{'':34}{'seconds':>10}{'rows/s':>14}")
            print(f"{'floor (bare DuckDB)':34}{t_floor:>10.1f}{args.rows / t_floor:>14,.0f}{_spread(floors)}")
            print(f"{'product on PostgreSQL':34}{t_product:>10.1f}{args.rows / t_product:>14,.0f}{_spread([p[0] for p in products])}")
            _print_parts(product_parts, t_product)
            print(f"{'fixed overhead on PostgreSQL':34}{t_overhead:>10.1f}{'':>14}{_spread([o[0] for o in overheads])}")
            _print_parts(parts, t_overhead)
            print(f"peak memory of the product runs (max RSS of the tthc process): {max(p[1] for p in products):,.0f} MB")
            print(f"{'one month added to 11 loaded':34}{t_month:>10.1f}{'':>14}{_spread([m[0] for m in months])}")
            _print_parts(month_parts, t_month)
            print(f"ratio product / floor: {t_product / t_floor:.2f}; above the overhead: {(t_product - t_overhead) / t_floor:.2f}")
            print(f"a month added / a full rebuild, above the overhead: "
                  f"{(t_month - t_overhead) / max(t_product - t_overhead, 1e-9):.0%}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _median(runs: list[tuple[float, float, dict[str, float]]]) -> tuple[float, float, dict[str, float]]:
    """The run of median duration (the lower middle one of an even count), with its memory and parts."""
    return sorted(runs, key=lambda run: run[0])[(len(runs) - 1) // 2]


def _spread(seconds: list[float]) -> str:
    return f"   median of {len(seconds)}: {min(seconds):.1f}–{max(seconds):.1f}" if len(seconds) > 1 else ""


def _print_parts(parts: dict[str, float], total: float) -> None:
    for step, seconds in parts.items():
        print(f"{'  ' + step:30}{seconds:>10.1f}")
    print(f"{'  start-up, Prefect, rest':30}{total - sum(parts.values()):>10.1f}")


def _memory_gb() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


if __name__ == "__main__":
    main()
