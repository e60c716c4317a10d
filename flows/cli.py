"""The `tthc` command: parses arguments, calls flows, prints summaries."""

from __future__ import annotations

import argparse
import http.server
import posixpath
import signal
import sys
import urllib.parse
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flows.query import FORMATS
from flows.settings import CUTOFF_CRON, NIGHTLY_CRON, TARGETS, Settings, SettingsError, load_settings

WAREHOUSE_HELP = "published DuckDB file (default warehouse/tthc.duckdb, or TTHC_WAREHOUSE)"
RAW_DIR_HELP = "directory of report files (default raw/, or TTHC_RAW_DIR)"
TARGET_HELP = "where the warehouse lives: duckdb (default, or TTHC_TARGET) or postgres (TTHC_POSTGRES_URL)"


def cmd_run(args: argparse.Namespace) -> int:
    from flows.changes import new_exports, project_hash, raw_files, unchanged_since_publish
    from flows.ingest.read import hash_ahead
    from flows.publish import RunInProgress, remove_work, writer_lock

    settings = load_settings(args.raw_dir, args.warehouse, args.target)
    try:
        # Nothing new: say so without starting Prefect (the flow makes the same check for scheduled runs).
        with writer_lock(settings):
            remove_work(settings)  # a dead run's working copy, before anything else
            now = raw_files(settings.raw_dir)
            unchanged = None if args.full_refresh else unchanged_since_publish(settings, now, project_hash())
        if unchanged is not None:
            print(unchanged.message())
            return unchanged.exit_code
    except RunInProgress as err:
        print(f"tthc run: {err}", file=sys.stderr)
        return 1
    ahead = hash_ahead(settings.raw_dir, new_exports(settings, now))  # while Prefect imports and starts
    return _run_flow("run", args, full_refresh=args.full_refresh, ahead=ahead, target=settings.target)


def _run_flow(command: str, args: argparse.Namespace, **options: Any) -> int:
    """Run the pipeline flow, print its summary, and return its exit code."""
    from flows.pipeline import run_pipeline
    from flows.publish import RunInProgress
    from flows.runlog import run_record
    from flows.summary import summary_lines

    try:
        outcome = run_pipeline(raw_dir=args.raw_dir, warehouse=args.warehouse, **options)
    except RunInProgress as err:
        print(f"tthc {command}: {err}", file=sys.stderr)
        return 1
    except Exception as err:  # the flow wrote its run record (`tthc results`) before failing
        print(f"tthc {command}: the run failed: {type(err).__name__}: {err} (`tthc results` shows what it did)", file=sys.stderr)
        return 1
    print("\n".join(summary_lines(run_record(outcome))))
    return outcome.exit_code


def cmd_remind(args: argparse.Namespace) -> int:
    from flows.notify import notify_urls
    from flows.remind import remind

    if not notify_urls():
        print("tthc remind: set TTHC_NOTIFY to one or more Apprise URLs (mailto://…, json://…)", file=sys.stderr)
        return 1
    load_settings(args.raw_dir, args.warehouse, args.target)  # usable settings, before Prefect starts
    try:
        errors = remind(raw_dir=args.raw_dir, warehouse=args.warehouse, target=args.target)
    except Exception as err:  # the run failed: its record says why
        print(f"tthc remind: the run failed: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    for error in errors:
        print(f"tthc remind: not delivered: {error}", file=sys.stderr)
    if not errors:
        print(f"digest sent to {len(notify_urls())} address(es) in TTHC_NOTIFY")
    return 1 if errors else 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    from flows.withdraw import Withdrawal, check_withdrawal

    settings = load_settings(args.raw_dir, args.warehouse, args.target)
    withdrawal = Withdrawal(args.dataset, args.province, args.period, args.reason.strip())
    if not withdrawal.reason:
        print("tthc withdraw: say why with --reason", file=sys.stderr)
        return 1
    problem = check_withdrawal(settings, withdrawal)
    if problem:
        print(f"tthc withdraw: {problem}", file=sys.stderr)
        return 1
    return _run_flow("withdraw", args, withdrawal=withdrawal, target=settings.target)


def cmd_access(args: argparse.Namespace) -> int:
    import os

    from flows import access, postgres

    url = os.environ.get("TTHC_POSTGRES_URL")
    if not url:
        print("tthc access: read access is managed on the PostgreSQL target: set TTHC_POSTGRES_URL", file=sys.stderr)
        return 1
    con = postgres.connect(url)
    try:
        if args.action == "grant":
            access.grant(con, args.role, args.province)
            scope = f"the rows of province {args.province} in the unit-level marts" if args.province else "all of marts"
            print(f"{args.role} reads {scope}")
        else:
            access.revoke(con, args.role)
            print(f"{args.role} reads nothing of the warehouse")
    except access.AccessError as err:
        print(f"tthc access: {err}", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


def cmd_add(args: argparse.Namespace) -> int:
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
    from flows.runlog import latest_run_log

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
    from flows.runlog import latest_run_log

    settings = load_settings(warehouse=args.warehouse)
    record = latest_run_log(settings)
    if record is None:
        print(f"tthc report: no run recorded under {settings.runs_dir}; run `tthc run` first", file=sys.stderr)
        return 1
    if args.format == "xlsx":
        from flows.report_xlsx import write_report_workbook

        if not args.output:
            print("tthc report: --format xlsx needs --output FILE.xlsx", file=sys.stderr)
            return 1
        written = write_report_workbook(record, Path(args.output))
    else:
        from flows.site import write_site

        written = write_site(record, Path(args.output) if args.output else settings.report_dir)
    print(f"wrote {written} (run {record['run_id']})")
    return 0


def _results_history(settings: Settings) -> int:
    """Tests and findings over the published runs (marts.test_history, marts.finding_history)."""
    from flows.history import FINDING_HISTORY_SQL, TEST_HISTORY_SQL, history_lines
    from flows.warehouse import connect_published, rows_as_dicts

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
    from flows.metrics import MetricsError, load_semantic_manifest, metrics_sql

    if (warehouse := _published_warehouse(args)) is None:
        return 1
    layer = load_settings(warehouse=args.warehouse).semantic_manifest
    if not layer.exists():
        print(f"tthc metrics: no metrics layer at {layer}; a successful `tthc run` publishes it", file=sys.stderr)
        return 1
    manifest = load_semantic_manifest(layer)
    if args.list:
        from flows.metrics import dimension_names

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

    from flows.query import QueryTimeout, query_warehouse, write_result

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
    import duckdb

    from flows.query import QueryTimeout, run_sql, write_table
    from flows.warehouse import connect_read_only

    if (warehouse := _published_warehouse(args)) is None:
        return 1
    con = connect_read_only(warehouse)
    print(f"{warehouse} (read-only). End statements with ';'. Ctrl-D to quit.")
    buffer: list[str] = []
    try:
        while True:
            try:
                line = input("tthc> " if not buffer else "  ... ")
            except EOFError:
                print()
                return 0
            except KeyboardInterrupt:  # Ctrl-C at the prompt drops the statement being typed
                print("^C")
                buffer = []
                continue
            buffer.append(line)
            if not line.rstrip().endswith(";"):
                continue
            sql, buffer = "\n".join(buffer), []
            # Ctrl-C while a query runs stops the query, not the shell.
            previous = signal.signal(signal.SIGINT, lambda *_: con.interrupt())
            try:
                with run_sql(con, sql, args.timeout) as result:
                    write_table(result, sys.stdout)
            except duckdb.InterruptException:
                print("query interrupted (Ctrl-C)", flush=True)
            except (QueryTimeout, duckdb.Error) as err:
                print(f"error: {err}", flush=True)
            finally:
                signal.signal(signal.SIGINT, previous)
    finally:
        con.close()


def cmd_docs_serve(args: argparse.Namespace) -> int:
    import functools

    settings = load_settings(warehouse=args.warehouse)
    docs = settings.docs_page
    if not docs.exists():
        print(f"tthc docs serve: no docs at {docs}; a successful `tthc run` publishes them", file=sys.stderr)
        return 1
    handler = functools.partial(_SiteHandler, directory=str(settings.warehouse.parent))
    with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler) as server:
        root = f"http://127.0.0.1:{server.server_address[1]}"
        print(f"dbt docs of {settings.warehouse} on {root}/docs/ (Ctrl-C to stop)", flush=True)
        print(f"report site on {root}/report/", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the docs and the report site beside the warehouse, and nothing else there (not the
    warehouse file, not the run logs); / leads to the report site."""

    SERVED = ("docs", "report")

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        if self._allowed():
            super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802
        if self._allowed():
            super().do_HEAD()

    def _allowed(self) -> bool:
        # the path as the handler will resolve it (decoded, dot segments gone): /report/../x is /x
        path = posixpath.normpath(urllib.parse.unquote(self.path.split("?", 1)[0].split("#", 1)[0]))
        first = path.lstrip("/").split("/", 1)[0]
        if first in self.SERVED:
            return True
        if first == "":
            self.send_response(302)
            self.send_header("Location", "/report/")
            self.end_headers()
        else:
            self.send_error(404, "only /docs/ and /report/ are served")
        return False


def cmd_serve(args: argparse.Namespace) -> int:
    from prefect import serve

    from flows.schedule import deployments

    settings = load_settings(raw_dir=args.raw_dir, warehouse=args.warehouse, target=args.target)
    _failure_automation()
    serve(*deployments(settings, nightly_cron=args.nightly_cron, cutoff_cron=args.cutoff_cron))
    return 0


def _failure_automation() -> None:
    """With TTHC_NOTIFY set, the Prefect automation that reports failed or crashed runs."""
    from flows.alert_block import AUTOMATION_NAME, create_failure_automation
    from flows.notify import notify_urls

    if urls := notify_urls():
        create_failure_automation(urls)
        print(f"Prefect automation {AUTOMATION_NAME!r}: failed or crashed runs go to TTHC_NOTIFY ({len(urls)} address(es))")


def cmd_deploy(args: argparse.Namespace) -> int:
    from flows.schedule import deploy_to_pool

    settings = load_settings(raw_dir=args.raw_dir, warehouse=args.warehouse, target=args.target)
    try:
        ids = deploy_to_pool(settings, args.pool, nightly_cron=args.nightly_cron, cutoff_cron=args.cutoff_cron)
        _failure_automation()
    except ValueError as err:
        print(f"tthc deploy: {err}", file=sys.stderr)
        return 1
    print(f"{len(ids)} deployments (tthc-run/nightly, tthc-run/after-cutoff, tthc-remind/remind) on work pool "
          f"{args.pool!r}; run them with: prefect worker start --pool {args.pool}")
    return 0


def _months(text: str) -> list[int]:
    """"1-12", "3" or "1,2,3" → month numbers."""
    months: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        months += range(int(low), int(high or low) + 1)
    if not months or not all(1 <= m <= 12 for m in months):
        raise argparse.ArgumentTypeError(f"months must be between 1 and 12: {text}")
    return months


def cmd_demo_data(args: argparse.Namespace) -> int:
    from flows.demo import Calibration, write_demo_data

    calibration = None
    if args.calibrate:
        try:
            received, early, on_time, late = (int(x.replace(".", "").replace("_", "")) for x in args.calibrate.split(","))
            calibration = Calibration(received, early, on_time, late)
        except ValueError as err:
            print(f"tthc demo-data: --calibrate RECEIVED,EARLY,ON_TIME,LATE: {err}", file=sys.stderr)
            return 1
    paths = write_demo_data(Path(args.out), args.provinces.split(","), args.year, args.months, args.seed,
                            calibration, args.rows_per_year)
    print(f"wrote {len(paths)} synthetic files (synthetic = true on every row) under {Path(args.out) / 'dossiers'}")
    return 0


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
