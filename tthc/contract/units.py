"""A province's units (contract §1.6): `raw/units/<province>/units.csv`, read and checked.

One row per unit and validity span. A file that breaks a rule is refused as a whole, naming its
line; nothing of it is taken in.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime

COLUMNS = ("unit_code", "unit_name", "level", "parent_code", "valid_from", "valid_to", "portal_id", "emails")
REQUIRED = ("unit_code", "unit_name", "level")
LEVELS = ("province", "district", "commune")
# The labels the province's report gives each level's block of rows (contract §1.6), lettered
# A, B, C in the order the report has them.
LEVEL_HEADINGS = {"province": "Sở, ban, ngành", "district": "UBND cấp huyện", "commune": "UBND cấp xã"}
_CODE = re.compile(r"[A-Za-z0-9.\-]+")
_EMAIL = re.compile(r"[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+")


class UnitsError(ValueError):
    """Why a list of units is refused, naming the line."""


@dataclass(frozen=True)
class Unit:
    unit_code: str
    unit_name: str
    level: str
    parent_code: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    portal_id: str | None = None
    emails: tuple[str, ...] = ()

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


def parse_day(text: str) -> date | None:
    """dd/mm/yyyy or yyyy-mm-dd; empty is None (open). Raises ValueError."""
    text = text.strip()
    if not text:
        return None
    for layout in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise ValueError(f'"{text}" is not a date (dd/mm/yyyy or yyyy-mm-dd)')


def _unit(line: int, row: dict[str, str]) -> Unit:
    cell = {c: (row.get(c) or "").strip() for c in COLUMNS}
    for c in REQUIRED:
        if not cell[c]:
            raise UnitsError(f"line {line}: {c} is empty")
    if not _CODE.fullmatch(cell["unit_code"]):
        raise UnitsError(f'line {line}: unit_code "{cell["unit_code"]}" may hold only letters, digits, "-" and "."')
    if cell["level"] not in LEVELS:
        raise UnitsError(f'line {line}: level "{cell["level"]}" is not one of {", ".join(LEVELS)}')
    try:
        start, end = parse_day(cell["valid_from"]), parse_day(cell["valid_to"])
    except ValueError as err:
        raise UnitsError(f"line {line}: {err}") from None
    if start and end and end < start:
        raise UnitsError(f"line {line}: valid_to {end:%d/%m/%Y} is before valid_from {start:%d/%m/%Y}")
    emails = tuple(e.strip() for e in cell["emails"].split(";") if e.strip())
    if bad := [e for e in emails if not _EMAIL.fullmatch(e)]:
        raise UnitsError(f'line {line}: "{bad[0]}" in emails is not an e-mail address')
    return Unit(cell["unit_code"], cell["unit_name"], cell["level"], cell["parent_code"] or None, start, end,
                cell["portal_id"] or None, emails)


def _overlap(a: Unit, b: Unit) -> bool:
    return (a.valid_to is None or b.valid_from is None or b.valid_from <= a.valid_to) and (
        b.valid_to is None or a.valid_from is None or a.valid_from <= b.valid_to)


def parse_units(data: bytes) -> list[Unit]:
    """The units of one units.csv (UTF-8, with or without BOM). Raises UnitsError naming the line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UnitsError(f"not UTF-8 (byte {err.start})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    if missing := [c for c in REQUIRED if c not in header]:
        raise UnitsError(f"line 1: the header lacks {', '.join(missing)} (columns: {', '.join(COLUMNS)})")
    if unknown := [h for h in header if h not in COLUMNS]:
        raise UnitsError(f"line 1: unknown columns {', '.join(unknown)} (columns: {', '.join(COLUMNS)})")
    reader.fieldnames = header
    units: list[tuple[int, Unit]] = []
    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        if None in row:
            raise UnitsError(f"line {line}: more cells than the header's {len(header)}")
        unit = _unit(line, row)
        clash = next((n for n, u in units if u.unit_code == unit.unit_code and _overlap(u, unit)), None)
        if clash is not None:
            raise UnitsError(f'line {line}: unit_code "{unit.unit_code}" is already valid on these dates (line {clash})')
        units.append((line, unit))
    if not units:
        raise UnitsError("no units: the file has a header and no rows")
    codes = {u.unit_code for _, u in units}
    for line, unit in units:
        if unit.parent_code and unit.parent_code not in codes:
            raise UnitsError(f'line {line}: parent_code "{unit.parent_code}" is not a unit of this list')
    return [u for _, u in units]


def write_units(units: list[Unit]) -> str:
    """A units.csv's text for these units (the inverse of parse_units)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for u in units:
        writer.writerow([
            u.unit_code, u.unit_name, u.level, u.parent_code or "",
            f"{u.valid_from:%d/%m/%Y}" if u.valid_from else "", f"{u.valid_to:%d/%m/%Y}" if u.valid_to else "",
            u.portal_id or "", ";".join(u.emails),
        ])
    return out.getvalue()
