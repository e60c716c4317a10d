"""Ingest tasks: every file under the raw directory is loaded, logged as a duplicate, or refused with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NONE

from flows.ingest.contract import load_contract
from flows.ingest.decode import DecodeError
from flows.ingest.discover import FoundFile, discover
from flows.ingest.labels import HeaderError
from flows.ingest.load import LogEntry, ensure_schema, log_file, was_loaded, write_file
from flows.ingest.read import inside, parse_report, read_bytes, sha256_of, sha256_of_file
from flows.ingest.records import ensure_records_schema, is_month, load_records


@dataclass(frozen=True)
class IngestSummary:
    entries: list[LogEntry]

    def count(self, status: str) -> int:
        return sum(e.status == status for e in self.entries)

    @property
    def not_taken(self) -> list[LogEntry]:
        return [e for e in self.entries if e.status in ("refused", "rejected")]


@task(cache_policy=NONE)
def discover_files(raw_dir: Path) -> list[FoundFile]:
    """Name every file under the raw directory (contract §1.1)."""
    return discover(raw_dir, load_contract().all_datasets)


def load_record_file(con: duckdb.DuckDBPyConnection, raw_dir: Path, load_id: str, found: FoundFile) -> LogEntry:
    """A record-level export (dossiers): same naming, history and duplicate rules, typed by DuckDB."""
    spec = load_contract().records[found.dataset]
    if not is_month(found) or found.path.rsplit(".", 1)[-1].lower() != "csv":
        entry = LogEntry(found, None, "refused", f"{found.path}: {found.dataset} files are CSV exports of one calendar month (<province>_YYYY-MM.csv)")
        log_file(con, load_id, entry)
        return entry
    try:
        sha = sha256_of_file(raw_dir, found.path)
    except OSError as err:
        entry = LogEntry(found, None, "refused", f"unreadable: {err.strerror or err}")
        log_file(con, load_id, entry)
        return entry
    if was_loaded(con, found.path, sha):
        entry = LogEntry(found, sha, "duplicate", "the same content at the same path was loaded before", 0)
        log_file(con, load_id, entry)
        return entry
    try:
        return load_records(con, inside(raw_dir, found.path), LogEntry(found, sha, "loaded"), load_id, spec)
    except duckdb.Error as err:
        entry = LogEntry(found, sha, "refused", f"{found.path}: not a readable {found.dataset} export ({err})")
        log_file(con, load_id, entry)
        return entry


@task(cache_policy=NONE, task_run_name="load {found.path}")
def load_one_file(con: duckdb.DuckDBPyConnection, raw_dir: Path, load_id: str, found: FoundFile) -> LogEntry:
    """Read, lay out and write one file; the log row says what happened to it.

    Written files are logged as loaded; once dbt has judged them, the pipeline marks those
    that an error finding rejects, or that are not the version in use, as such."""
    contract = load_contract()
    if found.refusal:
        entry = LogEntry(found, None, "refused", found.refusal)
        log_file(con, load_id, entry)
        return entry
    if found.dataset in contract.records:
        return load_record_file(con, raw_dir, load_id, found)
    try:
        data = read_bytes(raw_dir, found.path)
    except OSError as err:
        entry = LogEntry(found, None, "refused", f"unreadable: {err.strerror or err}")
        log_file(con, load_id, entry)
        return entry
    sha = sha256_of(data)
    if was_loaded(con, found.path, sha):
        entry = LogEntry(found, sha, "duplicate", "the same content at the same path was loaded before", 0)
        log_file(con, load_id, entry)
        return entry
    try:
        table = parse_report(data, found, contract)
    except DecodeError as err:
        entry = LogEntry(found, sha, "refused", f"{found.path}: {err}")
        log_file(con, load_id, entry)
        return entry
    except HeaderError as err:
        entry = LogEntry(found, sha, "rejected", f"{found.path}: {err}")
        log_file(con, load_id, entry)
        return entry
    reason = f"unknown columns ignored: {'; '.join(table.unknown_columns)}" if table.unknown_columns else None
    entry = LogEntry(found, sha, "loaded", reason, len(table.rows))
    write_file(con, load_id, contract.datasets[found.dataset], entry, table)
    return entry


def ingest(con: duckdb.DuckDBPyConnection, raw_dir: Path, load_id: str) -> IngestSummary:
    """Discover → decode → lay out → map → load, one transaction per file."""
    logger = get_run_logger()
    contract = load_contract()
    ensure_schema(con, contract)
    for spec in contract.records.values():
        ensure_records_schema(con, spec)
    entries = []
    found = discover_files(raw_dir)
    for number, f in enumerate(found, start=1):
        entry = load_one_file(con, raw_dir, load_id, f)
        logger.info("%s: %s%s [file %d of %d]", f.path, entry.status, f" ({entry.reason})" if entry.reason else "", number, len(found))
        entries.append(entry)
    return IngestSummary(entries)
