"""`tthc access`, `docs serve`, `serve`, `deploy` and `demo-data`: running the warehouse as a service."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from tthc.cli.words import say
from tthc.settings import Settings, load_settings


def cmd_access(args: argparse.Namespace) -> int:
    from tthc.warehouse import access, postgres

    url = load_settings().postgres_url
    if not url:
        say("access", "quyền đọc được quản lý trên PostgreSQL: đặt TTHC_POSTGRES_URL",
            "read access is managed on the PostgreSQL target: set TTHC_POSTGRES_URL")
        return 1
    con = postgres.connect(url)
    try:
        if args.action == "grant":
            access.grant(con, args.role, args.province, postgres.UNPUBLISHED)
            scope = f"the rows of province {args.province} in the unit-level marts" if args.province else "all of marts"
            print(f"{args.role} reads {scope}")
        else:
            access.revoke(con, args.role, postgres.UNPUBLISHED)
            print(f"{args.role} reads nothing of the warehouse")
    except access.AccessError as err:
        print(f"tthc access: {err}", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


def cmd_docs_serve(args: argparse.Namespace) -> int:
    from tthc.report.serve import serve_site

    settings = load_settings(warehouse=args.warehouse)
    docs = settings.docs_page
    if not docs.exists():
        say("docs serve", f"không có tài liệu tại {docs}; một lần `tthc run` thành công sẽ công bố",
            f"no docs at {docs}; a successful `tthc run` publishes them")
        return 1
    serve_site(settings.warehouse, args.port)
    return 0


def _scheduled(args: argparse.Namespace) -> Settings:
    """The settings of `tthc serve` and `tthc deploy`: the crons given on the command line win."""
    settings = load_settings(raw_dir=args.raw_dir, warehouse=args.warehouse, target=args.target)
    return replace(settings, nightly_cron=args.nightly_cron or settings.nightly_cron,
                   cutoff_cron=args.cutoff_cron or settings.cutoff_cron)


def cmd_serve(args: argparse.Namespace) -> int:
    from prefect import serve

    from tthc.schedule import deployments

    settings = _scheduled(args)
    _failure_automation(settings)
    serve(*deployments(settings))
    return 0


def _failure_automation(settings: Settings) -> None:
    """With TTHC_NOTIFY set, the Prefect automation that reports failed or crashed runs."""
    from tthc.alerts.block import AUTOMATION_NAME, create_failure_automation

    if urls := settings.notify_urls:
        create_failure_automation(list(urls))
        print(f"Prefect automation {AUTOMATION_NAME!r}: failed or crashed runs go to TTHC_NOTIFY ({len(urls)} address(es))")


def cmd_deploy(args: argparse.Namespace) -> int:
    from tthc.schedule import deploy_to_pool

    settings = _scheduled(args)
    try:
        ids = deploy_to_pool(settings, args.pool)
        _failure_automation(settings)
    except ValueError as err:
        print(f"tthc deploy: {err}", file=sys.stderr)
        return 1
    print(f"{len(ids)} deployments (tthc-run/nightly, tthc-run/after-cutoff, tthc-remind/remind, tthc-capture766/capture766) on work pool "
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
    from tthc.demo import Calibration, write_demo_data

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
