"""A province's list of units into raw.units, and whether a unit's report names a unit of it (contract §1.6).

raw.units holds, for each province, the rows of the last list that was accepted: a list that
breaks a rule is refused whole and the one before stays; a list no longer in the raw directory
takes its units with it (they are no longer expected).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from tthc.contract.units import COLUMNS, UnitsError, parse_units
from tthc.ingest.discover import FoundFile
from tthc.ingest.load import LogEntry, append_log, log_file
from tthc.ingest.read import read_bytes, sha256_of
from tthc.warehouse.base import transaction

UNITS_TABLE_COLUMNS = ("province_code", *COLUMNS, "list_position", "_file_path", "_file_sha256", "_load_id")


def _log(con: duckdb.DuckDBPyConnection, load_id: str, entry: LogEntry) -> LogEntry:
    log_file(con, load_id, entry)
    return entry


def load_units_list(con: duckdb.DuckDBPyConnection, raw_dir: Path, load_id: str, found: FoundFile) -> LogEntry:
    """One province's units.csv: loaded (its rows replace the province's), duplicate, or refused."""
    try:
        data = read_bytes(raw_dir, found.path)
    except OSError as err:
        return _log(con, load_id, LogEntry(found, None, "refused", f"unreadable: {err.strerror or err}"))
    sha = sha256_of(data)
    held = con.execute(
        "select count(*) from raw.units where province_code = ? and _file_sha256 = ?", [found.province_code, sha]
    ).fetchone()[0]
    if held:
        return _log(con, load_id, LogEntry(found, sha, "duplicate", "the same list of units was loaded before", 0))
    try:
        units = parse_units(data)
    except UnitsError as err:
        kept = " (the list loaded before stays in use)" if _province_has_units(con, found.province_code) else ""
        return _log(con, load_id, LogEntry(found, sha, "refused", f"{found.path}: {err}{kept}"))
    entry = LogEntry(found, sha, "loaded", None, len(units))
    rows = [
        [found.province_code, u.unit_code, u.unit_name, u.level, u.parent_code, u.valid_from, u.valid_to,
         u.portal_id, ";".join(u.emails) or None, position, found.path, sha, load_id]
        for position, u in enumerate(units, start=1)
    ]
    with transaction(con):
        con.execute("delete from raw.units where province_code = ?", [found.province_code])
        con.insert_columns("raw.units", list(UNITS_TABLE_COLUMNS), [list(c) for c in zip(*rows)])
        append_log(con, load_id, datetime.now(UTC), entry)
    return entry


def _province_has_units(con: duckdb.DuckDBPyConnection, province: str) -> bool:
    return con.execute("select count(*) from raw.units where province_code = ?", [province]).fetchone()[0] > 0


def drop_missing_lists(con: duckdb.DuckDBPyConnection, load_id: str, present: set[str]) -> list[LogEntry]:
    """Provinces whose units.csv is gone from the raw directory: their units are taken out, logged `missing`."""
    entries = []
    for province, path, sha in con.execute(
        "select distinct province_code, _file_path, _file_sha256 from raw.units order by province_code"
    ).fetchall():
        if province in present:
            continue
        entry = LogEntry(FoundFile(path, dataset="units", province_code=province), sha, "missing",
                         "the list of units is no longer in the raw directory: its units are no longer expected")
        with transaction(con):
            con.execute("delete from raw.units where province_code = ?", [province])
            append_log(con, load_id, datetime.now(UTC), entry)
        entries.append(entry)
    return entries


def unit_refusal(con: duckdb.DuckDBPyConnection, found: FoundFile) -> str | None:
    """Why a unit's report cannot be taken in: its unit is not in the province's list on the
    period's last day. None when it is."""
    listed = con.execute(
        """select count(*) from raw.units where province_code = ? and unit_code = ?
             and (valid_from is null or valid_from <= ?) and (valid_to is null or ? <= valid_to)""",
        [found.province_code, found.unit_code, found.period_end, found.period_end],
    ).fetchone()[0]
    if listed:
        return None
    where = f"raw/units/{found.province_code}/units.csv"
    if not _province_has_units(con, found.province_code):
        return f"unit {found.unit_code}: province {found.province_code} has no list of units ({where})"
    return f"unit {found.unit_code} is not in {where} on {found.period_end:%d/%m/%Y}, the end of period {found.period}"
