"""An export's header matched to the contract by name, its first record, and the one date format
the bulk path reads it in; the CSV reader both paths share."""

from __future__ import annotations

import codecs
import csv
import itertools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from tthc.contract.datasets import RecordColumn, RecordDataset
from tthc.ingest.header import HeaderError
from tthc.warehouse.schema import RECORD_SQL_TYPES

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


def encoding_of(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(2)
    return "utf-16" if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8"


def read_header(path: Path, spec: RecordDataset) -> Header:
    """Line 1 matched to the contract by name; raises HeaderError when a column is missing or twice."""
    encoding = "utf-8-sig" if encoding_of(path) == "utf-8" else "utf-16"
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


def read_csv_sql(timestamps: str | None) -> str:
    """read_csv over the file (parameters: path, columns, encoding), its unreadable lines into
    _record_csv_rejects. With a timestamp format, typed as the contract says; without, all text."""
    options = f", timestampformat = '{timestamps}'" if timestamps else ""
    return (
        "read_csv(?, header = true, auto_detect = false, columns = ?, encoding = ?, null_padding = false, "
        f"store_rejects = true{options}, rejects_table = '_record_csv_rejects', rejects_scan = '_record_csv_scan')"
    )


def column_types(header: Header, spec: RecordDataset, typed: bool) -> dict[str, str]:
    types = {c.name: RECORD_SQL_TYPES[c.type] for c in spec.columns} if typed else {}
    return {n: types.get(n, "varchar") for n in header.names}


def fresh_rejects(con: duckdb.DuckDBPyConnection) -> None:
    # DuckDB appends to an existing rejects table: start each read with empty ones.
    con.execute("drop table if exists _record_csv_rejects")
    con.execute("drop table if exists _record_csv_scan")


