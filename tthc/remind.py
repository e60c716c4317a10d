"""`tthc remind`: bring the warehouse to today (a run), then send the digest of overdue and
due-soon reports to TTHC_NOTIFY, and each unit of a province (contract §1.6) its own by mail
(TTHC_SMTP_URL) where units.csv gives its addresses. `tthc serve` schedules it every working day at 08:00."""

from __future__ import annotations

import csv
from typing import Any

from prefect import flow, get_run_logger

from tthc.alerts.mail import mail_provinces, smtp_of
from tthc.alerts.notify import digest_message, send, unit_reminders
from tthc.pipeline import run_name, run_pipeline
from tthc.runs.calendar import as_of_date
from tthc.settings import DBT_PROJECT_DIR, Settings, load_settings
from tthc.warehouse import connect_published
from tthc.warehouse.base import rows_as_dicts

DIGEST_SQL = """
    select dataset, period, province_code, province_name, due_date, timeliness
    from marts.submissions
    where timeliness in ('overdue', 'due_soon')
    order by due_date desc, dataset, period, province_code
"""
# A province's units with addresses in its units.csv, and their own reports (contract §1.6).
UNIT_DIGEST_SQL = """
    select province_code, unit_code, unit_name, emails, dataset, period, due_date, timeliness
    from marts.unit_submissions
    where timeliness in ('overdue', 'due_soon') and emails is not null
    order by province_code, unit_code, due_date desc, dataset
"""


def is_public_holiday(day: Any) -> bool:
    """The day is in the public holidays seed (the one list of them)."""
    with open(DBT_PROJECT_DIR / "seeds" / "public_holidays.csv", encoding="utf-8") as f:
        return any(row["holiday_date"] == day.isoformat() for row in csv.DictReader(f))


def digest_rows(settings: Settings, sql: str = DIGEST_SQL) -> list[dict[str, Any]]:
    """Overdue and due-soon reports in the published warehouse (the provinces', or with
    UNIT_DIGEST_SQL the units')."""
    con = connect_published(settings)
    if con is None:
        return []
    try:
        return rows_as_dicts(con, sql)
    finally:
        con.close()


def _remind_name() -> str:
    return run_name("tthc-remind")


@flow(name="tthc-remind", flow_run_name=_remind_name)
def remind(
    raw_dir: str | None = None, warehouse: str | None = None, target: str | None = None, skip_holidays: bool = False
) -> list[str]:
    """Run (statuses depend on the date), then send the digest; returns the delivery errors.
    `skip_holidays`: do nothing on a public holiday (the schedule runs Monday to Friday)."""
    settings = load_settings(raw_dir, warehouse, target)
    today = as_of_date(settings.as_of)
    if skip_holidays and is_public_holiday(today):
        get_run_logger().info("%s is a public holiday: no digest", today)
        return []
    run_pipeline(raw_dir=raw_dir, warehouse=warehouse, target=target, wait_for_lock=True)
    message = digest_message(digest_rows(settings), today.strftime("%d/%m/%Y"), settings.report_url)
    errors = send([message] if message else [], settings.notify_urls)
    if (smtp := smtp_of(settings)) is not None:  # each unit its own, where units.csv has its addresses
        rows = digest_rows(settings, UNIT_DIGEST_SQL)
        contacts = {f"{r['province_code']}/{r['unit_code']}": frozenset(e.strip() for e in r["emails"].split(";"))
                    for r in rows}
        errors += mail_provinces(smtp, unit_reminders(rows, today.strftime("%d/%m/%Y"), settings.report_url), contacts)[1]
    for error in errors:
        get_run_logger().warning("digest not delivered: %s", error)
    return errors
