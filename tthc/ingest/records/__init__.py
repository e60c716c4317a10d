"""Record-level exports (dossiers) → raw.dossiers, typed at load by DuckDB's vectorised CSV reader.

No Python loop over rows and no type sniffing: the contract's columns are matched to the
file's header by name and typed as the contract says. One transaction per file, on one of
two paths:

- bulk, the usual case. The export writes all its dates in one of the accepted formats, read
  off its first record. DuckDB's CSV reader types the file and inserts it straight into
  raw.dossiers, as bare DuckDB would. Lines it cannot read go to its rejects table with their
  line numbers. A value it cannot type, or a row without a required value, sends the whole
  file to the exact path (the bulk insert is rolled back).
- exact, for everything else: dates in more than one format, or a required value empty or
  starting with a blank. Every column is read as text into a temporary table and numbered by line.
  Each value is typed in SQL against all the accepted formats, and rows that cannot be typed
  are rejected with their line. Exports have one record per physical line (no line breaks
  inside fields, no blank lines), so the line of the k-th record read is k + 1 plus the
  rejected lines before it.

On both paths, lines read (records + unreadable lines, as DuckDB's reader counts them) =
rows loaded + lines rejected, checked before the file's transaction commits.

Rejected lines are kept, as written, in audit.record_rejects with file, line and reason.
A loaded row carries its file version (`_file_id`, raw.report_files), not its line: numbering
millions of rows costs as much as reading them, and a loaded dossier is found by its file and
dossier_id.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from tthc.contract.datasets import Contract, RecordDataset
from tthc.ingest.discover import FoundFile
from tthc.ingest.load import LogEntry, append_log, catalog_file, next_file_id
from tthc.ingest.records.bulk import load_bulk
from tthc.ingest.records.exact import load_exact
from tthc.ingest.records.header import TIMESTAMP_FORMATS, Header, read_header, timestamp_format
from tthc.warehouse.base import transaction
from tthc.warehouse.schema import quote_ident

__all__ = ["TIMESTAMP_FORMATS", "is_month", "load_records"]


def load_records(
    con: duckdb.DuckDBPyConnection, contract: Contract, path: Path, entry: LogEntry, load_id: str, spec: RecordDataset
) -> LogEntry:
    """Load one export in one transaction; returns its log entry with the rows loaded (`contract`:
    unused here, taken as the PostgreSQL path takes it).
    Raises HeaderError when the header does not give the contract's columns."""
    header = read_header(path, spec)
    timestamps = timestamp_format(header, spec)
    if timestamps is not None:
        def bulk(file_id: int) -> int | None:
            return load_bulk(con, path, header, spec, timestamps, file_id)

        try:
            done = _in_transaction(con, entry, load_id, spec, header, bulk, how="")
        finally:
            con.execute("reset preserve_insertion_order")  # after the transaction: the exact path numbers rows in order
        if done is not None:
            return done
    def exact(file_id: int) -> int:
        return load_exact(con, path, header, spec, file_id, entry, load_id)

    how = ", read as text (dates in more than one format or not dates, or an empty required value)"
    done = _in_transaction(con, entry, load_id, spec, header, exact, how=how)
    assert done is not None  # the exact path takes every file
    return done


def _in_transaction(
    con: duckdb.DuckDBPyConnection, entry: LogEntry, load_id: str, spec: RecordDataset, header: Header,
    load: Callable[[int], int | None], how: str,
) -> LogEntry | None:
    """Run one load path in the file's transaction with its bookkeeping: the catalog row, the
    rejected lines, the conservation check and the log row. Rolls back and returns None when the
    path declines the file."""
    f, started, at = entry.found, time.monotonic(), datetime.now(UTC)
    try:
        with transaction(con):
            file_id = next_file_id(con)
            read = load(file_id)
            if read is None:
                raise _Declined
            con.execute(
                """insert into audit.record_rejects
                   select ?, ?, ?, line, string_agg(error_type || ': ' || error_message, '; '), first(csv_line)
                   from _record_csv_rejects group by line""",
                [load_id, f.path, entry.sha256],
            )
            loaded = con.execute(f"select count(*) from raw.{quote_ident(spec.name)} where _file_id = ?", [file_id]).fetchone()[0]
            rejected = con.execute(
                "select count(*) from audit.record_rejects where file_path = ? and file_sha256 = ? and load_id = ?",
                [f.path, entry.sha256, load_id],
            ).fetchone()[0]
            if read != loaded + rejected:
                raise RuntimeError(f"{f.path}: read {read} lines but loaded {loaded} and rejected {rejected}")
            catalog_file(con, load_id, at, entry, loaded, file_id)
            seconds = time.monotonic() - started
            unknown = header.unknown(spec)
            note = (
                f"{loaded:,} rows loaded, {rejected:,} rejected (audit.record_rejects), "
                f"{read / max(seconds, 1e-9):,.0f} lines/s{how}"
                + (f"; columns not in the contract ignored: {', '.join(unknown)}" if unknown else "")
            )
            done = LogEntry(f, entry.sha256, "loaded", note, read)
            append_log(con, load_id, datetime.now(UTC), done)
        return done
    except _Declined:  # rolled back: the caller tries the other path
        return None


class _Declined(Exception):
    """A load path declines the file (rolled back, not an error)."""


def is_month(found: FoundFile) -> bool:
    """Dossier exports cover one calendar month (YYYY-MM)."""
    return bool(found.period and re.fullmatch(r"\d{4}-\d{2}", found.period))
