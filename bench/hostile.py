"""Benchmark: large forms, hostile files and large query results (issue 12's targets).

Prints, each from a `tthc run` or `tthc query` in a child process (peak memory is the child's
maximum RSS; a temporary Prefect server is a separate process, not counted):

- a form file of N data rows (subtotals every 100 rows, a total row) added to a warehouse in
  service, for N = 100k, 200k and 400k: seconds end to end, the ingest and dbt build steps,
  and the same run less the fixed overhead (one small form file added the same way). The
  findings are linear when the build time grows in proportion to the rows;
- each hostile file alone (a last-cell workbook, a zip bomb, a 1 MB field, an unbalanced quote
  over 4,000 rows): seconds and peak memory of the run that turns it away;
- `tthc query` writing 20M rows to csv and json, and 1M rows to xlsx: seconds and peak memory.

    .venv/bin/python bench/hostile.py [--sizes 100000,200000,400000] [--parts forms,hostile,queries]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import product, warm_warehouse  # noqa: E402
from tests.workbooks import cell_at_the_last_cell, zip_bomb  # noqa: E402

HEADER = "unit,received_total,received_online,resolved_total,resolved_early,resolved_on_time,resolved_late\n"


def large_form(rows: int) -> str:
    """A dossier_results form of `rows` data rows, a subtotal every 100 rows and a total row."""
    lines, totals, group = [HEADER], [0] * 6, [0] * 6
    for i in range(1, rows + 1):
        figures = [50 + i % 7, 20 + i % 5, 40 + i % 7, 10, 25 + i % 7, 5]
        lines.append(f"Xã số {i}," + ",".join(map(str, figures)) + "\n")
        group = [g + f for g, f in zip(group, figures)]
        if i % 100 == 0:
            lines.append(f"Cộng nhóm {i // 100}," + ",".join(map(str, group)) + "\n")
            totals, group = [t + g for t, g in zip(totals, group)], [0] * 6
    totals = [t + g for t, g in zip(totals, group)]
    lines.append("Tổng cộng," + ",".join(map(str, totals)) + "\n")
    return "".join(lines)


def add_and_run(root: Path, rel: str, data: bytes, env: dict[str, str]) -> tuple[float, float, dict[str, float]]:
    """A new warehouse in service, then one run that adds `data` at `rel`."""
    raw, warehouse = warm_warehouse(root, env)
    (raw / rel).parent.mkdir(parents=True, exist_ok=True)
    (raw / rel).write_bytes(data)
    return product(raw, warehouse, env)


def query(warehouse: Path, sql: str, fmt: str, target: Path, env: dict[str, str]) -> tuple[float, float]:
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-m", "tthc.cli.main", "query", sql, "--format", fmt, "--output", str(target),
         "--warehouse", str(warehouse), "--timeout", "3600"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"tthc query --format {fmt} failed")
    return time.monotonic() - started, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,200000,400000")
    parser.add_argument("--parts", default="forms,hostile,queries", help="which of the three to run")
    args = parser.parse_args()
    chosen = set(args.parts.split(","))
    env = {**os.environ, "TTHC_MEMORY_LIMIT": os.environ.get("TTHC_MEMORY_LIMIT", "4GB")}
    with tempfile.TemporaryDirectory(prefix="tthc-bench-") as tmp:
        root = Path(tmp)
        small = "Đơn vị,Số PAKN tiếp nhận\nTổng cộng,3\n".encode()
        base, base_mb, base_parts = add_and_run(root / "overhead", "feedback/22_2020.csv", small, env)
        print(f"fixed overhead (one small form file): {base:.1f} s, {base_mb:,.0f} MB; "
              f"ingest {base_parts.get('ingest', 0):.1f} s, dbt build {base_parts.get('dbt build', 0):.1f} s")
        print("large form files (dossier_results), added to a warehouse in service:")
        for size in (int(s) for s in args.sizes.split(",") if "forms" in chosen):
            seconds, mb, parts = add_and_run(root / f"form{size}", "dossier_results/22_2020.csv", large_form(size).encode(), env)
            build = parts.get("dbt build", 0) - base_parts.get("dbt build", 0)
            print(f"  {size:>9,} rows: {seconds:6.1f} s end to end, {seconds - base:6.1f} s above the overhead; "
                  f"ingest {parts.get('ingest', 0):5.1f} s, dbt build {parts.get('dbt build', 0):5.1f} s "
                  f"({build / size * 1e6:5.1f} µs a row above the overhead's build); {mb:,.0f} MB")

        print("hostile files, each alone in a warehouse in service (turned away):")
        quote = "Đơn vị,Tổng số hồ sơ tiếp nhận\n\"Sở Tư pháp,1\n" + "".join(f"Xã {i},{i}\n" for i in range(4000))
        hostile = {
            "online_services/22_2020.xlsx (a value at XFD1048576)": cell_at_the_last_cell(),
            "online_services/22_2020.xlsx (unpacks to 7 GB)": zip_bomb(7 * 1024),
            "dossier_results/22_2020.csv (a 1 MB field)": HEADER.encode() + b"x" + b"9" * (1 << 20) + b",1\n",
            "dossier_results/22_2020.csv (an unbalanced quote, 4,000 rows)": quote.encode(),
        }
        for i, (label, data) in enumerate(hostile.items() if "hostile" in chosen else []):
            seconds, mb, _ = add_and_run(root / f"hostile{i}", label.split(" ")[0], data, env)
            print(f"  {label}: {len(data) / 1024:,.0f} KB, {seconds:.1f} s, peak {mb:,.0f} MB")

        print("query results streamed to a file:")
        warehouse = root / "overhead" / "wh" / "tthc.duckdb"
        big = "select i as n, 'Sở Tư pháp ' || i as unit, i * 1.5 as value from range({}) t(i)"
        queries = (("csv", 20_000_000), ("json", 20_000_000), ("xlsx", 1_000_000)) if "queries" in chosen else ()
        for fmt, rows in queries:
            seconds, mb = query(warehouse, big.format(rows), fmt, root / f"out.{fmt}", env)
            size = (root / f"out.{fmt}").stat().st_size / 1024 / 1024
            print(f"  {rows:>10,} rows to {fmt}: {seconds:6.1f} s, {size:,.0f} MB written, peak {mb:,.0f} MB")


if __name__ == "__main__":
    main()
