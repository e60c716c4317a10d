"""`tthc results`, `report`, `query`, `metrics` and `shell`: the commands that read the published warehouse."""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from tthc.settings import Settings, load_settings


def cmd_results(args: argparse.Namespace) -> int:
    from tthc.runs.runlog import latest_run_log

    settings = load_settings(warehouse=args.warehouse, target=args.target)
    if args.history:
        return _results_history(settings)
    record = latest_run_log(settings)
    if record is None:
        print(f"tthc results: no run recorded under {settings.runs_dir}; run `tthc run` first", file=sys.stderr)
        return 1
    print(f"Run {record['run_id']}: {'published' if record['published'] else 'NOT published'}")
    if record.get("error"):
        print(f"  failed: {record['error']}")
    for error in (record.get("alerts") or {}).get("errors", []):
        print(f"  alert not delivered: {error}")
    statuses: dict[str, int] = defaultdict(int)
    for t in record["tests"]:
        statuses[t["status"]] += 1
    if record.get("build_skipped"):
        print("Tests: dbt build skipped (nothing new was loaded and the dbt project is unchanged)")
    else:
        print("Tests: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))
    for err in record["build_errors"]:
        print(f"  failed: {err}")
    for t in record["tests"]:
        if t["status"] != "pass":
            print(f"  {t['status']}: {t['test_name']} on {t['model']} ({t['failures']} rows)")
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for f in record.get("findings", []):
        groups[(f["province_code"] or "-", f["severity"])].append(f)
    print(f"Findings: {len(record.get('findings', []))}")
    for (province, severity), rows in sorted(groups.items()):
        print(f"  province {province}, {severity}: {len(rows)}")
        for f in rows:
            where = f["source_file"] + (f", {f['cell']}" if f.get("cell") else f", line {f['line_number']}" if f["line_number"] else "")
            print(f"    {where}: {f['message']}")
    print(f"Report page: {settings.report_page}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """The report site's tables, from the last run's record: the site (html) or a workbook (xlsx)."""
    from tthc.runs.runlog import latest_run_log

    settings = load_settings(warehouse=args.warehouse)
    record = latest_run_log(settings)
    if record is None:
        print(f"tthc report: no run recorded under {settings.runs_dir}; run `tthc run` first", file=sys.stderr)
        return 1
    if args.format == "xlsx":
        from tthc.report.workbook import write_report_workbook

        if not args.output:
            print("tthc report: --format xlsx needs --output FILE.xlsx", file=sys.stderr)
            return 1
        written = write_report_workbook(record, Path(args.output))
    else:
        from tthc.report.site import write_site

        written = write_site(record, Path(args.output) if args.output else settings.report_dir)
    print(f"wrote {written} (run {record['run_id']})")
    return 0


def _results_history(settings: Settings) -> int:
    """Tests and findings over the published runs (marts.test_history, marts.finding_history)."""
    from tthc.runs.history import FINDING_HISTORY_SQL, TEST_HISTORY_SQL, history_lines
    from tthc.warehouse import connect_published
    from tthc.warehouse.base import rows_as_dicts

    con = connect_published(settings)
    if con is None:
        print(f"tthc results: no warehouse at {settings.warehouse}; run `tthc run` first", file=sys.stderr)
        return 1
    try:
        tests, findings = rows_as_dicts(con, TEST_HISTORY_SQL), rows_as_dicts(con, FINDING_HISTORY_SQL)
    finally:
        con.close()
    print("\n".join(history_lines(tests, findings)))
    return 0


def _published_warehouse(args: argparse.Namespace) -> Path | None:
    """The published file, or None after telling the user to run first."""
    warehouse = load_settings(warehouse=args.warehouse).warehouse
    if warehouse.exists():
        return warehouse
    print(f"tthc {args.command}: no warehouse at {warehouse}; run `tthc run` first", file=sys.stderr)
    return None


def cmd_query(args: argparse.Namespace) -> int:
    if (warehouse := _published_warehouse(args)) is None:
        return 1
    return _answer(args, warehouse, args.sql)


def cmd_metrics(args: argparse.Namespace) -> int:
    """The indicators from the metrics layer, on the same terms as `tthc query`."""
    from tthc.query.metrics import MetricsError, load_semantic_manifest, metrics_sql

    if (warehouse := _published_warehouse(args)) is None:
        return 1
    layer = load_settings(warehouse=args.warehouse).semantic_manifest
    if not layer.exists():
        print(f"tthc metrics: no metrics layer at {layer}; a successful `tthc run` publishes it", file=sys.stderr)
        return 1
    manifest = load_semantic_manifest(layer)
    if args.list:
        from tthc.query.metrics import dimension_names

        print("metrics: " + ", ".join(sorted(m.name for m in manifest.metrics)))
        print("dimensions: " + ", ".join(sorted(dimension_names(manifest))))
        return 0
    if not args.metrics:
        print("tthc metrics: name the metrics (--metrics M[,M...]), or --list them", file=sys.stderr)
        return 1
    try:
        sql = metrics_sql(manifest, _names(args.metrics), _names(args.group_by), args.where)
    except MetricsError as err:
        print(f"tthc metrics: {err}", file=sys.stderr)
        return 1
    return _answer(args, warehouse, sql)


def _names(text: str | None) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def _answer(args: argparse.Namespace, warehouse: Path, sql: str) -> int:
    """Run SQL read-only against the published file and write the result as asked."""
    import duckdb

    from tthc.query.sql import QueryTimeout, query_warehouse, write_result

    try:
        with query_warehouse(warehouse, sql, args.timeout) as result:
            write_result(result, args.format, sys.stdout, Path(args.output) if args.output else None)
    except QueryTimeout as err:
        print(f"tthc {args.command}: {err}", file=sys.stderr)
        return 2
    except (duckdb.Error, ValueError, OSError) as err:
        print(f"tthc {args.command}: {err}", file=sys.stderr)
        return 1
    return 0


def cmd_shell(args: argparse.Namespace) -> int:
    """An interactive SQL prompt on the same terms as `tthc query`: read-only, no files outside, time limit."""
    from tthc.query.shell import run_shell

    if (warehouse := _published_warehouse(args)) is None:
        return 1
    return run_shell(warehouse, args.timeout)
