"""The tthc-capture766 flow: the portal's Decision 766 index captured, then a run.

For each period asked for: the national file, then each province's six group files, each a task
in the Prefect UI; a group that fails does not lose the others, and the flow fails at the end,
naming them, so that the failed-run automation alerts as it does for a run.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from tthc.alerts.notify import movement_message, send
from tthc.ingest.capture766 import (
    CaptureError,
    Portal,
    Request,
    capture,
    current_periods,
    national_request,
    portal_from,
    province_requests,
    remove_unfinished,
    save,
)
from tthc.ingest.index766 import portal_codes, snapshot_groups
from tthc.pipeline import RunOutcome, run_name, run_pipeline
from tthc.runs.calendar import as_of_date
from tthc.runs.movement import by_province_and_period, moved, movement_lines
from tthc.settings import Settings, load_settings

PERIODS = ["year", "quarter", "month"]


@dataclass
class Captured:
    """What one capture did: the files written, those identical to the last capture, the failures."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    run: RunOutcome | None = None


def portal_departments() -> dict[str, str]:
    """Official province code → the portal's root department id (seed index766_portal_codes)."""
    return {row["province_code"]: row["portal_department_id"] for row in portal_codes()}


def provinces_of(national: bytes) -> list[str]:
    """Every province the national file evaluates, by official code (through the portal codes seed)."""
    official = {row["portal_code"]: row["province_code"] for row in portal_codes()}
    rows = json.loads(national.decode("utf-8-sig"))["data"]["evaluation"]
    return sorted({official[r["departmentCode"]] for r in rows if r.get("departmentCode") in official})


@task(cache_policy=NONE, task_run_name="capture {request.scope} {request.period} {request.group}")
def capture_one(portal: Portal, request: Request, raw_dir: str, captured_on: date) -> tuple[str, bytes | None]:
    """One request captured and saved: ('written' | 'unchanged', the answer)."""
    body = capture(portal, request)
    path = save(Path(raw_dir), request, body, captured_on)
    time.sleep(portal.pace_s)  # a polite pace between requests
    get_run_logger().info("%s: %s", request.file_name(captured_on), "written" if path else "identical to the last capture")
    return ("written" if path else "unchanged"), body


def tell_movement(outcome: RunOutcome, watched: list[str], settings: Settings) -> list[str]:
    """An alert (TTHC_NOTIFY) for each watched province whose rank or score moved since the
    previous national snapshot; returns the delivery errors."""
    if not watched or not outcome.published:
        return []
    losses = by_province_and_period(outcome.marts.get("index766_unit_losses", []))
    messages = [
        movement_message(code, movement_lines(rows, losses.get((code, period), [])), settings.report_url)
        for (code, period), rows in sorted(by_province_and_period(outcome.marts.get("index766_movement", [])).items())
        if code in watched and moved(rows)
    ]
    errors = send(messages, settings.notify_urls)
    for error in errors:
        get_run_logger().warning("alert not delivered: %s", error)
    return errors


def _capture_name() -> str:
    return run_name("tthc-capture766")


@flow(name="tthc-capture766", flow_run_name=_capture_name)
def capture766(
    provinces: list[str] | None = None, periods: list[str] | None = None, raw_dir: str | None = None,
    warehouse: str | None = None, target: str | None = None, run: bool = True,
) -> Captured:
    """Capture the national file and the provinces' group files for the periods asked for (default:
    the current year, quarter and month; provinces from TTHC_766_PROVINCES, else every province of
    the national file), then run, so that the new snapshots are in the marts."""
    settings = load_settings(raw_dir, warehouse, target)
    portal = portal_from(settings.portal_url, settings.portal_headers, settings.portal_pace_s)
    today = as_of_date(settings.as_of)
    remove_unfinished(settings.raw_dir)
    asked = provinces or list(settings.index766_provinces)
    departments = portal_departments()
    groups = [g for g, group in snapshot_groups().items() if group.shape != "national"]
    done = Captured()
    for period in current_periods(today, periods or PERIODS):
        national = national_request(period)
        try:
            status, body = capture_one(portal, national, str(settings.raw_dir), today)
            getattr(done, status).append(national.file_name(today))
        except CaptureError as err:
            done.failed.append(str(err))
            body = None
        wanted = asked or (provinces_of(body) if body else [])
        for code in wanted:
            if code not in departments:
                done.failed.append(f"tỉnh {code} không có trong index766_portal_codes / province {code} is not in the portal codes seed")
                continue
            for request in province_requests(code, departments[code], period, groups):
                try:
                    status, _ = capture_one(portal, request, str(settings.raw_dir), today)
                    getattr(done, status).append(request.file_name(today))
                except CaptureError as err:
                    done.failed.append(str(err))
    for failure in done.failed:
        get_run_logger().error("%s", failure)
    if run:
        done.run = run_pipeline(raw_dir=str(settings.raw_dir), warehouse=str(settings.warehouse), target=target,
                                wait_for_lock=True)
        tell_movement(done.run, asked, settings)
    if done.failed:
        raise CaptureError(f"{len(done.failed)} lần lấy thất bại / captures failed: " + "; ".join(done.failed[:5]))
    return done
