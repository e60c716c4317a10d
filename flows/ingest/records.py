"""Record-level exports (dossiers) → raw.dossiers, typed at load by DuckDB's vectorised CSV reader.

No Python loop over rows and no type sniffing: the file is read with an explicit schema (all
columns as text, so that nothing is silently coerced), then typed in one INSERT … SELECT.
Lines the CSV reader cannot read (DuckDB's rejects) and rows that cannot be typed are kept,
as written, in audit.record_rejects with file, line and reason. For every file:
lines read = rows loaded + rows rejected, checked before the transaction commits.

Exports have one record per physical line (no line breaks inside fields), so the line of the
k-th record read is k + 1 plus the rejected lines before it.
"""

from __future__ import annotations

import codecs
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


def _typed(column: str, sql_type: str) -> str:
    """The SQL that types one text column; NULL when it cannot be typed."""
    col = f"nullif(trim({quote_ident(column)}), '')"
    if sql_type == "timestamp":
        formats = ", ".join(f"'{f}'" for f in TIMESTAMP_FORMATS)
        return f"try_strptime({col}, [{formats}])"
    if sql_type == "boolean":
        return f"try_cast({col} as boolean)"
    return col


def _problem(column: str, sql_type: str, required: bool) -> str:
    """SQL giving why one column of a row cannot be loaded, or NULL."""
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


def load_records(
    con: duckdb.DuckDBPyConnection, path: Path, entry: LogEntry, load_id: str, spec: RecordDataset
) -> LogEntry:
    """Load one export in one transaction; returns its log entry with the rows loaded."""
    f, started = entry.found, time.monotonic()
    names = [c.name for c in spec.columns]
    header = {c.name: "VARCHAR" for c in spec.columns}
    problems = [_problem(c.name, c.type, c.required) for c in spec.columns]
    reason = f"coalesce({', '.join(problems)})"
    con.execute("begin transaction")
    try:
        # DuckDB appends to an existing rejects table: start each file with empty ones.
        con.execute("drop table if exists _record_csv_rejects")
        con.execute("drop table if exists _record_csv_scan")
        con.execute(
            "create or replace temp table _records as select * from read_csv(?, header = true, auto_detect = false, "
            "columns = ?, encoding = ?, null_padding = false, store_rejects = true, "
            "rejects_table = '_record_csv_rejects', rejects_scan = '_record_csv_scan')",
            [str(path), header, _encoding(path)],
        )
        con.execute(
            """create or replace temp table _record_lines as
               select row_number() over (order by line) as i, line
               from (select distinct line from _record_csv_rejects)"""
        )
        # the physical line of each record read: k + 1 plus the rejected lines before it
        con.execute(
            f"""create or replace temp table _records_numbered as
                select r.*, r.k + 1 + coalesce(j.i, 0) as _line_number, {reason} as _reason
                from (select *, rowid - (select min(rowid) from _records) + 1 as k from _records) as r
                asof left join (
                    -- t = records before the i-th rejected line; consecutive rejected lines share a t
                    select line - 1 - i as threshold, max(i) as i from _record_lines group by threshold
                ) as j
                    on r.k > j.threshold"""
        )
        typed = ", ".join(_typed(c.name, c.type) for c in spec.columns)
        con.execute(
            f"insert into raw.{quote_ident(spec.name)} (_file_path, _file_sha256, _line_number, _load_id, "
            f"{', '.join(map(quote_ident, names))}) "
            f"select ?, ?, _line_number, ?, {typed} from _records_numbered where _reason is null",
            [f.path, entry.sha256, load_id],
        )
        con.execute(
            f"""insert into audit.record_rejects
                select ?, ?, ?, _line_number, _reason, concat_ws(',', {', '.join(f"coalesce({quote_ident(n)}, '')" for n in names)})
                from _records_numbered where _reason is not null""",
            [load_id, f.path, entry.sha256],
        )
        con.execute(
            """insert into audit.record_rejects
               select ?, ?, ?, line, string_agg(error_type || ': ' || error_message, '; '), first(csv_line)
               from _record_csv_rejects group by line""",
            [load_id, f.path, entry.sha256],
        )
        read = con.execute("select count(*) from _records").fetchone()[0] + con.execute(
            "select count(*) from _record_lines").fetchone()[0]
        loaded = con.execute(
            f"select count(*) from raw.{quote_ident(spec.name)} where _file_path = ? and _file_sha256 = ? and _load_id = ?",
            [f.path, entry.sha256, load_id],
        ).fetchone()[0]
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
