"""`tthc results`, `report`, `query`, `metrics` and `shell`: the commands that read the published warehouse."""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from tthc.cli.words import both, say
from tthc.settings import Settings, load_settings


def _last_record(command: str, settings: Settings, timeout_s: float) -> dict | None:
    """The last run's record: from the run records beside the warehouse, or, where the readers are
    on other machines (PostgreSQL), read from the last publish as the user's own role. None, said,
    when there is none or it cannot be read."""
    from tthc.runs.runlog import latest_run_log
    from tthc.warehouse import target_for

    target = target_for(settings)
    if target.readers_remote:
        from tthc.runs.published import published_record
        from tthc.warehouse.base import QueryTimeout

        try:
            with target.reader(timeout_s) as reader:
                record = published_record(reader, target.name)
        except (*target.read_errors, QueryTimeout) as err:
            print(f"tthc {command}: {err}", file=sys.stderr)
            return None
        where = both("kho dữ liệu", "the warehouse")
    else:
        record, where = latest_run_log(settings), str(settings.runs_dir)
    if record is None:
        say(command, f"chưa có lần chạy nào trong {where}; chạy `tthc run` trước",
            f"no run recorded in {where}; run `tthc run` first")
    return record


def cmd_results(args: argparse.Namespace) -> int:
    from tthc.warehouse import target_for

    settings = load_settings(warehouse=args.warehouse, target=args.target, postgres_url=args.url)
    if args.history:
        return _results_history(settings)
    record = _last_record("results", settings, args.timeout)
    if record is None:
        return 1
    target = target_for(settings)
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
    if not target.readers_remote:
        print(f"Report page: {settings.report_page}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """The report site's tables, from the last run's record: the site (html), a workbook (xlsx),
    or the overview or a province's page printed to PDF. On PostgreSQL, from the last publish as
    the user's own role: a province role's site shows its own rows and the open marts."""
    settings = load_settings(warehouse=args.warehouse, target=args.target, postgres_url=args.url)
    record = _last_record("report", settings, args.timeout)
    if record is None:
        return 1
    if args.format in ("xlsx", "pdf") and not args.output:
        say("report", f"--format {args.format} cần --output TỆP", f"--format {args.format} needs --output FILE")
        return 1
    if args.format == "xlsx":
        from tthc.report.workbook import write_report_workbook

        written = write_report_workbook(record, Path(args.output))
    elif args.format == "pdf":
        written = _report_pdf(record, args.province, Path(args.output))
        if written is None:
            return 1
    else:
        from tthc.report.site import write_site

        site = Path(args.output) if args.output else settings.report_dir
        write_site(record, site)
        written = site / "index.html"
    print(f"Đã ghi / wrote {written} ({both('lần chạy', 'run')} {record['run_id']})")
    return 0


def _report_pdf(record: dict, province: str | None, output: Path) -> Path | None:
    """The overview, or a province's page, of the site written afresh from `record`, printed to PDF."""
    import tempfile

    from tthc.report.pdf import PdfError, print_pdf
    from tthc.report.site import write_site

    with tempfile.TemporaryDirectory(prefix="tthc-site-") as folder:
        write_site(record, Path(folder))
        overview = Path(folder) / "index.html"
        page = overview if province is None else overview.parent / "provinces" / f"{province}.html"
        if not page.exists():
            say("report", f"không có trang của tỉnh {province} trong lần chạy này",
                f"no page for province {province} in this run")
            return None
        try:
            return print_pdf(page, output)
        except PdfError as err:
            print(f"tthc report: {err}", file=sys.stderr)
            return None


def _results_history(settings: Settings) -> int:
    """Tests and findings over the published runs (marts.test_history, marts.finding_history)."""
    from tthc.runs.history import FINDING_HISTORY_SQL, TEST_HISTORY_SQL, history_lines
    from tthc.warehouse import connect_published
    from tthc.warehouse.base import rows_as_dicts

    con = connect_published(settings)
    if con is None:
        say("results", f"không có kho dữ liệu tại {settings.warehouse}; chạy `tthc run` trước",
            f"no warehouse at {settings.warehouse}; run `tthc run` first")
        return 1
    try:
        tests, findings = rows_as_dicts(con, TEST_HISTORY_SQL), rows_as_dicts(con, FINDING_HISTORY_SQL)
    finally:
        con.close()
    print("\n".join(history_lines(tests, findings)))
    return 0


def _published_warehouse(args: argparse.Namespace) -> Settings | None:
    """The settings of a published warehouse (the DuckDB file, or the PostgreSQL database as the
    user's own role), or None after telling the user to run first."""
    from tthc.warehouse import target_for

    settings = load_settings(warehouse=args.warehouse, target=getattr(args, "target", None),
                             postgres_url=getattr(args, "url", None))
    if target_for(settings).may_be_published():
        return settings
    say(args.command, f"không có kho dữ liệu tại {settings.warehouse}; chạy `tthc run` trước",
        f"no warehouse at {settings.warehouse}; run `tthc run` first")
    return None


def _overrun(command: str, timeout_s: float) -> Callable[[], None]:
    """What a query that ignores its interrupt gets: the process ends, saying so (exit code 2)."""

    def stop() -> None:
        say(command, f"câu truy vấn chạy quá {timeout_s:g} giây và không dừng khi được yêu cầu; lệnh đã kết thúc",
            f"the query ran longer than {timeout_s:g} s and did not stop when asked; the command was ended")
        os._exit(2)

    return stop


def cmd_query(args: argparse.Namespace) -> int:
    if (settings := _published_warehouse(args)) is None:
        return 1
    return _answer(args, settings, args.sql)


def cmd_metrics(args: argparse.Namespace) -> int:
    """The indicators from the metrics layer, on the same terms as `tthc query`."""
    from tthc.query.metrics import MetricsError, load_semantic_manifest, metrics_sql

    if (settings := _published_warehouse(args)) is None:
        return 1
    layer = settings.semantic_manifest
    if not layer.exists():
        say("metrics", f"không có lớp số đo tại {layer}; một lần `tthc run` thành công sẽ công bố nó",
            f"no metrics layer at {layer}; a successful `tthc run` publishes it")
        return 1
    manifest = load_semantic_manifest(layer)
    if args.list:
        from tthc.query.metrics import dimension_names

        print("metrics: " + ", ".join(sorted(m.name for m in manifest.metrics)))
        print("dimensions: " + ", ".join(sorted(dimension_names(manifest))))
        return 0
    if not args.metrics:
        say("metrics", "nêu tên số đo (--metrics M[,M...]) hoặc --list", "name the metrics (--metrics M[,M...]), or --list them")
        return 1
    try:
        sql = metrics_sql(manifest, _names(args.metrics), _names(args.group_by), args.where, settings.target)
    except MetricsError as err:
        print(f"tthc metrics: {err}", file=sys.stderr)
        return 1
    return _answer(args, settings, sql)


def _names(text: str | None) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def _answer(args: argparse.Namespace, settings: Settings, sql: str) -> int:
    """Run SQL read-only on the published warehouse (on PostgreSQL, as the user's own role) and
    write the result as asked."""
    from tthc.query.sql import write_result
    from tthc.warehouse import target_for
    from tthc.warehouse.base import QueryTimeout

    target = target_for(settings)
    try:
        with target.reader(args.timeout, _overrun(args.command, args.timeout)) as reader, reader.result(sql) as result:
            write_result(result, args.format, sys.stdout, Path(args.output) if args.output else None)
    except QueryTimeout as err:
        print(f"tthc {args.command}: {err}", file=sys.stderr)
        return 2
    except (*target.read_errors, ValueError, OSError) as err:
        print(f"tthc {args.command}: {err}", file=sys.stderr)
        return 1
    return 0


def cmd_shell(args: argparse.Namespace) -> int:
    """An interactive SQL prompt on the same terms as `tthc query`: read-only, no files outside
    (DuckDB) or the user's own role (PostgreSQL), a time limit."""
    from tthc.query.shell import run_shell

    if (settings := _published_warehouse(args)) is None:
        return 1
    return run_shell(settings, args.timeout, _overrun(args.command, args.timeout))
