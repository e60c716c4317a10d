"""Ingest tasks: every file under the raw directory is loaded, logged as a duplicate, or refused with its reason."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NONE

from tthc import progress
from tthc.contract.datasets import Contract
from tthc.contract.limits import FORM_FILE_BYTES, megabytes
from tthc.ingest.decode import DecodeError
from tthc.ingest.deliveries import log_missing, seen_before
from tthc.ingest.discover import FoundFile, discover
from tthc.ingest.header import HeaderError
from tthc.ingest.index766 import ShapeError, parse_snapshot, snapshot_groups
from tthc.ingest.load import LogEntry, log_file, write_file, write_snapshot
from tthc.ingest.read import HashesAhead, inside, parse_report, read_bytes, sha256_of, sha256_of_file, sha256_of_files
from tthc.ingest.records import is_month, load_records
from tthc.ingest.records.postgres import load_records_into_postgres
from tthc.ingest.units import drop_missing_lists, load_units_list, unit_refusal

# A record export is typed by DuckDB on either target; on PostgreSQL in a scratch file, then copied in.
RECORD_LOADERS = {"duckdb": load_records, "postgres": load_records_into_postgres}


@dataclass(frozen=True)
class IngestSummary:
    entries: list[LogEntry]

    def count(self, status: str) -> int:
        return sum(e.status == status for e in self.entries)

    @property
    def not_taken(self) -> list[LogEntry]:
        return [e for e in self.entries if e.status in ("refused", "rejected")]

    @property
    def missing(self) -> list[LogEntry]:
        return [e for e in self.entries if e.status == "missing"]


def _logged(con: duckdb.DuckDBPyConnection, load_id: str, entry: LogEntry) -> LogEntry:
    """Log a file whose rows are not written (refused, rejected, duplicate) and return its entry."""
    log_file(con, load_id, entry)
    return entry


@task(cache_policy=NONE)
def discover_files(raw_dir: Path, contract: Contract) -> list[FoundFile]:
    """Name every file under the raw directory (contract §1.1)."""
    return discover(raw_dir, contract)


def load_record_file(
    con: duckdb.DuckDBPyConnection, contract: Contract, raw_dir: Path, load_id: str, found: FoundFile,
    known_sha: str | None, was_there: bool,
) -> LogEntry:
    """A record-level export (dossiers): same naming, history and duplicate rules, typed by DuckDB."""
    spec = contract.records[found.dataset]
    if not is_month(found) or not found.path.lower().endswith(".csv"):
        why = f"{found.path}: {found.dataset} files are CSV exports of one calendar month (<province>_YYYY-MM.csv)"
        return _logged(con, load_id, LogEntry(found, None, "refused", why))
    try:
        sha = known_sha or sha256_of_file(raw_dir, found.path)
    except OSError as err:
        return _logged(con, load_id, LogEntry(found, None, "refused", f"unreadable: {err.strerror or err}"))
    if not known_sha and (seen := seen_before(con, load_id, found, sha, was_there)):  # a known hash was checked by load_one_file
        return seen
    load = RECORD_LOADERS[con.target]
    try:
        return load(con, contract, inside(raw_dir, found.path), LogEntry(found, sha, "loaded"), load_id, spec)
    except HeaderError as err:
        return _logged(con, load_id, LogEntry(found, sha, "rejected", f"{found.path}: {err}"))
    except (duckdb.Error, UnicodeDecodeError, csv.Error) as err:
        why = f"{found.path}: not a readable {found.dataset} export ({err})"
        return _logged(con, load_id, LogEntry(found, sha, "refused", why))


@task(cache_policy=NONE, task_run_name="load {found.path}")
def load_one_file(
    con: duckdb.DuckDBPyConnection, contract: Contract, raw_dir: Path, load_id: str, found: FoundFile,
    known_sha: str | None = None, was_there: bool = True,
) -> LogEntry:
    """Read, lay out and write one file; the log row says what happened to it.

    Written files are logged as loaded; once dbt has judged them, the pipeline marks those
    that an error finding rejects, or that are not the version in use, as such. `known_sha`
    is the file's SHA-256 when it is known already (the published run saw it unchanged, or it
    was hashed ahead): a duplicate is then logged without reading the file again. `was_there`:
    the path was in the raw directory at the last published run.

    No file stops the run: an error nobody foresaw refuses this file with its reason (its
    transaction was rolled back) and the run goes on with the others."""
    try:
        return _load(con, contract, raw_dir, load_id, found, known_sha, was_there)
    except Exception as err:
        why = f"{found.path}: could not be read ({type(err).__name__}: {err})"
        return _logged(con, load_id, LogEntry(found, known_sha, "refused", why))


def _load(
    con: duckdb.DuckDBPyConnection, contract: Contract, raw_dir: Path, load_id: str, found: FoundFile,
    known_sha: str | None, was_there: bool,
) -> LogEntry:
    if found.refusal:
        return _logged(con, load_id, LogEntry(found, None, "refused", found.refusal))
    if found.is_units_list:
        return load_units_list(con, raw_dir, load_id, found)
    if found.unit_code and (why := unit_refusal(con, found)):
        return _logged(con, load_id, LogEntry(found, known_sha, "refused", why))
    if known_sha and (seen := seen_before(con, load_id, found, known_sha, was_there)):
        return seen
    if found.dataset in contract.records:
        return load_record_file(con, contract, raw_dir, load_id, found, known_sha, was_there)
    try:
        size = os.stat(inside(raw_dir, found.path)).st_size
        if size > FORM_FILE_BYTES:
            why = f"{found.path}: {megabytes(size)}, over the contract's {megabytes(FORM_FILE_BYTES)} for a form file; it is not read"
            return _logged(con, load_id, LogEntry(found, None, "refused", why))
        data = read_bytes(raw_dir, found.path)
    except OSError as err:
        return _logged(con, load_id, LogEntry(found, None, "refused", f"unreadable: {err.strerror or err}"))
    sha = sha256_of(data)
    if seen := seen_before(con, load_id, found, sha, was_there):
        return seen
    if found.dataset in contract.snapshots:
        return load_snapshot(con, contract, load_id, found, sha, data)
    try:
        table = parse_report(data, found, contract)
    except DecodeError as err:
        return _logged(con, load_id, LogEntry(found, sha, "refused", f"{found.path}: {err}"))
    except HeaderError as err:
        return _logged(con, load_id, LogEntry(found, sha, "rejected", f"{found.path}: {err}"))
    reasons = []
    if table.sheet is not None:
        ignored = f"; other sheets not read: {', '.join(table.ignored_sheets)}" if table.ignored_sheets else ""
        reasons.append(f"read sheet {table.sheet}{ignored}")
    if table.unknown_columns:
        reasons.append(f"unknown columns ignored: {'; '.join(table.unknown_columns)}")
    reason = "; ".join(reasons) or None
    entry = LogEntry(found, sha, "loaded", reason, len(table.rows))
    write_file(con, load_id, contract.datasets[found.dataset], entry, table)
    return entry


def load_snapshot(
    con: duckdb.DuckDBPyConnection, contract: Contract, load_id: str, found: FoundFile, sha: str, data: bytes
) -> LogEntry:
    """An index snapshot (contract §1.5): JSON that is not JSON is refused; JSON that is not the
    portal's shape is rejected, naming the path inside it."""
    try:
        rows = parse_snapshot(data, snapshot_groups()[found.snapshot_group].shape)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return _logged(con, load_id, LogEntry(found, sha, "refused", f"{found.path}: not readable JSON ({err})"))
    except ShapeError as err:
        why = f"{found.path}: not the portal's {found.snapshot_group} response: {err}"
        return _logged(con, load_id, LogEntry(found, sha, "rejected", why))
    entry = LogEntry(found, sha, "loaded", None, len(rows))
    write_snapshot(con, load_id, contract.snapshots[found.dataset], entry, rows)
    return entry


def ingest(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    raw_dir: Path,
    load_id: str,
    known: dict[str, str] | None = None,
    ahead: HashesAhead | None = None,
) -> IngestSummary:
    """Discover → decode → lay out → map → load, one transaction per file. `known`: SHA-256 of the
    files the published run saw unchanged (tthc.runs.changes.known_hashes). The other record exports
    are hashed first, in parallel, taking the hashes started `ahead`: large files, hashed at the
    speed of the disk and all cores."""
    logger = get_run_logger()
    entries = []
    # The lists of units first: a unit's report is checked against its province's list (§1.6).
    found = sorted(discover_files(raw_dir, contract), key=lambda f: not f.is_units_list)
    known = dict(known or {})
    exports = [f.path for f in found if f.dataset in contract.records and not f.refusal and f.path not in known]
    known |= sha256_of_files(raw_dir, exports, ahead or HashesAhead())
    there_before = {path for (path,) in con.execute("select file_path from audit.raw_state").fetchall()}
    for number, f in enumerate(found, start=1):
        progress.report("ingest", number - 1, len(found), f.path)
        entry = load_one_file(con, contract, raw_dir, load_id, f, known.get(f.path), f.path in there_before)
        why = f" ({entry.reason})" if entry.reason else ""
        logger.info("%s: %s%s [file %d of %d]", f.path, entry.status, why, number, len(found))
        entries.append(entry)
    progress.report("ingest", len(found), len(found))
    for entry in drop_missing_lists(con, load_id, {f.province_code for f in found if f.is_units_list}):
        logger.warning("%s: missing (%s)", entry.found.path, entry.reason)
        entries.append(entry)
    for entry in log_missing(con, load_id, {f.path for f in found}):
        logger.warning("%s: missing (%s)", entry.found.path, entry.reason)
        entries.append(entry)
    return IngestSummary(entries)
