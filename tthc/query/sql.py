"""Read-only SQL on the published warehouse, with a time limit, and its output formats."""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import duckdb

from tthc.contract.limits import SHEET_ROWS
from tthc.settings import Settings
from tthc.warehouse.duckdb import connect_read_only

DEFAULT_TIMEOUT_S = 300.0
# A query DuckDB does not stop within this long after its interrupt is stopped from outside (`on_overrun`).
OVERRUN_GRACE_S = 2.0
# A cell a spreadsheet would run as a formula (CSV injection): prefixed with "'" when written to CSV.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class QueryTimeout(RuntimeError):
    """The query ran past its time limit and was interrupted."""


BATCH_ROWS = 10_000  # rows fetched and written at a time: memory does not grow with the result


@dataclass(frozen=True)
class Result:
    """A query's columns and its rows, fetched in batches as they are read (once)."""

    columns: list[str]
    types: list[str]  # DuckDB's type of each column (BIGINT, DOUBLE, VARCHAR, …)
    batches: Iterator[list[tuple[Any, ...]]]

    def rows(self) -> list[tuple[Any, ...]]:
        """Every row at once: for the terminal's table, which sizes its columns to the widest."""
        return [row for batch in self.batches for row in batch]


def _fetch(cursor: duckdb.DuckDBPyConnection) -> Iterator[list[tuple[Any, ...]]]:
    while batch := cursor.fetchmany(BATCH_ROWS):
        yield batch


@contextmanager
def run_sql(
    con: duckdb.DuckDBPyConnection, sql: str, timeout_s: float = DEFAULT_TIMEOUT_S,
    on_overrun: Callable[[], None] | None = None,
) -> Iterator[Result]:
    """Run `sql` and give its result to read within the block; DuckDB has no statement timeout,
    so a timer interrupts the query, reading included, past `timeout_s`. Some operators see the
    interrupt only when they finish: `on_overrun` (the command line ends the process) is called
    if the query still runs OVERRUN_GRACE_S later."""
    timed_out, finished = threading.Event(), threading.Event()

    def stop() -> None:
        timed_out.set()
        con.interrupt()
        if on_overrun is not None and not finished.wait(OVERRUN_GRACE_S):
            on_overrun()

    timer = threading.Timer(timeout_s, stop)
    timer.daemon = True
    timer.start()
    try:
        cursor = con.execute(sql)
        description = cursor.description or []
        yield Result([d[0] for d in description], [str(d[1]) for d in description], _fetch(cursor))
    except duckdb.InterruptException as err:
        if timed_out.is_set():
            raise QueryTimeout(f"the query ran longer than {timeout_s:g} s and was stopped") from err
        raise  # interrupted by the user (Ctrl-C in `tthc shell`)
    finally:
        finished.set()
        timer.cancel()


@contextmanager
def query_warehouse(
    settings: Settings, sql: str, timeout_s: float = DEFAULT_TIMEOUT_S, on_overrun: Callable[[], None] | None = None
) -> Iterator[Result]:
    """`sql` on the published warehouse, read-only, within the settings' query limits and `timeout_s`."""
    con = connect_read_only(settings.warehouse, settings.query_memory, settings.query_threads)
    try:
        with run_sql(con, sql, timeout_s, on_overrun) as result:
            yield result
    finally:
        con.close()


@contextmanager
def query_postgres(url: str, sql: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> Iterator[Result]:
    """`sql` on the PostgreSQL target as the URL's own role, so that its grants and row security
    apply exactly as in psql: read-only, within a statement timeout, streamed through a cursor on
    the server (memory does not grow with the result)."""
    import psycopg

    options = f"-c default_transaction_read_only=on -c statement_timeout={max(int(timeout_s * 1000), 1)}"
    with psycopg.connect(url, options=options) as con:
        try:
            cursor = con.cursor(name="tthc_query")
            cursor.execute(sql)
            description = cursor.description or []
            types = [(con.adapters.types.get(d.type_code).name if con.adapters.types.get(d.type_code) else str(d.type_code))
                     .upper() for d in description]
            yield Result([d.name for d in description], types, _fetch(cursor))
        except psycopg.errors.QueryCanceled as err:
            raise QueryTimeout(f"the query ran longer than {timeout_s:g} s and was stopped") from err


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(result: Result, out: IO[str]) -> None:
    w = csv.writer(out)
    w.writerow([_csv_cell(c) for c in result.columns])
    for batch in result.batches:
        w.writerows([[_csv_cell(v) for v in row] for row in batch])


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def write_json(result: Result, out: IO[str]) -> None:
    """A JSON array of objects, written object by object."""
    out.write("[")
    first = True
    for batch in result.batches:
        for row in batch:
            out.write("\n " if first else ",\n ")
            json.dump(dict(zip(result.columns, row)), out, ensure_ascii=False, default=_json_default)
            first = False
    out.write("\n]\n")


_NUMERIC = ("INT", "DOUBLE", "DECIMAL", "FLOAT", "REAL", "NUMERIC", "HUGEINT", "FLOAT8", "FLOAT4")


def write_table(result: Result, out: IO[str]) -> None:
    """A table for people: on a terminal drawn with boxes, numbers to the right, wide cells folded
    to the terminal's width (as DuckDB's own command line draws it); piped, plain aligned text."""
    if out.isatty():
        from rich import box
        from rich.console import Console
        from rich.table import Table

        table = Table(box=box.SQUARE, header_style="bold")
        for name, kind in zip(result.columns, result.types):
            numeric = any(n in kind.upper() for n in _NUMERIC)
            table.add_column(f"{name}\n{kind.lower()}", overflow="fold", justify="right" if numeric else "left")
        rows = result.rows()
        for row in rows:
            table.add_row(*("NULL" if v is None else str(v) for v in row))
        console = Console(file=out)
        console.print(table)
        console.print(f"{len(rows):,} dòng / rows", style="dim")
        return
    cells = [["NULL" if v is None else str(v) for v in r] for r in result.rows()]
    widths = [max([len(n), *(len(r[i]) for r in cells)]) for i, n in enumerate(result.columns)]
    out.write("  ".join(n.ljust(w) for n, w in zip(result.columns, widths)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for r in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() + "\n")


# Float columns shown as percentages when a value is a fraction (0 ≤ v ≤ 1).
_RATIO_COLUMNS = ("value", "reported_value", "computed_value")


def write_xlsx(result: Result, target: Path) -> None:
    """A workbook written row by row (openpyxl's write-only mode). Numbers stay numbers; Excel
    shows them with the reader's (Vietnamese) separators."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("tthc")

    def cell(name: str, value: Any) -> WriteOnlyCell:
        """Numbers with formats; text always as text, never a formula."""
        if isinstance(value, Decimal):
            value = float(value)
        if isinstance(value, str):
            written = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            written.data_type = "s"  # "=HYPERLINK(…)" stays the text it is
            return written
        written = WriteOnlyCell(ws, value=value)
        if isinstance(value, float):
            written.number_format = "0.00%" if name in _RATIO_COLUMNS and 0 <= value <= 1 else "#,##0.00"
        elif isinstance(value, int) and not isinstance(value, bool):
            written.number_format = "#,##0"
        return written

    header = []
    for name in result.columns:
        head = WriteOnlyCell(ws, value=name)
        head.data_type = "s"
        head.font = Font(bold=True)
        header.append(head)
    ws.append(header)
    written_rows = 1
    for batch in result.batches:
        written_rows += len(batch)
        if written_rows > SHEET_ROWS:
            raise ValueError(f"more rows than a sheet holds ({SHEET_ROWS - 1:,} under its header): use --format csv")
        for row in batch:
            ws.append([cell(name, v) for name, v in zip(result.columns, row)])
    wb.save(target)


@dataclass(frozen=True)
class OutputFormat:
    """A way to write a result: to a text stream (the terminal or a file), or to a file only."""

    write_text: Callable[[Result, IO[str]], None] | None = None
    write_file: Callable[[Result, Path], None] | None = None
    encoding: str = "utf-8"  # of the file written from `write_text`


# The one list of output formats; `tthc query --format` offers these.
FORMATS: dict[str, OutputFormat] = {
    "table": OutputFormat(write_table),
    "csv": OutputFormat(write_csv, encoding="utf-8-sig"),  # with a BOM, for Excel
    "json": OutputFormat(write_json),
    "xlsx": OutputFormat(write_file=write_xlsx),
}


def write_result(result: Result, fmt: str, out: IO[str], output: Path | None) -> None:
    """Write in `fmt` to `output` (a file) or `out` (the terminal)."""
    form = FORMATS[fmt]
    if form.write_text is None:
        if output is None:
            raise ValueError(f"--format {fmt} needs --output FILE.{fmt}")
        form.write_file(result, output)
    elif output is None:
        form.write_text(result, out)
    else:
        with open(output, "w", encoding=form.encoding, newline="") as f:
            form.write_text(result, f)
