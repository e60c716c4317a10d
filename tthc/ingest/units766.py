"""A province's list of units from its Decision 766 captures (contract §1.6, `tthc units from-766`).

The portal lists every unit below a province with its department id, code, name and level
(seed/index766/README.md). The tree groups and dossier-digitized carry the codes; the other list
groups only ids, names and types: a unit is taken from whichever file gives its code. An office's
own list is kept as it wrote it: a unit already there (by portal id, else by code) keeps its row,
and is given its portal id where it had none; units of the portal not in it are added.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from tthc.contract.units import Unit
from tthc.ingest.index766 import parse_snapshot, snapshot_groups

# The portal's words for a unit's level, in tree rows (level) and list rows (departmentType).
PORTAL_LEVELS = {
    "PROVINCE": "province", "PROVINCIAL_DEPARTMENT": "province",
    "DISTRICT": "district", "DISTRICT_PEOPLE_COMMITTEE": "district",
    "COMMUNE": "commune", "COMMUNE_PEOPLE_COMMITTEE": "commune",
}


@dataclass(frozen=True)
class PortalUnits:
    """What the captures say of a province's units."""

    units: list[Unit]  # in the portal's order, with codes
    without_code: list[str]  # names of units no capture gave a code for


@dataclass(frozen=True)
class Merged:
    units: list[Unit]
    added: list[Unit]
    given_portal_id: list[Unit]
    not_in_captures: list[Unit]  # units of the office's list the captures do not name


def units_in_captures(captures: list[tuple[str, bytes]], since: date | None = None) -> PortalUnits:
    """The units below the province in these captures ((group, bytes) each), valid from `since`
    (the 2025 merger, for captures made after it: today's units are not those of before). Raises
    ShapeError or ValueError for a file that is not the portal's answer."""
    groups = snapshot_groups()
    by_id: dict[str, dict[str, str | None]] = {}
    for group, data in captures:
        for row in parse_snapshot(data, groups[group].shape):
            if row["unit_role"] != "child" or row["metric_code"] != "TOTAL":
                continue
            known = by_id.setdefault(row["unit_id"], {"code": None, "name": row["unit_name"], "type": None})
            known["code"] = known["code"] or row["unit_code"]
            known["type"] = known["type"] or row["unit_type"]
    units, without_code = [], []
    for unit_id, known in by_id.items():
        level = PORTAL_LEVELS.get(known["type"] or "")
        if not known["code"] or level is None:
            without_code.append(known["name"] or unit_id)
            continue
        units.append(Unit(known["code"], known["name"] or known["code"], level, valid_from=since, portal_id=unit_id))
    return PortalUnits(units, without_code)


def merge_units(existing: list[Unit], portal: list[Unit]) -> Merged:
    """The office's list with the portal's units added; nothing of the office's rows is changed
    but a missing portal id."""
    by_portal = {u.portal_id: u for u in existing if u.portal_id}
    by_code = {u.unit_code: u for u in existing}
    units = list(existing)
    added, given, seen = [], [], set()
    for p in portal:
        mine = by_portal.get(p.portal_id) or by_code.get(p.unit_code)
        if mine is None:
            units.append(p)
            added.append(p)
            seen.add(p.unit_code)
            continue
        seen.add(mine.unit_code)
        if not mine.portal_id:
            updated = replace(mine, portal_id=p.portal_id)
            units = [updated if u is mine else u for u in units]
            given.append(updated)
    return Merged(units, added, given, [u for u in existing if u.unit_code not in seen])
