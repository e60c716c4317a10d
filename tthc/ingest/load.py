"""Write report files into DuckDB: raw.<dataset> rows, raw.report_files and the audit log
(the tables themselves are defined in tthc/warehouse/schema.py).

One file = one transaction: its rows, its catalog row, its skipped rows and its log row
land together or not at all. Statements take values as parameters; identifiers come only
from the contract (checked to be plain snake_case).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from tthc.contract.datasets import Dataset, SnapshotDataset
from tthc.ingest.discover import FoundFile
from tthc.ingest.layout import Table
from tthc.warehouse.base import transaction
from tthc.warehouse.schema import LINEAGE_COLUMNS, SNAPSHOT_LINEAGE_COLUMNS, quote_ident


def was_loaded(con: duckdb.DuckDBPyConnection, path: str, sha256: str) -> bool:
    """The same content at the same path is already in the raw tables."""
    return con.execute(
        "select count(*) from raw.report_files where file_path = ? and file_sha256 = ?", [path, sha256]
    ).fetchone()[0] > 0


def delivered_last(con: duckdb.DuckDBPyConnection, path: str) -> tuple[str, datetime] | None:
    """The content delivered last at a path, and when: what the path held at the last run."""
    return con.execute(
        "select file_sha256, delivered_at from raw.deliveries where file_path = ? order by delivered_at desc limit 1",
        [path],
    ).fetchone()


def deliver(con: duckdb.DuckDBPyConnection, load_id: str, at: datetime, path: str, sha256: str) -> None:
    """Record that this content is now the content at its path."""
    con.execute("insert into raw.deliveries values (?, ?, ?, ?)", [path, sha256, load_id, at])


@dataclass(frozen=True)
class LogEntry:
    found: FoundFile
    sha256: str | None
    status: str  # loaded | duplicate | redelivered | missing | superseded | refused | rejected
    reason: str | None = None
    rows_read: int | None = None


def retime_load(con: duckdb.DuckDBPyConnection, load_id: str, at: datetime) -> None:
    """Give one load's arrivals, catalog rows and log rows the time `at` (TTHC_AS_OF)."""
    con.execute("update raw.deliveries set delivered_at = ? where load_id = ?", [at, load_id])
    con.execute("update raw.report_files set loaded_at = ? where load_id = ?", [at, load_id])
    con.execute("update audit.ingest_log set loaded_at = ? where load_id = ?", [at, load_id])


def next_file_id(con: duckdb.DuckDBPyConnection) -> int:
    """The id of the next file version loaded: 1, 2, 3… in load order (one writer at a time)."""
    return con.execute("select coalesce(max(file_id), 0) + 1 from raw.report_files").fetchone()[0]


def catalog_file(
    con: duckdb.DuckDBPyConnection, load_id: str, at: datetime, entry: LogEntry, rows_read: int, file_id: int
) -> None:
    """The file version's row in raw.report_files, and its first delivery."""
    f = entry.found
    con.execute(
        """insert into raw.report_files (file_path, file_sha256, dataset, province_code, period, period_start,
               period_end, revision, load_id, loaded_at, rows_read, file_id, snapshot_group, captured_on, unit_code)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [f.path, entry.sha256, f.dataset, f.province_code, f.period, f.period_start, f.period_end,
         f.revision, load_id, at, rows_read, file_id, f.snapshot_group, f.captured_on, f.unit_code],
    )
    deliver(con, load_id, at, f.path, entry.sha256)


def append_log(con: duckdb.DuckDBPyConnection, load_id: str, at: datetime, e: LogEntry) -> None:
    f = e.found
    con.execute(
        """insert into audit.ingest_log (file_path, file_sha256, dataset, province_code, period, revision, status,
               reason, rows_read, load_id, loaded_at, unit_code)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [f.path, e.sha256, f.dataset, f.province_code, f.period, f.revision, e.status, e.reason, e.rows_read, load_id,
         at, f.unit_code],
    )


def log_file(con: duckdb.DuckDBPyConnection, load_id: str, entry: LogEntry) -> None:
    """A file whose rows are not written (duplicate, refused, rejected): its log row only."""
    append_log(con, load_id, datetime.now(UTC), entry)


def catalog_and_log(
    con: duckdb.DuckDBPyConnection, load_id: str, at: datetime, entry: LogEntry, rows_read: int, table: str
) -> None:
    """After a file's rows: check that all of them are in `table`, then its catalog and log rows."""
    f = entry.found
    written = con.execute(
        f"select count(*) from {table} where _file_path = ? and _file_sha256 = ? and _load_id = ?",
        [f.path, entry.sha256, load_id],
    ).fetchone()[0]
    if written != rows_read:
        raise RuntimeError(f"{f.path}: read {rows_read} rows but {written} are in {table}")
    catalog_file(con, load_id, at, entry, rows_read, next_file_id(con))
    append_log(con, load_id, at, entry)


def write_file(
    con: duckdb.DuckDBPyConnection, load_id: str, dataset: Dataset, entry: LogEntry, table: Table
) -> None:
    """Rows, catalog row, skipped rows and log row of one file, in one transaction."""
    f, at = entry.found, datetime.now(UTC)
    cols = dataset.column_names
    rows = table.rows
    notes = [(s.line_number, s.kind, s.text) for s in table.skipped]
    notes += [(None, "unknown_column", label) for label in table.unknown_columns]
    with transaction(con):
        con.insert_columns(f"raw.{quote_ident(dataset.name)}", [*LINEAGE_COLUMNS, *cols], [
            [f.path] * len(rows), [entry.sha256] * len(rows), [r.line_number for r in rows],
            [r.row_kind for r in rows], [load_id] * len(rows), *([r.cells.get(c) for r in rows] for c in cols),
        ])
        placed = sorted(table.columns.items())
        con.insert_columns("raw.report_columns", ["file_path", "file_sha256", "column_name", "position", "sheet"], [
            [f.path] * len(placed), [entry.sha256] * len(placed), [name for _, name in placed],
            [index + 1 for index, _ in placed], [table.sheet] * len(placed),
        ])
        con.insert_columns("audit.ingest_notes", ["load_id", "file_path", "file_sha256", "line_number", "kind", "text"], [
            [load_id] * len(notes), [f.path] * len(notes), [entry.sha256] * len(notes), *map(list, zip(*notes)),
        ] if notes else [])
        catalog_and_log(con, load_id, at, entry, len(rows), f"raw.{quote_ident(dataset.name)}")


def write_snapshot(
    con: duckdb.DuckDBPyConnection, load_id: str, dataset: SnapshotDataset, entry: LogEntry,
    rows: list[dict[str, str | None]],
) -> None:
    """Rows, catalog row and log row of one index snapshot, in one transaction."""
    f, at = entry.found, datetime.now(UTC)
    table = f"raw.{quote_ident(dataset.name)}"
    with transaction(con):
        con.insert_columns(table, [*SNAPSHOT_LINEAGE_COLUMNS, *dataset.column_names], [
            [f.path] * len(rows), [entry.sha256] * len(rows), [load_id] * len(rows),
            *([r[c] for r in rows] for c in dataset.column_names),
        ])
        catalog_and_log(con, load_id, at, entry, len(rows), table)
