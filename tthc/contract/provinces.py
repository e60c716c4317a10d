"""Which two-digit province codes exist on a date (63 until 30/06/2025, 34 from 01/07/2025)."""

from __future__ import annotations

import csv
from datetime import date
from functools import lru_cache

from tthc.settings import PROVINCES_CSV, dbt_var


def merger_date() -> date:
    """The day the 34 provinces took over (var province_merger_date of the dbt project)."""
    return date.fromisoformat(dbt_var("province_merger_date"))


@lru_cache(maxsize=1)
def _codes() -> tuple[frozenset[str], frozenset[str]]:
    with PROVINCES_CSV.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return frozenset(r["old_code"] for r in rows), frozenset(r["new_code"] for r in rows)


@lru_cache(maxsize=1)
def province_names() -> dict[str, str]:
    """Every code's name: the 63 provinces' before 01/07/2025 and the 34's after (a code the
    merger kept names the new province)."""
    with PROVINCES_CSV.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {**{r["old_code"]: r["old_name"] for r in rows}, **{r["new_code"]: r["new_name"] for r in rows}}


def named(code: str | None) -> str:
    """"Hà Nội (01)", as the pages and alerts name a province; the code alone if unknown."""
    if not code:
        return ""
    name = province_names().get(code)
    return f"{name} ({code})" if name else code


def code_valid_on(code: str, day: date) -> bool:
    """True when `code` named a province on `day`."""
    old, new = _codes()
    return code in (new if day >= merger_date() else old)
