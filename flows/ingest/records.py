"""Record-level exports (dossiers) → raw.dossiers, typed at load by DuckDB's vectorised CSV reader.

No Python loop over rows and no type sniffing: the schema is the contract's. An export writes
all its dates in one of the accepted formats, read off its first record; the CSV reader then
types the file in one pass, as bare DuckDB would, and turns away any value it cannot type. If
it turned any away, the file is read again with every column as text and each value typed in
SQL against all the accepted formats, so that a file mixing formats loads what it can and
rejects exactly the rest. Lines the CSV reader cannot read (DuckDB's rejects) and rows that
cannot be typed are kept, as written, in audit.record_rejects with file, line and reason.
For every file: lines read = rows loaded + rows rejected, checked before the transaction commits.

Exports have one record per physical line (no line breaks inside fields), so the line of the
k-th record read is k + 1 plus the rejected lines before it.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from flows.ingest.contract import RecordDataset
from flows.ingest.discover import FoundFile
from flows.ingest.load import LogEntry, append_log, quote_ident

TIMESTAMP_FORMATS = [
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
]
_SQL_TYPES = {"varchar": "varchar", "timestamp": "timestamp", "boolean": "boolean"}

REJECTS_DDL = """create table if not exists audit.record_rejects (
    load_id varchar not null, file_path varchar not null, file_sha256 varchar not null,
    line_number bigint, reason varchar not null, line_text varchar)"""


def ensure_records_schema(con: duckdb.DuckDBPyConnection, spec: RecordDataset) -> None:
    cols = ", ".join(f"{quote_ident(c.name)} {_SQL_TYPES[c.type]}" for c in spec.columns)
    con.execute(
        f"create table if not exists raw.{quote_ident(spec.name)} (_file_path varchar not null, "
        f"_file_sha256 varchar not null, _line_number bigint not null, _load_id varchar not null, {cols})"
    )
    con.execute(REJECTS_DDL)


def _encoding(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(2)
    return "utf-16" if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8"


def timestamp_format(path: Path, spec: RecordDataset) -> str | None:
    """The one accepted format that every date of the file's first record is written in, or None.

    An export system writes all its dates alike: the file is then read typed, in one pass, as
    bare DuckDB would. If any value turns out otherwise, the file is read again as text."""
    encoding = "utf-8-sig" if _encoding(path) == "utf-8" else "utf-16"
    with open(path, encoding=encoding, newline="") as f:
        rows = list(itertools.islice(csv.reader(f), 2))
    if len(rows) < 2:
        return None
    record = dict(zip(rows[0], rows[1]))
    values = [record.get(c.name, "") for c in spec.columns if c.type == "timestamp"]
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


def _problem(column: str, sql_type: str, required: bool, typed_read: bool) -> str:
    """SQL giving why one column of a row cannot be loaded, or NULL. After a typed read, the CSV
    reader has turned away every value it could not type: only emptiness is left to check."""
    col = quote_ident(column)
    raw = f"nullif(trim({col}), '')"
    checks = []
    if required and typed_read:  # trim only what may be blanks (cheaper on millions of rows)
        blank = f" or ({col}[1] = ' ' and trim({col}) = '')" if sql_type == "varchar" else ""
        checks.append(f"when {col} is null{blank} then '{column} is empty'")
    elif required:
        checks.append(f"when {raw} is null then '{column} is empty'")
    if sql_type != "varchar" and not typed_read:
        checks.append(
            f"when {raw} is not null and {_typed(column, sql_type)} is null "
            f"then '{column} \"' || {raw} || '\" is not a {sql_type}'"
        )
    return f"case {' '.join(checks)} end" if checks else "null"


def _read(con: duckdb.DuckDBPyConnection, path: Path, spec: RecordDataset, timestamps: str | None) -> None:
    """The file into temp table _records, its unreadable lines into _record_csv_rejects.
    With a timestamp format, typed by the CSV reader; without, every column as text."""
    types = {c.name: (_SQL_TYPES[c.type] if timestamps else "varchar") for c in spec.columns}
    options = f", timestampformat = '{timestamps}'" if timestamps else ""
    # DuckDB appends to an existing rejects table: start each read with empty ones.
    con.execute("drop table if exists _record_csv_rejects")
    con.execute("drop table if exists _record_csv_scan")
    con.execute(
        "create or replace temp table _records as select * from read_csv(?, header = true, auto_detect = false, "
        f"columns = ?, encoding = ?, null_padding = false, store_rejects = true{options}, "
        "rejects_table = '_record_csv_rejects', rejects_scan = '_record_csv_scan')",
        [str(path), types, _encoding(path)],
    )


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


def load_records(
    con: duckdb.DuckDBPyConnection, path: Path, entry: LogEntry, load_id: str, spec: RecordDataset
) -> LogEntry:
    """Load one export in one transaction; returns its log entry with the rows loaded."""
    f, started = entry.found, time.monotonic()
    names = [c.name for c in spec.columns]
    con.execute("begin transaction")
    try:
        timestamps = timestamp_format(path, spec)
        if timestamps is not None:
            _read(con, path, spec, timestamps)
            if con.execute("select count(*) from _record_csv_rejects where error_type = 'CAST'").fetchone()[0]:
                timestamps = None  # some value is not in the first record's format: read as text, type each value
        if timestamps is None:
            _read(con, path, spec, None)
        typed = ", ".join(quote_ident(c.name) if timestamps else _typed(c.name, c.type) for c in spec.columns)
        reason = f"coalesce({', '.join(_problem(c.name, c.type, c.required, typed_read=timestamps is not None) for c in spec.columns)})"
        numbered = f"with numbered as ({_numbered(con)}) select *, {reason} as _reason from numbered"
        con.execute(
            f"insert into raw.{quote_ident(spec.name)} (_file_path, _file_sha256, _line_number, _load_id, "
            f"{', '.join(map(quote_ident, names))}) "
            f"select ?, ?, _line_number, ?, {typed} from ({numbered}) where _reason is null",
            [f.path, entry.sha256, load_id],
        )
        con.execute(
            """insert into audit.record_rejects
               select ?, ?, ?, line, string_agg(error_type || ': ' || error_message, '; '), first(csv_line)
               from _record_csv_rejects group by line""",
            [load_id, f.path, entry.sha256],
        )
        records, unreadable = (con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("_records", "_record_lines"))
        loaded = con.execute(
            f"select count(*) from raw.{quote_ident(spec.name)} where _file_path = ? and _file_sha256 = ? and _load_id = ?",
            [f.path, entry.sha256, load_id],
        ).fetchone()[0]
        if loaded < records:  # some records were not loaded: keep them with their reasons (skipped when none)
            con.execute(
                f"""insert into audit.record_rejects
                    select ?, ?, ?, _line_number, _reason,
                           concat_ws(',', {', '.join(f"coalesce(cast({quote_ident(n)} as varchar), '')" for n in names)})
                    from ({numbered}) where _reason is not null""",
                [load_id, f.path, entry.sha256],
            )
        read = records + unreadable
        rejected = con.execute(
            "select count(*) from audit.record_rejects where file_path = ? and file_sha256 = ? and load_id = ?",
            [f.path, entry.sha256, load_id],
        ).fetchone()[0]
        if read != loaded + rejected:
            raise RuntimeError(f"{f.path}: read {read} lines but loaded {loaded} and rejected {rejected}")
        con.execute(
            "insert into raw.report_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [f.path, entry.sha256, f.dataset, f.province_code, f.period, f.period_start, f.period_end,
             f.revision, load_id, datetime.now(timezone.utc), loaded],
        )
        seconds = time.monotonic() - started
        note = (
            f"{loaded:,} rows loaded, {rejected:,} rejected (audit.record_rejects), "
            f"{read / max(seconds, 1e-9):,.0f} lines/s"
            + ("" if timestamps else ", read as text (dates in more than one format, or not dates)")
        )
        done = LogEntry(f, entry.sha256, "loaded", note, read)
        append_log(con, load_id, datetime.now(timezone.utc), done)
        con.execute("commit")
        return done
    except BaseException:
        con.execute("rollback")
        raise


def is_month(found: FoundFile) -> bool:
    """Dossier exports cover one calendar month (YYYY-MM)."""
    return bool(found.period and re.fullmatch(r"\d{4}-\d{2}", found.period))
