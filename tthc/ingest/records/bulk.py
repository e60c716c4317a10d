"""The bulk path: the export typed by DuckDB's CSV reader and inserted in one statement, as bare
DuckDB would; it declines a file (None) when a value was not in the first record's format or a
required value may be missing."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tthc.contract.datasets import RecordDataset
from tthc.ingest.records.header import Header, column_types, encoding_of, fresh_rejects, read_csv_sql
from tthc.warehouse.schema import quote_ident


def load_bulk(
    con: duckdb.DuckDBPyConnection, path: Path, header: Header, spec: RecordDataset, timestamps: str, file_id: int
) -> int | None:
    """Insert the file typed by the CSV reader; returns the lines read, or None when some value was
    not in the first record's format or some row may lack a required value (the caller rolls back)."""
    present = ", ".join(quote_ident(c.name) for c in header.present(spec))
    fresh_rejects(con)
    con.execute("set preserve_insertion_order = false")  # rows carry no line: any order, written in parallel
    inserted = con.execute(
        f"insert into raw.{quote_ident(spec.name)} (_file_id, {present}) "
        f"select ?, {present} from {read_csv_sql(timestamps)}",
        [file_id, str(path), column_types(header, spec, typed=True), encoding_of(path)],
    ).fetchone()[0]
    cast_errors, unreadable = con.execute(
        "select count(*) filter (where error_type = 'CAST'), count(distinct line) from _record_csv_rejects"
    ).fetchone()
    # A required value that is missing, or that sorts before '!' (empty, or led by a blank or a
    # control character): the exact path decides. Answered from each row group's min/max and null
    # statistics, in milliseconds.
    maybe_empty = " or ".join(
        f"{quote_ident(c.name)} is null" + (f" or {quote_ident(c.name)} < '!'" if c.type == "varchar" else "")
        for c in spec.columns if c.required
    )
    suspects = con.execute(
        f"select count(*) from raw.{quote_ident(spec.name)} where _file_id = ? and ({maybe_empty})", [file_id]
    ).fetchone()[0]
    return None if cast_errors or suspects else inserted + unreadable
