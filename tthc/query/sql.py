"""The output formats of a query's result (table, CSV, JSON, Excel). The query itself runs in
the engine's read-only session: `tthc.warehouse.target_for(settings).reader(...)`."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from tthc.contract.limits import SHEET_ROWS
from tthc.warehouse.base import Result

__all__ = ["DEFAULT_TIMEOUT_S", "FORMATS", "Result", "write_result"]

DEFAULT_TIMEOUT_S = 300.0
# A cell a spreadsheet would run as a formula (CSV injection): prefixed with "'" when written to CSV.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
