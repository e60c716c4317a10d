"""The `tthc` command: its parser; each command lives in runs.py, read.py or operations.py."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tthc.cli.operations import _months, cmd_access, cmd_demo_data, cmd_deploy, cmd_docs_serve, cmd_serve
from tthc.cli.read import cmd_metrics, cmd_query, cmd_report, cmd_results, cmd_shell
from tthc.cli.runs import cmd_add, cmd_remind, cmd_run, cmd_withdraw
from tthc.query.sql import FORMATS
from tthc.settings import CUTOFF_CRON, NIGHTLY_CRON, TARGETS, SettingsError

WAREHOUSE_HELP = "published DuckDB file (default warehouse/tthc.duckdb, or TTHC_WAREHOUSE)"
RAW_DIR_HELP = "directory of report files (default raw/, or TTHC_RAW_DIR)"
TARGET_HELP = "where the warehouse lives: duckdb (default, or TTHC_TARGET) or postgres (TTHC_POSTGRES_URL)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tthc", description="TTHC Warehouse: load provincial TTHC reports, compute indicators.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="load raw files, build and test the marts, publish the warehouse")
    run.add_argument("--raw-dir", help=RAW_DIR_HELP)
    run.add_argument("--warehouse", help=WAREHOUSE_HELP)
    run.add_argument("--full-refresh", action="store_true",
                     help="build every dbt node, not only those downstream of what changed")
    run.add_argument("--target", choices=TARGETS, help=TARGET_HELP)
    run.set_defaults(func=cmd_run)

    remind = sub.add_parser("remind", help="a run, then the digest of overdue and due-soon reports to TTHC_NOTIFY")
    remind.add_argument("--raw-dir", help=RAW_DIR_HELP)
    remind.add_argument("--warehouse", help=WAREHOUSE_HELP)
    remind.add_argument("--target", choices=TARGETS, help=TARGET_HELP)
    remind.set_defaults(func=cmd_remind)

    withdraw = sub.add_parser(
        "withdraw", help="take a report out of the marts (its files' history is kept); a run records it")
    withdraw.add_argument("dataset")
    withdraw.add_argument("province", help="two-digit province code, as in the report's file name")
    withdraw.add_argument("period", help="YYYY, YYYY-H1, YYYY-Q3 or YYYY-MM, as in the report's file name")
    withdraw.add_argument("--reason", required=True, help="why, for the record")
    withdraw.add_argument("--raw-dir", help=RAW_DIR_HELP)
    withdraw.add_argument("--warehouse", help=WAREHOUSE_HELP)
    withdraw.add_argument("--target", choices=TARGETS, help=TARGET_HELP)
    withdraw.set_defaults(func=cmd_withdraw)

    access = sub.add_parser("access", help="read access to the PostgreSQL target's marts, by role and province")
    access_sub = access.add_subparsers(dest="action", required=True)
    grant = access_sub.add_parser("grant", help="let an existing role read marts (with --province: its province's rows)")
    grant.add_argument("role")
    grant.add_argument("--province", help="two-digit code: the role reads this province's rows of the unit-level marts")
    revoke = access_sub.add_parser("revoke", help="take a role's read access away")
    revoke.add_argument("role")
    access.set_defaults(func=cmd_access)

    add = sub.add_parser("add", help="take in a report file with any name, under its canonical name in the raw directory")
    add.add_argument("file")
    add.add_argument("--dataset", required=True, help="dossier_results, procedure_inventory, online_services, ...")
    add.add_argument("--province", required=True, help="two-digit province code valid at the end of the period")
    add.add_argument("--period", required=True, help="YYYY, YYYY-H1, YYYY-Q3 or YYYY-MM")
    add.add_argument("--revision", type=int, default=0, help="revision number of a corrected report (default 0)")
    add.add_argument("--raw-dir", help=RAW_DIR_HELP)
    add.set_defaults(func=cmd_add)

    results = sub.add_parser("results", help="the last run's tests and findings, whatever its outcome")
    results.add_argument("--history", action="store_true",
                         help="tests and findings over the published runs: new, chronic or resolved, and since when")
    results.add_argument("--warehouse", help=WAREHOUSE_HELP)
    results.add_argument("--target", choices=TARGETS, help=TARGET_HELP)
    results.set_defaults(func=cmd_results)

    query = sub.add_parser("query", help="run SQL read-only against the published warehouse")
    query.add_argument("sql")
    query.add_argument("--format", choices=list(FORMATS), default="table")
    query.add_argument("--output", help="write to this file instead of the terminal (required for xlsx)")
    query.add_argument("--timeout", type=float, default=300.0, help="seconds before the query is stopped (default 300)")
    query.add_argument("--warehouse", help=WAREHOUSE_HELP)
    query.set_defaults(func=cmd_query)

    report = sub.add_parser("report", help="the report site's tables from the last run: the site again, or a workbook")
    report.add_argument("--format", choices=("html", "xlsx"), default="html",
                        help="html: the site (default: warehouse/report/); xlsx: one sheet per table, print-ready")
    report.add_argument("--output", help="the site's folder (html) or the workbook's file (xlsx)")
    report.add_argument("--warehouse", help=WAREHOUSE_HELP)
    report.set_defaults(func=cmd_report)

    metrics = sub.add_parser("metrics", help="indicators from the metrics layer, by any dimensions, read-only")
    metrics.add_argument("--metrics", help="comma-separated metric names, e.g. dossier_on_time_rate,dossiers_received")
    metrics.add_argument("--group-by", help="comma-separated dimensions: province, province_2025, period, period_type, "
                                            "dataset, indicator, metric_time__year, ...")
    metrics.add_argument("--where", help="a MetricFlow filter, e.g. \"{{ Dimension('indicator_part__province') }} = '22'\"")
    metrics.add_argument("--list", action="store_true", help="list the metrics and dimensions")
    metrics.add_argument("--format", choices=list(FORMATS), default="table")
    metrics.add_argument("--output", help="write to this file instead of the terminal (required for xlsx)")
    metrics.add_argument("--timeout", type=float, default=300.0, help="seconds before the query is stopped (default 300)")
    metrics.add_argument("--warehouse", help=WAREHOUSE_HELP)
    metrics.set_defaults(func=cmd_metrics)

    shell = sub.add_parser("shell", help="interactive read-only SQL prompt on the published warehouse")
    shell.add_argument("--timeout", type=float, default=300.0, help="seconds before a statement is stopped (default 300)")
    shell.add_argument("--warehouse", help=WAREHOUSE_HELP)
    shell.set_defaults(func=cmd_shell)

    docs = sub.add_parser("docs", help="the dbt docs of the published warehouse")
    docs_sub = docs.add_subparsers(dest="docs_command", required=True)
    docs_serve = docs_sub.add_parser("serve", help="serve the docs page on localhost")
    docs_serve.add_argument("--port", type=int, default=8080)
    docs_serve.add_argument("--warehouse", help=WAREHOUSE_HELP)
    docs_serve.set_defaults(func=cmd_docs_serve)

    serve = sub.add_parser("serve", help="serve the scheduled runs to a Prefect server (prefect server start first)")
    serve.add_argument("--nightly-cron", default=NIGHTLY_CRON, help=f"nightly run, Asia/Ho_Chi_Minh time (default '{NIGHTLY_CRON}')")
    serve.add_argument("--cutoff-cron", default=CUTOFF_CRON, help=f"run after each cut-off (default '{CUTOFF_CRON}')")
    serve.add_argument("--raw-dir", help=RAW_DIR_HELP)
    serve.add_argument("--warehouse", help=WAREHOUSE_HELP)
    serve.add_argument("--target", choices=TARGETS, help=TARGET_HELP)
    serve.set_defaults(func=cmd_serve)
    deploy = sub.add_parser("deploy", help="register the scheduled runs on a Prefect work pool (process) for workers")
    deploy.add_argument("--pool", required=True, help="work pool name (created, of type process, if missing)")
    deploy.add_argument("--nightly-cron", default=NIGHTLY_CRON, help=f"nightly run, Asia/Ho_Chi_Minh time (default '{NIGHTLY_CRON}')")
    deploy.add_argument("--cutoff-cron", default=CUTOFF_CRON, help=f"run after each cut-off (default '{CUTOFF_CRON}')")
    deploy.add_argument("--raw-dir", help=RAW_DIR_HELP)
    deploy.add_argument("--warehouse", help=WAREHOUSE_HELP)
    deploy.add_argument("--target", choices=TARGETS, help=TARGET_HELP)
    deploy.set_defaults(func=cmd_deploy)
    demo = sub.add_parser("demo-data", help="write synthetic record-level dossier exports (marked synthetic)")
    demo.add_argument("--provinces", default="22", help="comma-separated province codes (default 22)")
    demo.add_argument("--year", type=int, default=2020)
    demo.add_argument("--months", type=_months, default=list(range(1, 13)), help="e.g. 1-12 (default), 3, 1,2,3")
    demo.add_argument("--rows-per-year", type=int, default=100_000, help="per province, when not calibrated")
    demo.add_argument("--calibrate", help="a year's RECEIVED,EARLY,ON_TIME,LATE to match exactly, "
                                          "e.g. 1191036,506606,616726,2887 (Quảng Ninh 2020)")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--out", default="demo", help="folder to write <out>/dossiers/ into (default demo/; never raw/)")
    demo.set_defaults(func=cmd_demo_data)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SettingsError as err:  # every command: an unknown target, a missing TTHC_POSTGRES_URL
        print(f"tthc {args.command}: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
