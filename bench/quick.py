"""The quick benchmark (`make bench-quick`, about two minutes): the speed every submission shows.

1M synthetic dossier rows end to end against bare DuckDB on the same files, and one small form
file into a warehouse in service against its fixed floor (DuckDB opening the warehouse and
writing one row), both with a running Prefect server, in the same run, so the ratios hold on a
noisy machine. It prints the ratios and their change against the last figures committed in
docs/benchmarks.md (the line `quick: …`). It fails nothing: machines are noisy; read the trend.

    .venv/bin/python bench/quick.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import floor, prefect_server, product, warm_warehouse  # noqa: E402

from tthc.demo import write_demo_data  # noqa: E402

BENCHMARKS = ROOT / "docs" / "benchmarks.md"
_LAST = re.compile(r"^quick: rows ([\d,]+), product/floor ([\d.]+), small file ([\d.]+) s, small file/floor ([\d.]+)", re.M)


def small_floor(warehouse: Path) -> float:
    """What any write to the warehouse costs at least: open a copy, write one row, checkpoint."""
    copy = warehouse.with_name("floor-copy.duckdb")
    started = time.monotonic()
    shutil.copyfile(warehouse, copy)
    con = duckdb.connect(str(copy))
    con.execute("create table one_row as select 1 as x")
    con.execute("checkpoint")
    con.close()
    seconds = time.monotonic() - started
    copy.unlink()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING", "TTHC_MEMORY_LIMIT": "4GB"}
    work = Path(tempfile.mkdtemp(prefix="tthc-bench-quick-"))
    try:
        files = write_demo_data(work / "data", ["22"], 2020, list(range(1, 13)), seed=1, rows_per_year=args.rows)
        t_floor = floor(files, work / "floor.duckdb", os.cpu_count() or 1, "4GB")
        with prefect_server(work / "prefect-home", env) as api_url:
            served = {**env, "PREFECT_API_URL": api_url}
            raw, wh = warm_warehouse(work / "small", served)
            (raw / "feedback" / "22_2020.csv").write_text("Đơn vị,Số PAKN tiếp nhận\nTổng cộng,2\n", encoding="utf-8")
            t_small, _, small_parts = product(raw, wh, served)
            t_small_floor = small_floor(wh)
            # the same warehouse in service takes the year of dossiers
            shutil.copytree(work / "data" / "dossiers", raw / "dossiers", copy_function=os.link)
            t_product, _, product_parts = product(raw, wh, served)
        figures = {"rows": args.rows, "product/floor": t_product / t_floor, "small file": t_small,
                   "small file/floor": t_small / max(t_small_floor, 1e-3)}
        print(f"floor (bare DuckDB, {args.rows:,} rows): {t_floor:.1f} s; product: {t_product:.1f} s "
              f"({', '.join(f'{k} {v:.1f}' for k, v in product_parts.items())})")
        print(f"one small form file, running Prefect server: {t_small:.1f} s "
              f"({', '.join(f'{k} {v:.1f}' for k, v in small_parts.items())}); its floor {t_small_floor:.2f} s")
        line = (f"quick: rows {args.rows:,}, product/floor {figures['product/floor']:.2f}, small file {t_small:.1f} s, "
                f"small file/floor {figures['small file/floor']:.1f}")
        print(line)
        last = _LAST.search(BENCHMARKS.read_text(encoding="utf-8")) if BENCHMARKS.exists() else None
        if last is not None:
            before = {"product/floor": float(last.group(2)), "small file": float(last.group(3))}
            print("against the last committed figures (docs/benchmarks.md): "
                  + ", ".join(f"{k} {figures[k]:.2f} vs {v:.2f} ({figures[k] / v - 1:+.0%})" for k, v in before.items()))
        else:
            print("no committed quick figures yet in docs/benchmarks.md: add the line above")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
