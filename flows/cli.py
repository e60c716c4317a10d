"""The `tthc` command: parses arguments, calls flows, prints summaries."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence

from flows.settings import load_settings


def _print_run(outcome) -> None:  # outcome: flows.pipeline.RunOutcome
    ing, b = outcome.ingest, outcome.build
    print(f"Run {outcome.run_id}: {'published to ' + str(outcome.warehouse) if outcome.published else 'NOT published'}")
    print(
        f"Files: {ing.count('loaded')} loaded, {ing.count('duplicate')} duplicate, {ing.count('superseded')} superseded, "
        f"{ing.count('refused')} refused, {ing.count('rejected')} rejected"
    )
    for e in ing.not_taken:
        print(f"  {e.status}: {e.found.path}: {e.reason}")
    print(f"Tests: {b.count('pass')} passed, {b.count('warn')} warned, {b.count('fail') + b.count('error')} failed")
    for err in b.node_errors:
        print(f"  failed: {err}")
    if outcome.headline:
        print("Headline indicators:")
        for province, period, code, value, num, den, unit in outcome.headline:
            if value is None:
                shown = "not computable"
            elif unit == "ratio":
                shown = f"{value:.2%} ({num:,} / {den:,})"
            else:
                shown = f"{value:,.0f}"
            print(f"  {province} {period} {code}: {shown}")


def cmd_run(args: argparse.Namespace) -> int:
    from flows.pipeline import run_pipeline
    from flows.publish import RunInProgress

    try:
        outcome = run_pipeline(raw_dir=args.raw_dir, warehouse=args.warehouse)
    except RunInProgress as err:
        print(f"tthc run: {err}", file=sys.stderr)
        return 1
    _print_run(outcome)
    return outcome.exit_code


def cmd_add(args: argparse.Namespace) -> int:
    from pathlib import Path

    from flows.ingest.add import AddError, add_file

    settings = load_settings(raw_dir=args.raw_dir)
    try:
        target = add_file(Path(args.file), settings.raw_dir, args.dataset, args.province, args.period, args.revision)
    except (AddError, OSError) as err:
        print(f"tthc add: {err}", file=sys.stderr)
        return 1
    print(f"added {target.relative_to(settings.raw_dir)}; run `tthc run` to load it")
    return 0


def cmd_results(args: argparse.Namespace) -> int:
    from collections import defaultdict

    from flows.runlog import latest_run_log

    settings = load_settings(warehouse=args.warehouse)
    record = latest_run_log(settings)
    if record is None:
        print(f"tthc results: no run recorded under {settings.runs_dir}; run `tthc run` first", file=sys.stderr)
        return 1
    print(f"Run {record['run_id']}: {'published' if record['published'] else 'NOT published'}")
    statuses: dict[str, int] = defaultdict(int)
    for t in record["tests"]:
        statuses[t["status"]] += 1
    print("Tests: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))
    for err in record["build_errors"]:
        print(f"  failed: {err}")
    for t in record["tests"]:
        if t["status"] != "pass":
            print(f"  {t['status']}: {t['test_name']} on {t['model']} ({t['failures']} rows)")
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for f in record["findings"]:
        groups[(f["province_code"] or "-", f["severity"])].append(f)
    print(f"Findings: {len(record['findings'])}")
    for (province, severity), rows in sorted(groups.items()):
        print(f"  province {province}, {severity}: {len(rows)}")
        for f in rows:
            where = f["source_file"] + (f", line {f['line_number']}" if f["line_number"] else "")
            print(f"    {where}: {f['message']}")
    print(f"Report page: {settings.report_page}")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from flows.warehouse import connect_read_only

    settings = load_settings(warehouse=args.warehouse)
    if not settings.warehouse.exists():
        print(f"tthc query: no warehouse at {settings.warehouse}; run `tthc run` first", file=sys.stderr)
        return 1
    con = connect_read_only(settings.warehouse)
    try:
        cur = con.execute(args.sql)
        names = [d[0] for d in cur.description or []]
        rows = cur.fetchall()
    except Exception as err:  # duckdb raises several error classes; all are the user's SQL
        print(f"tthc query: {err}", file=sys.stderr)
        return 1
    finally:
        con.close()
    _write_rows(names, rows, args.format)
    return 0


def _write_rows(names: list[str], rows: list[tuple], fmt: str) -> None:
    if fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(names)
        w.writerows(rows)
    elif fmt == "json":
        json.dump([dict(zip(names, r)) for r in rows], sys.stdout, ensure_ascii=False, default=str, indent=1)
        print()
    else:
        cells = [[("NULL" if v is None else str(v)) for v in r] for r in rows]
        widths = [max([len(n), *(len(r[i]) for r in cells)]) for i, n in enumerate(names)]
        print("  ".join(n.ljust(w) for n, w in zip(names, widths)))
        print("  ".join("-" * w for w in widths))
        for r in cells:
            print("  ".join(v.ljust(w) for v, w in zip(r, widths)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tthc", description="TTHC Warehouse: load provincial TTHC reports, compute indicators.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="load raw files, build and test the marts, publish the warehouse")
    run.add_argument("--raw-dir", help="directory of report files (default raw/, or TTHC_RAW_DIR)")
    run.add_argument("--warehouse", help="published DuckDB file (default warehouse/tthc.duckdb, or TTHC_WAREHOUSE)")
    run.set_defaults(func=cmd_run)

    add = sub.add_parser("add", help="take in a report file with any name, under its canonical name in the raw directory")
    add.add_argument("file")
    add.add_argument("--dataset", required=True, help="dossier_results, procedure_inventory, online_services, ...")
    add.add_argument("--province", required=True, help="two-digit province code valid at the end of the period")
    add.add_argument("--period", required=True, help="YYYY, YYYY-H1, YYYY-Q3 or YYYY-MM")
    add.add_argument("--revision", type=int, default=0, help="revision number of a corrected report (default 0)")
    add.add_argument("--raw-dir", help="directory of report files (default raw/, or TTHC_RAW_DIR)")
    add.set_defaults(func=cmd_add)

    results = sub.add_parser("results", help="the last run's tests and findings, whatever its outcome")
    results.add_argument("--warehouse", help="published DuckDB file (default warehouse/tthc.duckdb, or TTHC_WAREHOUSE)")
    results.set_defaults(func=cmd_results)

    query = sub.add_parser("query", help="run SQL read-only against the published warehouse")
    query.add_argument("sql")
    query.add_argument("--format", choices=["table", "csv", "json"], default="table")
    query.add_argument("--warehouse", help="published DuckDB file (default warehouse/tthc.duckdb, or TTHC_WAREHOUSE)")
    query.set_defaults(func=cmd_query)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
