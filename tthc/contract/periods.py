"""Reporting periods: name syntax and start/end dates under the cut-off convention, and the
calendar periods of the national portal's index.

Decree 09/2019/NĐ-CP: a period starts on the cut-off day (the 15th) of the month before its
first month and ends the day before it in its last month (year: 15/12 of the previous year to
14/12). The day is the dbt project's var reporting_cutoff_day. The dates are computed here, once,
stored with each file in raw.report_files, and read from there by the models.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from tthc.settings import dbt_var

PERIOD_PATTERN = r"(?P<year>[0-9]{4})(?:-(?P<part>H[12]|Q[1-4]|0[1-9]|1[0-2]))?"
_PERIOD = re.compile(PERIOD_PATTERN)


def _month_window(year: int, first_month: int, last_month: int) -> tuple[date, date]:
    day = int(dbt_var("reporting_cutoff_day"))
    start = date(year - 1, 12, day) if first_month == 1 else date(year, first_month - 1, day)
    return start, date(year, last_month, day) - timedelta(days=1)


def period_bounds(period: str) -> tuple[date, date]:
    """Start and end date of a period written as YYYY, YYYY-H1, YYYY-Q3 or YYYY-MM."""
    m = _PERIOD.fullmatch(period)
    if not m:
        raise ValueError(f'period "{period}" is not YYYY, YYYY-H1/H2, YYYY-Q1..Q4 or YYYY-MM')
    year, part = int(m["year"]), m["part"]
    if part is None:
        return _month_window(year, 1, 12)
    if part.startswith("H"):
        half = int(part[1])
        return _month_window(year, 6 * half - 5, 6 * half)
    if part.startswith("Q"):
        q = int(part[1])
        return _month_window(year, 3 * q - 2, 3 * q)
    month = int(part)
    return _month_window(year, month, month)



def calendar_bounds(period: str) -> tuple[date, date]:
    """Start and end date of a calendar period (YYYY, YYYY-Qn, YYYY-MM): the national portal's
    index periods, which are not the forms' cut-off windows (2026-Q3 is 01/07 to 30/09)."""
    m = _PERIOD.fullmatch(period)
    if not m or (m["part"] or "").startswith("H"):
        raise ValueError(f'period "{period}" is not YYYY, YYYY-Q1..Q4 or YYYY-MM')
    year, part = int(m["year"]), m["part"]
    if part is None:
        first, last = 1, 12
    elif part.startswith("Q"):
        first, last = 3 * int(part[1]) - 2, 3 * int(part[1])
    else:
        first = last = int(part)
    following = date(year + 1, 1, 1) if last == 12 else date(year, last + 1, 1)
    return date(year, first, 1), following - timedelta(days=1)


def neighbours(period: str) -> tuple[str, str]:
    """The previous period of the same type, and the same period a year before:
    2021-Q1 → (2020-Q4, 2020-Q1); 2021-01 → (2020-12, 2020-01); 2021 → (2020, 2020)."""
    m = _PERIOD.fullmatch(period)
    if not m:
        raise ValueError(f'period "{period}" is not YYYY, YYYY-H1/H2, YYYY-Q1..Q4 or YYYY-MM')
    year, part = int(m["year"]), m["part"]
    year_ago = f"{year - 1}{period[4:]}"
    if part is None:
        return str(year - 1), year_ago
    if part[0] in "HQ":  # a half or a quarter: H2, Q3
        kind, number, per_year, width = part[0], int(part[1]), 2 if part[0] == "H" else 4, 1
    else:  # a month: 07
        kind, number, per_year, width = "", int(part), 12, 2
    previous = f"{year}-{kind}{number - 1:0{width}d}" if number > 1 else f"{year - 1}-{kind}{per_year:0{width}d}"
    return previous, year_ago
