"""Bytes of a report file → NFC text rows with their physical line numbers."""

from __future__ import annotations

import codecs
import csv
import unicodedata
from collections import Counter
from dataclasses import dataclass

from tthc.contract.limits import FIELD_CHARS, ROW_COLUMNS

DELIMITERS = (",", ";", "\t")
# Python's csv reader refuses fields longer than this (its default field_size_limit, which
# is process-wide, so it is left alone); lines this long are split by _split_line instead.
_CSV_FIELD_LIMIT = 131_072


class DecodeError(ValueError):
    """The file's bytes are not text in an encoding the contract accepts."""


@dataclass(frozen=True, slots=True)
class TextRow:
    line_number: int  # physical line (or sheet row) where the row starts, from 1
    cells: list[str]
    last_line: int = 0  # where it ends, when a quoted field runs over line breaks; else 0

    @property
    def spans_lines(self) -> bool:
        return self.last_line > self.line_number


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


def detect_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the most lines into the same number of fields (> 1)."""
    sample = [ln for ln in lines if ln.strip() and len(ln) < _CSV_FIELD_LIMIT][:200]
    best, best_score = ",", (0, 0)
    for delim in DELIMITERS:
        try:
            counts = Counter(len(r) for r in csv.reader(sample, delimiter=delim) if len(r) > 1)
        except csv.Error:  # a quote left open in the sample: this delimiter is judged on nothing
            continue
        if not counts:
            continue
        width, freq = counts.most_common(1)[0]
        if (freq, width) > best_score:
            best, best_score = delim, (freq, width)
    return best


def physical_lines(text: str) -> list[str]:
    """The file's lines as an editor numbers them: split at line feeds only, so that a lone
    carriage return inside a quoted field does not shift the numbers; CRLF endings dropped."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def _split_line(line: str, delimiter: str, line_number: int) -> list[str]:
    """One line's fields, by standard CSV quoting, for lines too long for the csv module."""
    fields, pos = [], 0
    while True:
        if line.startswith('"', pos):
            close = pos + 1
            while (close := line.find('"', close)) != -1 and line.startswith('""', close):
                close += 2
            if close == -1:
                raise DecodeError(f"line {line_number}: a quoted field opens here and is not closed on this line")
            field, pos = line[pos + 1:close].replace('""', '"'), close + 1
        else:
            field = ""
        end = line.find(delimiter, pos)
        fields.append(field + (line[pos:] if end == -1 else line[pos:end]))
        if end == -1:
            return fields
        pos = end + 1


def _check_limits(cells: list[str], line_number: int) -> list[str]:
    if len(cells) > ROW_COLUMNS:
        raise DecodeError(f"line {line_number}: {len(cells):,} columns, over the contract's {ROW_COLUMNS:,}")
    for j, cell in enumerate(cells, start=1):
        if len(cell) > FIELD_CHARS:
            raise DecodeError(
                f"line {line_number}, column {j}: a field of {len(cell):,} characters, over the contract's 1 MB"
            )
    return cells


def _quote_error(line_number: int, err: csv.Error) -> DecodeError:
    if "unexpected end of data" in str(err):
        return DecodeError(f"line {line_number}: a quoted field opens here and is never closed")
    return DecodeError(f"line {line_number}: {err}")


def read_csv_rows(data: bytes) -> tuple[list[TextRow], str, str]:
    """Parse a CSV file's bytes; return its rows, encoding and delimiter.

    A quoted field may run over line breaks (Excel wraps long header labels so); the row then
    says where it ends, and the layout refuses it anywhere below the header. A quoted field
    that runs to the end of the file is an error naming the line where it opened. Rows over
    1,000 columns and fields over 1 MB are refused before the csv module reads them
    (contract §1.2)."""
    text, encoding = decode_text(data)
    lines = physical_lines(text)
    delimiter = detect_delimiter(lines)
    for number, line in enumerate(lines, start=1):
        if line.count(delimiter) >= ROW_COLUMNS:
            _check_limits(_split_line(line, delimiter, number), number)
    if any(len(line) >= _CSV_FIELD_LIMIT for line in lines):
        return [
            TextRow(n, _check_limits(_split_line(line, delimiter, n), n)) for n, line in enumerate(lines, start=1)
        ], encoding, delimiter
    # Each line with its line feed, so that a quoted field keeps the break it runs over.
    reader = csv.reader((line + "\n" for line in lines), delimiter=delimiter, strict=True)
    rows: list[TextRow] = []
    opened = 1
    try:
        for cells in reader:
            rows.append(TextRow(opened, cells, reader.line_num if reader.line_num != opened else 0))
            opened = reader.line_num + 1
    except csv.Error as err:
        raise _quote_error(opened, err) from err
    return rows, encoding, delimiter
