"""Read-only SQL on the published warehouse, with a time limit, and its output formats."""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import duckdb

from flows.warehouse import connect_read_only

DEFAULT_TIMEOUT_S = 300.0
# A cell a spreadsheet would run as a formula (CSV injection): prefixed with "'" when written to CSV.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class QueryTimeout(RuntimeError):
    """The query ran past its time limit and was interrupted."""


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def run_sql(con: duckdb.DuckDBPyConnection, sql: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> Result:
    """Run `sql`; DuckDB has no statement timeout, so a timer interrupts it."""
    timer = threading.Timer(timeout_s, con.interrupt)
    timer.start()
    try:
        cur = con.execute(sql)
        columns = [d[0] for d in cur.description or []]
        rows = cur.fetchall()
    except duckdb.InterruptException as err:
        raise QueryTimeout(f"the query ran longer than {timeout_s:g} s and was stopped") from err
    finally:
        timer.cancel()
    return Result(columns, rows)


def query_warehouse(warehouse: Path, sql: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> Result:
    con = connect_read_only(warehouse)
    try:
        return run_sql(con, sql, timeout_s)
    finally:
        con.close()


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(result: Result, out: IO[str]) -> None:
    w = csv.writer(out)
    w.writerow([_csv_cell(c) for c in result.columns])
    w.writerows([[_csv_cell(v) for v in row] for row in result.rows])


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def write_json(result: Result, out: IO[str]) -> None:
    json.dump([dict(zip(result.columns, r)) for r in result.rows], out, ensure_ascii=False, default=_json_default, indent=1)
    out.write("\n")


def write_table(result: Result, out: IO[str]) -> None:
    cells = [["NULL" if v is None else str(v) for v in r] for r in result.rows]
    widths = [max([len(n), *(len(r[i]) for r in cells)]) for i, n in enumerate(result.columns)]
    out.write("  ".join(n.ljust(w) for n, w in zip(result.columns, widths)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for r in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() + "\n")


def write_xlsx(result: Result, target: Path) -> None:
    """Numbers stay numbers; Excel shows them with the reader's (Vietnamese) separators."""
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "tthc"
    ws.append(result.columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in result.rows:
        ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
    for col_idx, name in enumerate(result.columns, start=1):
        values = [r[col_idx - 1] for r in result.rows]
        if any(isinstance(v, float) for v in values):
            fmt = "0.00%" if name in ("value", "reported_value", "computed_value") and all(
                v is None or (isinstance(v, float) and 0 <= v <= 1) for v in values) else "#,##0.00"
        elif any(isinstance(v, int) and not isinstance(v, bool) for v in values):
            fmt = "#,##0"
        else:
            continue
        for cell in ws.iter_cols(min_col=col_idx, max_col=col_idx, min_row=2):
            for c in cell:
                c.number_format = fmt
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
