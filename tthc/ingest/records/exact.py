"""The exact path: every column read as text, each line numbered, each value typed in SQL against
every accepted format; rows that cannot be typed are rejected with their line and reason."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tthc.contract.datasets import RecordDataset
from tthc.ingest.load import LogEntry
from tthc.ingest.records.header import TIMESTAMP_FORMATS, Header, column_types, encoding_of, fresh_rejects, read_csv_sql
from tthc.warehouse.schema import quote_ident


def _typed(column: str, sql_type: str) -> str:
    """The SQL that types one text column; NULL when it cannot be typed. Text stays as written."""
    if sql_type == "varchar":
        return f"nullif({quote_ident(column)}, '')"
    col = f"nullif(trim({quote_ident(column)}), '')"
    if sql_type == "timestamp":
        formats = ", ".join(f"'{f}'" for f in TIMESTAMP_FORMATS)
        return f"try_strptime({col}, [{formats}])"
    return f"try_cast({col} as boolean)"


def _problem(column: str, sql_type: str, required: bool) -> str:
    """SQL giving why one text column of a row cannot be loaded, or NULL."""
    raw = f"nullif(trim({quote_ident(column)}), '')"
    checks = []
    if required:
        checks.append(f"when {raw} is null then '{column} is empty'")
    if sql_type != "varchar":
        checks.append(
            f"when {raw} is not null and {_typed(column, sql_type)} is null "
            f"then '{column} \"' || {raw} || '\" is not a {sql_type}'"
        )
    return f"case {' '.join(checks)} end" if checks else "null"


def _reason(header: Header, spec: RecordDataset) -> str:
    """SQL giving the first reason a row read as text cannot be loaded, or NULL."""
    return f"coalesce({', '.join(_problem(c.name, c.type, c.required) for c in header.present(spec))}, null)"


def load_exact(
    con: duckdb.DuckDBPyConnection, path: Path, header: Header, spec: RecordDataset, file_id: int, entry: LogEntry,
    load_id: str,
) -> int:
    """Read every column as text, number the lines, type each value; reject rows with their line.
    Returns the lines read (records + unreadable lines)."""
    fresh_rejects(con)
    con.execute(
        f"create or replace temp table _records as select * from {read_csv_sql(None)}",
        [str(path), column_types(header, spec, typed=False), encoding_of(path)],
    )
    present = header.present(spec)
    numbered = f"with numbered as ({_numbered(con)}) select *, {_reason(header, spec)} as _reason from numbered"
    con.execute(
        f"insert into raw.{quote_ident(spec.name)} (_file_id, {', '.join(quote_ident(c.name) for c in present)}) "
        f"select ?, {', '.join(_typed(c.name, c.type) for c in present)} from ({numbered}) where _reason is null",
        [file_id],
    )
    con.execute(
        f"""insert into audit.record_rejects
            select ?, ?, ?, _line_number, _reason,
                   concat_ws(',', {', '.join(f"coalesce({quote_ident(n)}, '')" for n in header.names)})
            from ({numbered}) where _reason is not null""",
        [load_id, entry.found.path, entry.sha256],
    )
    records, unreadable = (con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("_records", "_record_lines"))
    return records + unreadable


def _numbered(con: duckdb.DuckDBPyConnection) -> str:
    """A query of _records with the physical line of each record: k + 1 for the k-th record read,
    plus the rejected lines before it."""
    con.execute(
        """create or replace temp table _record_lines as
           select row_number() over (order by line) as i, line
           from (select distinct line from _record_csv_rejects)"""
    )
    first = "(select min(rowid) from _records)"
    if con.execute("select count(*) from _record_lines").fetchone()[0] == 0:
        return f"select *, rowid - {first} + 2 as _line_number from _records"
    return f"""select r.*, r.k + 1 + coalesce(j.i, 0) as _line_number
               from (select *, rowid - {first} + 1 as k from _records) as r
               asof left join (
                   -- t = records before the i-th rejected line; consecutive rejected lines share a t
                   select line - 1 - i as threshold, max(i) as i from _record_lines group by threshold
               ) as j
                   on r.k > j.threshold"""
