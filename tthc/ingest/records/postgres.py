"""The PostgreSQL target: an export typed by DuckDB exactly as on the DuckDB target, in a scratch
file, then copied in, into the partitions of the months its rows were received in."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from tthc.contract.datasets import Contract, RecordDataset
from tthc.ingest.load import LogEntry, append_log, catalog_file, next_file_id
from tthc.ingest.records import load_records
from tthc.warehouse.base import transaction
from tthc.warehouse.postgres import PgConnection, add_month_partitions
from tthc.warehouse.schema import ensure_warehouse, quote_ident


def load_records_into_postgres(
    pg: PgConnection, contract: Contract, path: Path, entry: LogEntry, load_id: str, spec: RecordDataset
) -> LogEntry:
    """The PostgreSQL target: the export is read and typed by DuckDB exactly as on the DuckDB
    target, in a scratch file, then written to PostgreSQL with COPY, in one transaction with its
    rejected lines, catalog row and log row; rows read = rows written is checked there."""
    with tempfile.TemporaryDirectory(prefix="tthc-records-") as tmp:
        scratch = duckdb.connect(str(Path(tmp) / "scratch.duckdb"), config={"memory_limit": pg.memory_limit})
        try:
            ensure_warehouse(scratch, contract)
            typed = load_records(scratch, contract, path, entry, load_id, spec)
            file_id = next_file_id(pg)  # one writer at a time: the id is still free when the rows go in
            names = ["_file_id", *(c.name for c in spec.columns)]
            rows_csv = Path(tmp) / "rows.csv"
            columns = ", ".join(quote_ident(n) for n in names[1:])
            scratch.execute(
                f"copy (select {int(file_id)} as _file_id, {columns} from raw.{quote_ident(spec.name)}) "
                f"to '{rows_csv}' (header false)"
            )
            loaded = scratch.execute(f"select count(*) from raw.{quote_ident(spec.name)}").fetchone()[0]
            months = scratch.execute(
                f"select distinct cast(date_trunc('month', {quote_ident(spec.month_column)}) as date) "
                f"from raw.{quote_ident(spec.name)} where {quote_ident(spec.month_column)} is not null"
            ).fetchall()
            rejects = scratch.execute(
                "select load_id, file_path, file_sha256, line_number, reason, line_text from audit.record_rejects"
            ).fetchall()
        finally:
            scratch.close()
        at = datetime.now(UTC)
        with transaction(pg):
            add_month_partitions(pg, spec, [m for (m,) in months])
            pg.copy_csv(f"raw.{quote_ident(spec.name)}", [quote_ident(n) for n in names], rows_csv)
            pg.copy_rows("audit.record_rejects", ["load_id", "file_path", "file_sha256", "line_number", "reason", "line_text"],
                         iter(rejects))
            written = pg.execute(f"select count(*) from raw.{quote_ident(spec.name)} where _file_id = ?", [file_id]).fetchone()[0]
            if written != loaded or written + len(rejects) != typed.rows_read:
                raise RuntimeError(
                    f"{entry.found.path}: read {typed.rows_read} lines but wrote {written} rows and {len(rejects)} rejected lines"
                )
            catalog_file(pg, load_id, at, typed, loaded, file_id)
            append_log(pg, load_id, at, typed)
    return typed
