"""The `tthc` command: its parser; each command lives in runs.py, read.py or operations.py."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tthc.cli import words
from tthc.cli.console import quiet_prefect
from tthc.cli.intake import cmd_intake
from tthc.cli.operations import _months, cmd_access, cmd_demo_data, cmd_deploy, cmd_docs_serve, cmd_serve
from tthc.cli.read import cmd_metrics, cmd_query, cmd_report, cmd_results, cmd_shell
from tthc.cli.runs import cmd_add, cmd_capture766, cmd_remind, cmd_run, cmd_withdraw
from tthc.cli.units import cmd_compile, cmd_units_from_766
from tthc.cli.words import both
from tthc.query.sql import FORMATS
from tthc.runs.calendar import RunDateError, as_of_date
from tthc.settings import NIGHTLY_CRON, TARGETS, SettingsError, cutoff_cron, load_settings

# Commands that start a run, on the run's date (TTHC_AS_OF or today).
DATED_COMMANDS = ("run", "remind", "withdraw", "serve", "deploy", "capture766")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tthc",
        description=both("Kho dữ liệu TTHC: nạp báo cáo của các tỉnh, tính chỉ tiêu, phát hiện số liệu mâu thuẫn.",
                         "TTHC Warehouse: load provinces' reports, compute the indicators, flag contradictions."),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH/COMMAND")

    def command(name: str, vi: str, en: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=both(vi, en), description=both(vi, en))

    def run_options(p: argparse.ArgumentParser, raw: bool = True, target: bool = True) -> None:
        if raw:
            p.add_argument("--raw-dir", help=words.RAW_DIR)
        p.add_argument("--warehouse", help=words.WAREHOUSE)
        if target:
            p.add_argument("--target", choices=TARGETS, help=words.TARGET)

    run = command("run", "nạp tệp mới, dựng và kiểm thử các bảng, công bố kho dữ liệu",
                  "load raw files, build and test the marts, publish the warehouse")
    run_options(run)
    run.add_argument("--full-refresh", action="store_true",
                     help=both("dựng lại mọi nút dbt", "build every dbt node, not only those downstream of what changed"))
    run.add_argument("-v", "--verbose", action="store_true", help=words.VERBOSE)
    run.set_defaults(func=cmd_run)

    remind = command("remind", "một lần chạy, rồi gửi bản tổng hợp báo cáo quá hạn và sắp đến hạn tới TTHC_NOTIFY",
                     "a run, then the digest of overdue and due-soon reports to TTHC_NOTIFY")
    run_options(remind)
    remind.add_argument("-v", "--verbose", action="store_true", help=words.VERBOSE)
    remind.set_defaults(func=cmd_remind)

    withdraw = command("withdraw", "rút một báo cáo khỏi các bảng (lịch sử tệp vẫn giữ); một lần chạy ghi nhận việc này",
                       "take a report out of the marts (its files' history is kept); a run records it")
    withdraw.add_argument("dataset", help=both("bộ dữ liệu", "dataset"))
    withdraw.add_argument("province", help=both("mã tỉnh hai chữ số, như trong tên tệp", "two-digit province code, as in the file name"))
    withdraw.add_argument("period", help=both("YYYY, YYYY-H1, YYYY-Q3 hoặc YYYY-MM, như trong tên tệp",
                                              "YYYY, YYYY-H1, YYYY-Q3 or YYYY-MM, as in the file name"))
    withdraw.add_argument("--unit", help=both("mã đơn vị, để rút báo cáo của một đơn vị (raw/units/…)",
                                              "a unit's code, to withdraw one unit's report (raw/units/…)"))
    withdraw.add_argument("--reason", required=True, help=both("lý do, để lưu hồ sơ", "why, for the record"))
    run_options(withdraw)
    withdraw.add_argument("-v", "--verbose", action="store_true", help=words.VERBOSE)
    withdraw.set_defaults(func=cmd_withdraw)

    capture = command("capture766", "lấy Bộ chỉ số 766 từ Cổng dịch vụ công quốc gia, rồi một lần chạy",
                      "capture the Decision 766 index from the national portal, then a run")
    capture.add_argument("--province", nargs="+", help=both(
        "mã tỉnh chính thức (mặc định TTHC_766_PROVINCES, hoặc mọi tỉnh của tệp toàn quốc)",
        "official province codes (default TTHC_766_PROVINCES, or every province of the national file)"))
    capture.add_argument("--period", nargs="+", help=both(
        "year, quarter, month (kỳ hiện tại) hoặc 2026, 2026-Q3, 2026-08; mặc định cả ba kỳ hiện tại",
        "year, quarter, month (the current ones) or 2026, 2026-Q3, 2026-08; default the three current ones"))
    run_options(capture)
    capture.add_argument("-v", "--verbose", action="store_true", help=words.VERBOSE)
    capture.set_defaults(func=cmd_capture766)

    access = command("access", "quyền đọc các bảng trên PostgreSQL, theo vai trò và tỉnh",
                     "read access to the PostgreSQL target's marts, by role and province")
    access_sub = access.add_subparsers(dest="action", required=True)
    grant = access_sub.add_parser("grant", help=both("cho một vai trò có sẵn đọc các bảng (với --province: chỉ dòng của tỉnh đó)",
                                                     "let an existing role read marts (with --province: its province's rows)"))
    grant.add_argument("role", help=both("vai trò PostgreSQL", "PostgreSQL role"))
    grant.add_argument("--province", help=both("mã hai chữ số: vai trò chỉ đọc dòng của tỉnh này",
                                               "two-digit code: the role reads this province's rows only"))
    revoke = access_sub.add_parser("revoke", help=both("thu hồi quyền đọc của một vai trò", "take a role's read access away"))
    revoke.add_argument("role", help=both("vai trò PostgreSQL", "PostgreSQL role"))
    access.set_defaults(func=cmd_access)

    add = command("add", "nhận một tệp báo cáo tên bất kỳ, đặt vào thư mục báo cáo với tên chuẩn",
                  "take in a report file with any name, under its canonical name in the raw directory")
    add.add_argument("file", help=both("tệp nhận được", "the file received"))
    add.add_argument("--dataset", required=True, help="dossier_results, procedure_inventory, online_services, …")
    add.add_argument("--province", required=True, help=both("mã tỉnh còn hiệu lực vào cuối kỳ", "province code valid at the end of the period"))
    add.add_argument("--period", required=True, help="YYYY, YYYY-H1, YYYY-Q3, YYYY-MM")
    add.add_argument("--revision", type=int, default=0, help=both("số lần sửa của báo cáo (mặc định 0)", "revision of a corrected report (default 0)"))
    add.add_argument("--raw-dir", help=words.RAW_DIR)
    add.set_defaults(func=cmd_add)

    intake = command("intake", "nhận tệp báo cáo tên bất kỳ: nhận biết biểu, tỉnh và kỳ từ nội dung, lưu với tên chuẩn hoặc giữ lại kèm lý do",
                     "take in report files with any name: tell the form, province and period from their content, "
                     "file them under their canonical names or hold them with the reason")
    intake.add_argument("files", nargs="*", metavar="FILE", help=both("các tệp nhận được", "the files received"))
    intake.add_argument("--mailbox", action="store_true", help=both(
        "đọc hộp thư TTHC_MAILBOX ngay: nhận tệp đính kèm, chạy nếu có tệp mới, gửi thư báo nhận",
        "read the mailbox TTHC_MAILBOX now: take in the attachments, run when something was filed, send the receipts"))
    intake.add_argument("--held", action="store_true", help=both(
        "liệt kê các tệp đính kèm đang giữ lại trong inbox/ và lý do", "list the attachments held in inbox/, with why"))
    intake.add_argument("--raw-dir", help=words.RAW_DIR)
    intake.add_argument("--warehouse", help=words.WAREHOUSE)
    intake.add_argument("-v", "--verbose", action="store_true", help=words.VERBOSE)
    intake.add_argument("--sender", help=both("địa chỉ thư người gửi (tìm tỉnh trong danh bạ)",
                                              "the sender's address (its province from the contacts)"))
    intake.add_argument("--contacts", help=both("danh bạ CSV province_code,email (mặc định contacts.csv cạnh thư mục báo cáo)",
                                                "contacts CSV of province_code,email (default contacts.csv beside the raw directory)"))
    intake.add_argument("--format", choices=("text", "json"), default="text", help=words.FORMAT)
    intake.set_defaults(func=cmd_intake)

    results = command("results", "kiểm thử và phát hiện của lần chạy gần nhất, dù kết quả thế nào",
                      "the last run's tests and findings, whatever its outcome")
    results.add_argument("--history", action="store_true", help=both(
        "kiểm thử và phát hiện qua các lần công bố: mới, kéo dài hay đã hết, từ khi nào",
        "tests and findings over the published runs: new, chronic or resolved, and since when"))
    run_options(results, raw=False)
    results.add_argument("--url", help=words.URL)
    results.add_argument("--timeout", type=float, default=300, help=words.TIMEOUT)
    results.set_defaults(func=cmd_results)

    query = command("query", "chạy SQL chỉ đọc trên kho dữ liệu đã công bố", "run SQL read-only against the published warehouse")
    query.add_argument("sql")
    query.add_argument("--format", choices=list(FORMATS), default="table", help=words.FORMAT)
    query.add_argument("--output", help=words.OUTPUT)
    query.add_argument("--timeout", type=float, default=300.0, help=words.TIMEOUT)
    query.add_argument("--warehouse", help=words.WAREHOUSE)
    query.add_argument("--target", choices=TARGETS, help=words.TARGET)
    query.add_argument("--url", help=words.URL)
    query.set_defaults(func=cmd_query)

    report = command("report", "các bảng của trang báo cáo từ lần chạy gần nhất: trang web, sổ tính hoặc PDF",
                     "the report site's tables from the last run: the site again, a workbook or a PDF")
    report.add_argument("--format", choices=("html", "xlsx", "pdf"), default="html", help=both(
        "html: trang web (mặc định warehouse/report/); xlsx: mỗi bảng một trang tính; pdf: in qua Chromium",
        "html: the site (default warehouse/report/); xlsx: a sheet per table, print-ready; pdf: printed by Chromium"))
    report.add_argument("--output", help=both("thư mục trang web (html) hoặc tệp (xlsx, pdf)", "the site's folder (html) or the file (xlsx, pdf)"))
    report.add_argument("--province", help=both("với pdf: trang của tỉnh này thay vì trang tổng quan",
                                                "with pdf: this province's page rather than the overview"))
    run_options(report, raw=False)
    report.add_argument("--url", help=words.URL)
    report.add_argument("--timeout", type=float, default=300, help=words.TIMEOUT)
    report.set_defaults(func=cmd_report)

    metrics = command("metrics", "chỉ tiêu từ lớp số đo, theo bất kỳ chiều nào, chỉ đọc",
                      "indicators from the metrics layer, by any dimensions, read-only")
    metrics.add_argument("--metrics", help=both("tên số đo, cách nhau bằng dấu phẩy", "comma-separated metric names"))
    metrics.add_argument("--group-by", help=both("các chiều: province, province_2025, period, …",
                                                 "dimensions: province, province_2025, period, period_type, dataset, …"))
    metrics.add_argument("--where", help=both("bộ lọc MetricFlow", "a MetricFlow filter") +
                         ", e.g. \"{{ Dimension('indicator_part__province') }} = '22'\"")
    metrics.add_argument("--list", action="store_true", help=both("liệt kê số đo và chiều", "list the metrics and dimensions"))
    metrics.add_argument("--format", choices=list(FORMATS), default="table", help=words.FORMAT)
    metrics.add_argument("--output", help=words.OUTPUT)
    metrics.add_argument("--timeout", type=float, default=300.0, help=words.TIMEOUT)
    metrics.add_argument("--warehouse", help=words.WAREHOUSE)
    metrics.add_argument("--target", choices=TARGETS, help=words.TARGET)
    metrics.add_argument("--url", help=words.URL)
    metrics.set_defaults(func=cmd_metrics)

    shell = command("shell", "dấu nhắc SQL chỉ đọc trên kho dữ liệu đã công bố", "interactive read-only SQL prompt on the published warehouse")
    shell.add_argument("--timeout", type=float, default=300.0, help=words.TIMEOUT)
    shell.add_argument("--warehouse", help=words.WAREHOUSE)
    shell.add_argument("--target", choices=TARGETS, help=words.TARGET)
    shell.add_argument("--url", help=words.URL)
    shell.set_defaults(func=cmd_shell)

    docs = command("docs", "tài liệu dbt của kho dữ liệu đã công bố", "the dbt docs of the published warehouse")
    docs_sub = docs.add_subparsers(dest="docs_command", required=True)
    docs_serve = docs_sub.add_parser("serve", help=both("phục vụ tài liệu và trang báo cáo trên máy này",
                                                        "serve the docs and the report site on localhost"))
    docs_serve.add_argument("--port", type=int, default=8080)
    docs_serve.add_argument("--warehouse", help=words.WAREHOUSE)
    docs_serve.set_defaults(func=cmd_docs_serve)

    nightly = (both("lần chạy hằng đêm, giờ Việt Nam", "nightly run, Asia/Ho_Chi_Minh time")
               + f" ('{NIGHTLY_CRON}'; TTHC_NIGHTLY_CRON)")
    cutoff = both("lần chạy sau mỗi ngày chốt số liệu", "run after each cut-off") + f" ('{cutoff_cron()}'; TTHC_CUTOFF_CRON)"
    serve = command("serve", "phục vụ các lần chạy theo lịch cho máy chủ Prefect (chạy prefect server start trước)",
                    "serve the scheduled runs to a Prefect server (prefect server start first)")
    serve.add_argument("--nightly-cron", help=nightly)
    serve.add_argument("--cutoff-cron", help=cutoff)
    run_options(serve)
    serve.set_defaults(func=cmd_serve)
    deploy = command("deploy", "đăng ký các lần chạy theo lịch trên một work pool của Prefect",
                     "register the scheduled runs on a Prefect work pool (process) for workers")
    deploy.add_argument("--pool", required=True, help=both("tên work pool (tạo nếu chưa có)", "work pool name (created, of type process, if missing)"))
    deploy.add_argument("--nightly-cron", help=nightly)
    deploy.add_argument("--cutoff-cron", help=cutoff)
    run_options(deploy)
    deploy.set_defaults(func=cmd_deploy)
    units = command("units", "danh sách đơn vị báo cáo của một tỉnh (raw/units/<tỉnh>/units.csv)",
                    "a province's list of reporting units (raw/units/<province>/units.csv)")
    units_sub = units.add_subparsers(dest="units_command", required=True)
    from_766 = units_sub.add_parser(
        "from-766", help=both("ghi hoặc bổ sung danh sách từ các tệp 766 của tỉnh", "write or update the list from the province's 766 captures"),
        description=both("ghi hoặc bổ sung danh sách từ các tệp 766 của tỉnh (nhóm dạng cây và danh sách); dòng đã có giữ nguyên",
                         "write or update the list from the province's 766 captures (tree and list groups); rows already there are kept"))
    from_766.add_argument("files", nargs="+", metavar="FILE", help=both("tệp JSON lấy từ Cổng", "JSON captures of the portal"))
    from_766.add_argument("--province", help=both("mã tỉnh để đối chiếu", "the province code the files must be of"))
    from_766.add_argument("--raw-dir", help=words.RAW_DIR)
    from_766.set_defaults(func=cmd_units_from_766)
    compile_ = command("compile", "báo cáo của tỉnh tổng hợp từ báo cáo các đơn vị, theo mẫu biểu, để trình ký",
                       "the province's report compiled from its units' reports, in the form's layout, to be signed")
    compile_.add_argument("dataset", help=both("biểu", "form dataset") + " (dossier_results, feedback, …)")
    compile_.add_argument("period", help=both("kỳ, như trong tên tệp", "period, as in file names") + " (2020, 2021-Q3)")
    compile_.add_argument("--province", help=both("mã tỉnh (không cần khi chỉ một tỉnh có báo cáo đơn vị)",
                                                  "province code (not needed when one province only has unit reports)"))
    compile_.add_argument("--output", required=True, help=both("tệp ra, .xlsx hoặc .csv", "output file, .xlsx or .csv"))
    compile_.add_argument("--allow-missing", action="store_true",
                          help=both("vẫn ghi khi thiếu đơn vị, ghi tên trong phần ghi chú", "write it even with units missing, named in the notes"))
    compile_.add_argument("--warehouse", help=words.WAREHOUSE)
    compile_.set_defaults(func=cmd_compile)
    demo = command("demo-data", "ghi tệp hồ sơ tổng hợp giả lập (đánh dấu synthetic)",
                   "write synthetic record-level dossier exports (marked synthetic)")
    demo.add_argument("--provinces", default="22", help=both("mã tỉnh, cách nhau bằng dấu phẩy", "comma-separated province codes") + " (22)")
    demo.add_argument("--year", type=int, default=2020)
    demo.add_argument("--months", type=_months, default=list(range(1, 13)), help="1-12, 3, 1,2,3")
    demo.add_argument("--rows-per-year", type=int, default=100_000, help=both("mỗi tỉnh, khi không hiệu chỉnh", "per province, when not calibrated"))
    demo.add_argument("--calibrate", help=both("RECEIVED,EARLY,ON_TIME,LATE của một năm cần khớp đúng", "a year's RECEIVED,EARLY,ON_TIME,LATE to match exactly")
                      + ", e.g. 1191036,506606,616726,2887")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--out", default="demo", help=both("thư mục ghi <out>/dossiers/ (mặc định demo/; không bao giờ raw/)",
                                                         "folder to write <out>/dossiers/ into (default demo/; never raw/)"))
    demo.set_defaults(func=cmd_demo_data)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    quiet_prefect(getattr(args, "verbose", False))  # before any command imports Prefect
    try:
        if args.command in DATED_COMMANDS:
            as_of_date(load_settings(target="duckdb").as_of)  # a TTHC_AS_OF the calendar cannot take is refused before Prefect starts
        return args.func(args)
    except (SettingsError, RunDateError) as err:  # an unknown target, a missing TTHC_POSTGRES_URL, a bad TTHC_AS_OF
        print(f"tthc {args.command}: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
