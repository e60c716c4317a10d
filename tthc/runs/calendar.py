"""The reporting calendar's Python side: the run's "now", and every period the calendar expects.

"Now" is the run's date in Asia/Ho_Chi_Minh, or TTHC_AS_OF (YYYY-MM-DD), so that tests and
back-dated reports are exact. The periods (with their start and end dates under the cut-off
convention, tthc/contract/periods.py) are written to raw.calendar_periods each run; the dbt
models expect reports from them (seed reporting_schedule) and compute the due dates.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from tthc.contract.periods import neighbours, period_bounds
from tthc.settings import dbt_var

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
PERIOD_TYPES = {"year": [""], "half": ["-H1", "-H2"], "quarter": [f"-Q{q}" for q in range(1, 5)],
                "month": [f"-{m:02d}" for m in range(1, 13)]}


class RunDateError(ValueError):
    """TTHC_AS_OF cannot be the run's date; the message says why, in Vietnamese and English."""


def as_of_date(text: str = "") -> date:
    """The run's date: `text` (TTHC_AS_OF, Settings.as_of), or today in Vietnam when it is empty;
    raises RunDateError naming a TTHC_AS_OF that is malformed or outside the calendar's years (dbt
    vars reporting_calendar_start_year and _last_year)."""
    if not text:
        return datetime.now(TIMEZONE).date()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise RunDateError(
            f'TTHC_AS_OF="{text}" không phải ngày dạng YYYY-MM-DD / is not a date written YYYY-MM-DD'
        ) from None
    first, last = int(dbt_var("reporting_calendar_start_year")), int(dbt_var("reporting_calendar_last_year"))
    if not first <= day.year <= last:
        raise RunDateError(
            f'TTHC_AS_OF="{text}" nằm ngoài các năm của lịch báo cáo ({first}–{last}) / '
            f"is outside the reporting calendar's years ({first}-{last})"
        )
    return day


def as_of_time(text: str) -> datetime | None:
    """The moment files count as arriving when TTHC_AS_OF is set (`text`: its midnight in Vietnam), else None."""
    return datetime.combine(as_of_date(text), time(), TIMEZONE) if text else None


def calendar_periods(last_year: int) -> list[tuple[str, str, date, date, str, str]]:
    """(period, period type, start, end, previous period, same period a year before) of every
    period from the calendar's first year to `last_year`."""
    rows = []
    for year in range(int(dbt_var("reporting_calendar_start_year")), last_year + 1):
        for period_type, suffixes in PERIOD_TYPES.items():
            for suffix in suffixes:
                period = f"{year}{suffix}"
                rows.append((period, period_type, *period_bounds(period), *neighbours(period)))
    return rows


def write_calendar(con, as_of: date) -> None:
    """Replace raw.calendar_periods with the periods up to the end of the year after `as_of`."""
    rows = calendar_periods(as_of.year + 1)
    con.execute("delete from raw.calendar_periods")
    con.executemany(
        """insert into raw.calendar_periods (period, period_type, period_start, period_end, previous_period, year_ago_period)
           values (?, ?, ?, ?, ?, ?)""", rows)
