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

import codecs
import csv
import itertools
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from tthc.contract.datasets import RecordColumn, RecordDataset, load_contract
from tthc.ingest.discover import FoundFile
from tthc.ingest.header import HeaderError
from tthc.ingest.load import LogEntry, append_log, catalog_file, next_file_id
from tthc.settings import MEMORY_LIMIT
from tthc.warehouse.base import transaction
from tthc.warehouse.postgres import PgConnection
from tthc.warehouse.schema import RECORD_SQL_TYPES, quote_ident

TIMESTAMP_FORMATS = [
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
]
@dataclass(frozen=True)
class Header:
    """The file's columns in order (canonical names), and the first record under them."""

    names: list[str]
    first: dict[str, str]

    def present(self, spec: RecordDataset) -> list[RecordColumn]:
        return [c for c in spec.columns if c.name in self.names]

    def unknown(self, spec: RecordDataset) -> list[str]:
        known = {c.name for c in spec.columns}
        return [n for n in self.names if n not in known]


def _encoding(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(2)
    return "utf-16" if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8"


def read_header(path: Path, spec: RecordDataset) -> Header:
    """Line 1 matched to the contract by name; raises HeaderError when a column is missing or twice."""
    encoding = "utf-8-sig" if _encoding(path) == "utf-8" else "utf-16"
    with open(path, encoding=encoding, newline="") as f:
        rows = list(itertools.islice(csv.reader(f), 2))
    if not rows:
        raise HeaderError("line 1: no header")
    names = [n.strip().lower() for n in rows[0]]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise HeaderError(f"line 1: column {twice[0]!r} appears twice")
    missing = [c.name for c in spec.columns if not c.optional and c.name not in names]
    if missing:
        raise HeaderError(f"line 1: the header has no column {', '.join(missing)} (it has {', '.join(names)})")
    return Header(names, dict(zip(names, rows[1])) if len(rows) > 1 else {})


def timestamp_format(header: Header, spec: RecordDataset) -> str | None:
    """The one accepted format that every date of the first record is written in, or None.

    An export system writes all its dates alike: the file is then read typed, in one pass, as
    bare DuckDB would. If any value turns out otherwise, the file is read again as text."""
    values = [header.first.get(c.name, "") for c in spec.columns if c.type == "timestamp"]
    values = [v for v in values if v]
    for fmt in TIMESTAMP_FORMATS:
        if values and all(_parses(v, fmt) for v in values):
            return fmt
    return None


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


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


def _read_csv(timestamps: str | None) -> str:
    """read_csv over the file (parameters: path, columns, encoding), its unreadable lines into
    _record_csv_rejects. With a timestamp format, typed as the contract says; without, all text."""
    options = f", timestampformat = '{timestamps}'" if timestamps else ""
    return (
        "read_csv(?, header = true, auto_detect = false, columns = ?, encoding = ?, null_padding = false, "
        f"store_rejects = true{options}, rejects_table = '_record_csv_rejects', rejects_scan = '_record_csv_scan')"
    )


def _columns(header: Header, spec: RecordDataset, typed: bool) -> dict[str, str]:
    types = {c.name: RECORD_SQL_TYPES[c.type] for c in spec.columns} if typed else {}
    return {n: types.get(n, "varchar") for n in header.names}


def _fresh_rejects(con: duckdb.DuckDBPyConnection) -> None:
    # DuckDB appends to an existing rejects table: start each read with empty ones.
    con.execute("drop table if exists _record_csv_rejects")
    con.execute("drop table if exists _record_csv_scan")


def _bulk(
    con: duckdb.DuckDBPyConnection, path: Path, header: Header, spec: RecordDataset, timestamps: str, file_id: int
) -> int | None:
    """Insert the file typed by the CSV reader; returns the lines read, or None when some value was
    not in the first record's format or some row may lack a required value (the caller rolls back)."""
    present = ", ".join(quote_ident(c.name) for c in header.present(spec))
    _fresh_rejects(con)
    con.execute("set preserve_insertion_order = false")  # rows carry no line: any order, written in parallel
    inserted = con.execute(
        f"insert into raw.{quote_ident(spec.name)} (_file_id, {present}) "
        f"select ?, {present} from {_read_csv(timestamps)}",
        [file_id, str(path), _columns(header, spec, typed=True), _encoding(path)],
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


def _exact(
    con: duckdb.DuckDBPyConnection, path: Path, header: Header, spec: RecordDataset, file_id: int, entry: LogEntry,
    load_id: str,
) -> int:
    """Read every column as text, number the lines, type each value; reject rows with their line.
    Returns the lines read (records + unreadable lines)."""
    _fresh_rejects(con)
    con.execute(
        f"create or replace temp table _records as select * from {_read_csv(None)}",
        [str(path), _columns(header, spec, typed=False), _encoding(path)],
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


def load_records(con: duckdb.DuckDBPyConnection, path: Path, entry: LogEntry, load_id: str, spec: RecordDataset) -> LogEntry:
    """Load one export in one transaction; returns its log entry with the rows loaded.
    Raises HeaderError when the header does not give the contract's columns."""
    header = read_header(path, spec)
    timestamps = timestamp_format(header, spec)
    if timestamps is not None:
        def bulk(file_id: int) -> int | None:
            return _bulk(con, path, header, spec, timestamps, file_id)

        try:
            done = _in_transaction(con, entry, load_id, spec, header, bulk, how="")
        finally:
            con.execute("reset preserve_insertion_order")  # after the transaction: the exact path numbers rows in order
        if done is not None:
            return done
    def exact(file_id: int) -> int:
        return _exact(con, path, header, spec, file_id, entry, load_id)

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


def load_records_into_postgres(
    pg: PgConnection, path: Path, entry: LogEntry, load_id: str, spec: RecordDataset
) -> LogEntry:
    """The PostgreSQL target: the export is read and typed by DuckDB exactly as on the DuckDB
    target, in a scratch file, then written to PostgreSQL with COPY, in one transaction with its
    rejected lines, catalog row and log row; rows read = rows written is checked there."""
    from tthc.warehouse.schema import ensure_warehouse

    with tempfile.TemporaryDirectory(prefix="tthc-records-") as tmp:
        scratch = duckdb.connect(str(Path(tmp) / "scratch.duckdb"), config={"memory_limit": MEMORY_LIMIT})
        try:
            ensure_warehouse(scratch, load_contract())
            typed = load_records(scratch, path, entry, load_id, spec)
            file_id = next_file_id(pg)  # one writer at a time: the id is still free when the rows go in
            names = ["_file_id", *(c.name for c in spec.columns)]
            rows_csv = Path(tmp) / "rows.csv"
            columns = ", ".join(quote_ident(n) for n in names[1:])
            scratch.execute(
                f"copy (select {int(file_id)} as _file_id, {columns} from raw.{quote_ident(spec.name)}) "
                f"to '{rows_csv}' (header false)"
            )
            loaded = scratch.execute(f"select count(*) from raw.{quote_ident(spec.name)}").fetchone()[0]
            rejects = scratch.execute(
                "select load_id, file_path, file_sha256, line_number, reason, line_text from audit.record_rejects"
            ).fetchall()
        finally:
            scratch.close()
        at = datetime.now(UTC)
        with transaction(pg):
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
