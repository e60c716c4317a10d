"""Workbooks (.xlsx, .xls) → the text rows of the one visible sheet that holds the form.

An .xlsx is checked before it is parsed (its parts' unpacked size, each sheet's declared
dimensions) and read with openpyxl's streaming mode, so that memory follows the rows read,
not the size a sheet declares. Streaming mode reports no merged ranges: a merged header
label spans the blank cells to its right, as in CSV. A formula cell is read by the value the
spreadsheet saved with it; a formula with no saved value becomes text naming its sheet and
cell (contract §1.2), which the count checks turn into an error finding, never a blank.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from tthc.contract.limits import ROW_COLUMNS, SHEET_COLUMNS, SHEET_ROWS, WORKBOOK_UNPACKED_BYTES, megabytes
from tthc.ingest.decode import DecodeError, TextRow
from tthc.ingest.header import HeaderError

HEADER_SEARCH_ROWS = 60  # a sheet's header is looked for in its first rows
NO_SAVED_VALUE = "no saved value"  # in the text of a formula cell without one (see count_problem)

IsForm = Callable[[list[TextRow]], bool]


@dataclass(frozen=True)
class SheetRows:
    """The sheet read: its name, its rows (sheet rows, blank rows left out), and the sheets not read."""

    sheet: str
    rows: list[TextRow]
    ignored: list[str] = field(default_factory=list)  # "Bìa (no form header)", "Ẩn (hidden)"


def _sheet_number(value: float, number_format: str = "General") -> str:
    """A numeric cell as a Vietnamese report would show it: "," decimal mark, "%" kept."""
    if "%" in number_format:
        decimals = len(number_format.split(".", 1)[1].split("%")[0]) if "." in number_format else 0
        return f"{value * 100:.{decimals}f}".replace(".", ",") + "%"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value)).replace(".", ",")


def sheet_text(value: object, number_format: str = "General") -> str:
    """A cell's value as text, as the sheet shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _sheet_number(value, number_format)
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y %H:%M:%S" if getattr(value, "hour", 0) else "%d/%m/%Y")
    return unicodedata.normalize("NFC", str(value))


def check_package(data: bytes) -> None:
    """Refuse an .xlsx whose parts unpack beyond the contract's limit, before any is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
    except zipfile.BadZipFile as err:
        raise DecodeError(f"not a readable .xlsx workbook (not a zip package: {err})") from err
    if unpacked > WORKBOOK_UNPACKED_BYTES:
        raise DecodeError(
            f"the workbook unpacks to {megabytes(unpacked)}, over the contract's {megabytes(WORKBOOK_UNPACKED_BYTES)}; it is not read"
        )


def _check_dimensions(ws: object, title: str) -> None:
    """The used range a sheet declares, checked before its rows are read."""
    max_row, max_column = getattr(ws, "max_row", None), getattr(ws, "max_column", None)
    if max_row and max_row > SHEET_ROWS:
        raise DecodeError(f"sheet {title}: declares {max_row:,} rows, past Excel's last row ({SHEET_ROWS:,})")
    if max_column and max_column > ROW_COLUMNS:
        raise DecodeError(
            f"sheet {title}: declares a used range {max_column:,} columns wide (to column "
            f"{get_column_letter(min(max_column, SHEET_COLUMNS))}), over the contract's {ROW_COLUMNS:,}"
        )


def _xlsx_rows(values: object, formulas: object, title: str, limit: int | None = None) -> Iterator[TextRow]:
    """Non-blank rows of a sheet, streamed from two views of it: saved values and formulas."""
    for ws in (values, formulas):
        ws.reset_dimensions()  # rows as the sheet holds them, not as wide or long as it declares
    number = 0
    for number, (row, formula_row) in enumerate(zip(values.iter_rows(), formulas.iter_rows(), strict=True), start=1):
        if number > SHEET_ROWS:
            raise DecodeError(f"sheet {title}: a row past Excel's last row ({SHEET_ROWS:,})")
        if limit is not None and number > limit:
            return
        cells = []
        for j, (cell, formula) in enumerate(zip(row, formula_row, strict=False), start=1):
            value = cell.value
            if value is None and isinstance(formula.value, str) and formula.value.startswith("="):
                ref = f"{title}!{get_column_letter(j)}{number}"
                text = f"{formula.value} ({NO_SAVED_VALUE}: {ref})"
            else:
                text = sheet_text(value, getattr(cell, "number_format", "General"))
            if text and j > ROW_COLUMNS:
                raise DecodeError(
                    f"sheet {title}, cell {get_column_letter(j)}{number}: a value past the contract's {ROW_COLUMNS:,} columns"
                )
            cells.append(text)
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            yield TextRow(number, cells)


def read_xlsx(data: bytes, is_form: IsForm) -> SheetRows:
    """The one visible sheet whose first rows hold the form's header; raises DecodeError naming
    the sheets when none does, or several do."""
    import openpyxl

    check_package(data)
    try:
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as err:  # openpyxl raises zipfile, KeyError and its own errors for damaged files
        raise DecodeError(f"not a readable .xlsx workbook ({err.__class__.__name__}: {err})") from err
    try:
        candidates, ignored = [], []
        for ws in values.worksheets:
            title = ws.title
            if ws.sheet_state != "visible":
                ignored.append(f"{title} (hidden)")
                continue
            _check_dimensions(ws, title)
            if is_form(list(_xlsx_rows(ws, formulas[title], title, limit=HEADER_SEARCH_ROWS))):
                candidates.append(title)
            else:
                ignored.append(f"{title} (no form header)")
        title = _one_sheet(candidates, ignored)
        rows = list(_xlsx_rows(values[title], formulas[title], title))
        return SheetRows(title, rows, ignored)
    finally:
        values.close()
        formulas.close()


def read_xls(data: bytes, is_form: IsForm) -> SheetRows:
    """The same for a legacy .xls workbook (xlrd reads it whole; the file size limit bounds it)."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data)
    except Exception as err:  # xlrd raises XLRDError and struct errors for damaged files
        raise DecodeError(f"not a readable .xls workbook ({err.__class__.__name__}: {err})") from err
    sheets: dict[str, list[TextRow]] = {}
    candidates, ignored = [], []
    for sheet in book.sheets():
        if sheet.visibility != 0:
            ignored.append(f"{sheet.name} (hidden)")
            continue
        if sheet.ncols > ROW_COLUMNS:
            raise DecodeError(f"sheet {sheet.name}: {sheet.ncols:,} columns, over the contract's {ROW_COLUMNS:,}")
        rows = []
        for i in range(sheet.nrows):
            cells = []
            for cell in sheet.row(i):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    cells.append(sheet_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    cells.append("")
                else:
                    cells.append(sheet_text(cell.value))
            if any(cells):
                rows.append(TextRow(i + 1, cells))
        sheets[sheet.name] = rows
        if is_form([r for r in rows if r.line_number <= HEADER_SEARCH_ROWS]):
            candidates.append(sheet.name)
        else:
            ignored.append(f"{sheet.name} (no form header)")
    title = _one_sheet(candidates, ignored)
    return SheetRows(title, sheets[title], ignored)


def _one_sheet(candidates: list[str], ignored: list[str]) -> str:
    """The sheet to read; the file is rejected, with the sheets named, when none or several qualify."""
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise HeaderError(f"no visible sheet has the form's header (sheets: {', '.join(ignored) or 'none'})")
    raise HeaderError(f"several sheets have the form's header ({', '.join(candidates)}): keep the form on one sheet")
