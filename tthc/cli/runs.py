"""`tthc run`, `remind`, `withdraw` and `add`: the commands that change the warehouse."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tthc.settings import load_settings


def cmd_run(args: argparse.Namespace) -> int:
    from tthc.contract.datasets import load_contract
    from tthc.ingest.read import hash_ahead
    from tthc.runs.changes import new_exports, project_hash, raw_files, unchanged_since_publish
    from tthc.warehouse import target_for
    from tthc.warehouse.base import RunInProgress

    settings = load_settings(args.raw_dir, args.warehouse, args.target)
    target = target_for(settings)
    contract = load_contract()
    try:
        # Nothing new: say so without starting Prefect (the flow makes the same check for scheduled runs).
        with target.writer_lock():
            target.remove_work()  # a dead run's working copy, before anything else
            now = raw_files(settings.raw_dir, contract)
            unchanged = None if args.full_refresh else unchanged_since_publish(settings, now, project_hash())
        if unchanged is not None:
            print(unchanged.message())
            return unchanged.exit_code
    except RunInProgress as err:
        print(f"tthc run: {err}", file=sys.stderr)
        return 1
    ahead = hash_ahead(settings.raw_dir, new_exports(settings, now, contract))  # while Prefect imports and starts
    return _run_flow("run", args, full_refresh=args.full_refresh, ahead=ahead, target=settings.target)


def _run_flow(command: str, args: argparse.Namespace, **options: Any) -> int:
    """Run the pipeline flow, print its summary, and return its exit code."""
    from tthc.pipeline import run_pipeline
    from tthc.runs.runlog import run_record
    from tthc.runs.summary import summary_lines
    from tthc.warehouse.base import RunInProgress

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
    from tthc.alerts.notify import notify_urls
    from tthc.remind import remind

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
    from tthc.runs.withdraw import Withdrawal, check_withdrawal

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


def cmd_add(args: argparse.Namespace) -> int:
    from tthc.ingest.add import AddError, add_file

    settings = load_settings(raw_dir=args.raw_dir)
    try:
        target = add_file(Path(args.file), settings.raw_dir, args.dataset, args.province, args.period, args.revision)
    except (AddError, OSError) as err:
        print(f"tthc add: {err}", file=sys.stderr)
        return 1
    print(f"added {target.relative_to(settings.raw_dir)}; run `tthc run` to load it")
    return 0
