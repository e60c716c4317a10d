"""`tthc run`, `remind`, `withdraw` and `add`: the commands that change the warehouse."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tthc.cli.console import shown_progress, use_local_prefect_server
from tthc.cli.words import say
from tthc.settings import Settings, load_settings


def missing_paths(command: str, settings: Settings) -> bool:
    """Say, in one line, that the raw directory or the folder above the warehouse's does not exist
    (a mistyped path is an error, not an empty warehouse); True when one is missing."""
    if not settings.raw_dir.is_dir():
        say(command, f"không có thư mục báo cáo {settings.raw_dir}", f"no raw directory at {settings.raw_dir}")
        return True
    if not settings.warehouse.parent.parent.is_dir():
        folder = settings.warehouse.parent.parent
        say(command, f"không có thư mục {folder} để đặt kho dữ liệu", f"no folder {folder} to keep the warehouse in")
        return True
    return False


def cmd_run(args: argparse.Namespace) -> int:
    from tthc.contract.datasets import load_contract
    from tthc.ingest.read import hash_ahead
    from tthc.runs.changes import new_exports, project_hash, raw_files, unchanged_since_publish
    from tthc.warehouse import target_for
    from tthc.warehouse.base import RunInProgress

    settings = load_settings(args.raw_dir, args.warehouse, args.target)
    if missing_paths("run", settings):
        return 1
    target = target_for(settings)
    contract = load_contract()
    try:
        # Nothing new: say so without starting Prefect (the flow makes the same check for scheduled runs).
        with target.writer_lock():
            target.remove_work()  # a dead run's working copy, before anything else
            now = raw_files(settings.raw_dir, contract)
            unchanged = None if args.full_refresh else unchanged_since_publish(settings, now, project_hash(settings.dbt_project_dir))
        if unchanged is not None:
            print(unchanged.message())
            return unchanged.exit_code
    except RunInProgress as err:
        say("run", "một lần chạy khác đang ghi kho dữ liệu", str(err))
        return 1
    ahead = hash_ahead(settings.raw_dir, new_exports(settings, now, contract))  # while Prefect imports and starts
    return _run_flow("run", args, full_refresh=args.full_refresh, ahead=ahead, target=settings.target)


def _run_flow(command: str, args: argparse.Namespace, **options: Any) -> int:
    """Run the pipeline flow with its progress shown, print its summary, return its exit code."""
    if url := use_local_prefect_server():
        print(f"Dùng máy chủ Prefect đang chạy / Using the running Prefect server: {url}", file=sys.stderr)
    from tthc.pipeline import run_pipeline
    from tthc.runs.runlog import latest_run_log, run_record
    from tthc.runs.summary import summary_lines
    from tthc.warehouse.base import RunInProgress

    try:
        with shown_progress():
            outcome = run_pipeline(raw_dir=args.raw_dir, warehouse=args.warehouse, **options)
    except RunInProgress as err:
        say(command, "một lần chạy khác đang ghi kho dữ liệu", str(err))
        return 1
    except Exception as err:  # the flow wrote its run record (`tthc results`) before failing
        record = latest_run_log(load_settings(args.raw_dir, args.warehouse, options.get("target")))
        log = f" ({record['log_file']})" if record and record.get("log_file") else ""
        say(command, f"lần chạy thất bại, xem `tthc results` và nhật ký{log}",
            f"the run failed: {type(err).__name__}: {err} (`tthc results` shows what it did; the log{log})")
        return 1
    print("\n".join(summary_lines(run_record(outcome))))
    return outcome.exit_code


def cmd_capture766(args: argparse.Namespace) -> int:
    """The national file and the provinces' group files from the portal, then a run."""
    settings = load_settings(args.raw_dir, args.warehouse, args.target)
    if missing_paths("capture766", settings):
        return 1
    if url := use_local_prefect_server():
        print(f"Dùng máy chủ Prefect đang chạy / Using the running Prefect server: {url}", file=sys.stderr)
    from tthc.capture import capture766
    from tthc.ingest.capture766 import CaptureError
    from tthc.runs.runlog import run_record
    from tthc.runs.summary import summary_lines

    try:
        with shown_progress():
            done = capture766(provinces=args.province, periods=args.period, raw_dir=args.raw_dir,
                              warehouse=args.warehouse, target=args.target, return_state=True)
        captured = done.result(raise_on_failure=False)
    except Exception as err:  # noqa: BLE001 - what the flow could not do is said, not raised
        say("capture766", "lần lấy chỉ số thất bại", f"the capture failed: {type(err).__name__}: {err}")
        return 1
    if isinstance(captured, CaptureError):
        say("capture766", "có tệp không lấy được (các tệp khác đã lưu)", str(captured))
        return 1
    print(f"Đã lưu {len(captured.written)} tệp, {len(captured.unchanged)} không đổi / "
          f"saved {len(captured.written)} files, {len(captured.unchanged)} identical to the last capture")
    if captured.run is not None:
        print("\n".join(summary_lines(run_record(captured.run))))
        return captured.run.exit_code
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    settings = load_settings(args.raw_dir, args.warehouse, args.target)
    if not settings.notify_urls:
        say("remind", "đặt TTHC_NOTIFY là một hay nhiều địa chỉ Apprise (mailto://…, json://…)",
            "set TTHC_NOTIFY to one or more Apprise URLs (mailto://…, json://…)")
        return 1
    if missing_paths("remind", settings):  # before Prefect starts
        return 1
    if url := use_local_prefect_server():
        print(f"Dùng máy chủ Prefect đang chạy / Using the running Prefect server: {url}", file=sys.stderr)
    from tthc.remind import remind

    try:
        with shown_progress():
            errors = remind(raw_dir=args.raw_dir, warehouse=args.warehouse, target=args.target)
    except Exception as err:  # the run failed: its record says why
        say("remind", "lần chạy thất bại", f"the run failed: {type(err).__name__}: {err}")
        return 1
    for error in errors:
        say("remind", "không gửi được", f"not delivered: {error}")
    if not errors:
        print(f"Đã gửi bản tổng hợp tới {len(settings.notify_urls)} địa chỉ trong TTHC_NOTIFY / "
              f"digest sent to {len(settings.notify_urls)} address(es) in TTHC_NOTIFY")
    return 1 if errors else 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    from tthc.runs.withdraw import Withdrawal, check_withdrawal

    settings = load_settings(args.raw_dir, args.warehouse, args.target)
    if missing_paths("withdraw", settings):
        return 1
    withdrawal = Withdrawal(args.dataset, args.province, args.period, args.reason.strip(), args.unit)
    if not withdrawal.reason:
        say("withdraw", "ghi lý do với --reason", "say why with --reason")
        return 1
    problem = check_withdrawal(settings, withdrawal)
    if problem:
        say("withdraw", "không rút được báo cáo", problem)
        return 1
    return _run_flow("withdraw", args, withdrawal=withdrawal, target=settings.target)


def cmd_add(args: argparse.Namespace) -> int:
    from tthc.ingest.add import AddError, add_file

    settings = load_settings(raw_dir=args.raw_dir)
    try:
        target = add_file(Path(args.file), settings.raw_dir, args.dataset, args.province, args.period, args.revision)
    except (AddError, OSError) as err:
        say("add", "không nhận tệp", str(err))
        return 1
    where = target.relative_to(settings.raw_dir)
    print(f"Đã thêm {where}; chạy `tthc run` để nạp / added {where}; run `tthc run` to load it")
    return 0
