"""Bytes of a report file → NFC text rows with their physical line numbers."""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections import Counter
from dataclasses import dataclass

DELIMITERS = (",", ";", "\t")


class DecodeError(ValueError):
    """The file's bytes are not text in an encoding the contract accepts."""


@dataclass(frozen=True)
class TextRow:
    line_number: int  # physical line (or sheet row) where the row starts, from 1
    cells: list[str]


def decode_text(data: bytes, allow_cp1258: bool = True) -> tuple[str, str]:
    """Decode by BOM, then strict UTF-8, then Windows-1258; return (NFC text, encoding)."""
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = data.decode("utf-16"), "utf-16"
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as err:
            if not allow_cp1258:
                raise DecodeError(f"not UTF-8 or UTF-16 (byte {err.start + 1})") from err
            try:
                text, encoding = data.decode("cp1258"), "cp1258"
            except UnicodeDecodeError as err2:
                raise DecodeError(
                    f"neither UTF-8, UTF-16 nor Windows-1258 (byte {err2.start + 1})"
                ) from err2
    if "\x00" in text:
        raise DecodeError("contains NUL characters: UTF-16 without a byte-order mark?")
    return unicodedata.normalize("NFC", text), encoding


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the most lines into the same number of fields (> 1)."""
    lines = [ln for ln in text.splitlines() if ln.strip()][:200]
    best, best_score = ",", (0, 0)
    for delim in DELIMITERS:
        counts = Counter(len(r) for r in csv.reader(lines, delimiter=delim) if len(r) > 1)
        if not counts:
            continue
        width, freq = counts.most_common(1)[0]
        if (freq, width) > best_score:
            best, best_score = delim, (freq, width)
    return best


def read_csv_rows(data: bytes) -> tuple[list[TextRow], str, str]:
    """Parse a CSV file's bytes; return its rows, encoding and delimiter."""
    text, encoding = decode_text(data)
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[TextRow] = []
    next_line = 1
    try:
        for cells in reader:
            rows.append(TextRow(next_line, cells))
            next_line = reader.line_num + 1
    except csv.Error as err:
        raise DecodeError(f"line {next_line}: {err}") from err
    return rows, encoding, delimiter


def _sheet_number(value: float, number_format: str = "General") -> str:
    """A numeric cell as a Vietnamese report would show it: "," decimal mark, "%" kept."""
    if "%" in number_format:
        decimals = len(number_format.split(".", 1)[1].split("%")[0]) if "." in number_format else 0
        return f"{value * 100:.{decimals}f}".replace(".", ",") + "%"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value)).replace(".", ",")


def _sheet_text(value: object, number_format: str = "General") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _sheet_number(value, number_format)
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y %H:%M:%S" if getattr(value, "hour", 0) else "%d/%m/%Y")
    return unicodedata.normalize("NFC", str(value))


def read_xlsx_rows(data: bytes) -> list[TextRow]:
    """The first sheet of an .xlsx workbook; line numbers are sheet rows."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as err:  # openpyxl raises zipfile, KeyError and its own errors for damaged files
        raise DecodeError(f"not a readable .xlsx workbook ({err.__class__.__name__}: {err})") from err
    ws = wb.worksheets[0]
    return [
        TextRow(i, [_sheet_text(c.value, c.number_format) for c in row])
        for i, row in enumerate(ws.iter_rows(min_row=1, max_row=ws.max_row), start=1)
    ]


def read_xls_rows(data: bytes) -> list[TextRow]:
    """The first sheet of a legacy .xls workbook; line numbers are sheet rows."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data)
    except Exception as err:  # xlrd raises XLRDError and struct errors for damaged files
        raise DecodeError(f"not a readable .xls workbook ({err.__class__.__name__}: {err})") from err
    sheet = book.sheet_by_index(0)
    rows = []
    for i in range(sheet.nrows):
        cells = []
        for cell in sheet.row(i):
            if cell.ctype == xlrd.XL_CELL_DATE:
                cells.append(_sheet_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)))
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                cells.append("")
            else:
                cells.append(_sheet_text(cell.value))
        rows.append(TextRow(i + 1, cells))
    return rows
