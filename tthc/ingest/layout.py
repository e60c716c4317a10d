"""Text rows → the table: title rows, header block, column-number row, body rows, notes.

Recognises where the header is, reads a multi-row header into one path of labels per
column (a merged group label covers the blank cells to its right, within the span of the
label above it), and sorts body rows into data, subtotal and total rows, rows that set the
level, and headings or notes that carry no figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tthc.contract.datasets import Contract, Dataset
from tthc.contract.labels import is_date_line, level_of, normalize_label, total_kind, without_numbering
from tthc.ingest.decode import DecodeError, TextRow
from tthc.ingest.header import HeaderError, map_header, split_inline_group

_NUMBERISH = re.compile(r"[-+]?[\d.,\s\u00a0]*\d[\d.,\s\u00a0]*%?")
_COLUMN_NUMBER = re.compile(r"\(?(\d+)\)?")


@dataclass(frozen=True, slots=True)
class TableRow:
    line_number: int
    row_kind: str  # data | subtotal | total
    cells: dict[str, str]  # canonical column → text as written (level may be inherited)


@dataclass(frozen=True, slots=True)
class SkippedRow:
    line_number: int
    kind: str  # title | header | column_numbers | repeated_header | level | heading | note | blank
    text: str


@dataclass
class Table:
    columns: dict[int, str]  # file column index → canonical column
    unknown_columns: list[str]
    rows: list[TableRow] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    sheet: str | None = None  # a workbook's sheet that was read
    ignored_sheets: list[str] = field(default_factory=list)  # its other sheets, with why


def _filled(cells: list[str]) -> list[str]:
    return [c.strip() for c in cells]


def _is_blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


def _known_labels(contract: Contract, dataset: Dataset) -> set[str]:
    known = set(contract.ignored)
    for col in dataset.columns:
        known |= col.labels
        for labels in col.under.values():
            known |= labels
    for labels in dataset.groups.values():
        known |= labels
    return known


def _is_header_start(cells: list[str], known: set[str]) -> bool:
    texts = [c for c in _filled(cells) if c]
    if len(texts) < 2:
        return False
    return any(normalize_label(part) in known for t in texts for part in [t, *split_inline_group(t)])


def _is_column_numbers(cells: list[str]) -> bool:
    nums = [m.group(1) for c in _filled(cells) if c and (m := _COLUMN_NUMBER.fullmatch(c))]
    texts = [c for c in _filled(cells) if c]
    return len(nums) >= 2 and len(nums) == len(texts) and [int(n) for n in nums] == list(
        range(int(nums[0]), int(nums[0]) + len(nums))
    )


def _is_figure(cell: str) -> bool:
    """A cell that is meant as a figure, right or wrong ("1.234", "-", "-5", "12,5", "12a"),
    as opposed to words in a figure column: a signature or its place-and-date line."""
    text = cell.strip()
    return text == "-" or (any(ch.isdigit() for ch in text) and not is_date_line(text))


def _row_key(cells: list[str]) -> tuple[str, ...]:
    """A row's labels, normalised, without trailing blanks: how a repeated header is recognised."""
    key = [normalize_label(c) for c in cells]
    while key and not key[-1]:
        key.pop()
    return tuple(key)


def _has_numbers(cells: list[str]) -> bool:
    """A cell written as a number or as "-" (Excel's zero): not a header row."""
    return any(c == "-" or _NUMBERISH.fullmatch(c) for c in _filled(cells) if c)


def _header_paths(header: list[list[str]], width: int) -> list[list[str]]:
    """One path of labels per column; blanks to the right of a group label belong to it."""
    grid = [_filled(r) + [""] * (width - len(r)) for r in header]
    filled: list[list[str]] = []
    for depth, row in enumerate(grid):
        out: list[str] = []
        for j, cell in enumerate(row):
            spans_here = (
                not cell
                and j > 0
                and bool(out[j - 1])
                # within the span of the label above, and only over cells with labels beneath
                and (depth == 0 or filled[depth - 1][j] == filled[depth - 1][j - 1])
                and any(grid[d][j] for d in range(depth + 1, len(grid)))
            )
            out.append(out[j - 1] if spans_here else cell)
        filled.append(out)
    paths = []
    for j in range(width):
        path: list[str] = []
        for depth in range(len(grid)):
            label = filled[depth][j]
            if label and (not path or path[-1] != label):
                path.append(label)
        paths.append(path)
    return paths


def _spanning(row: TextRow) -> str:
    return f"line {row.line_number}: a quoted field opens here and runs over line breaks to line {row.last_line}"


def header_start(rows: list[TextRow], dataset: Dataset, contract: Contract) -> int | None:
    """Index of the first header row: the first row with two labels or more, one of them the
    dataset's (how a workbook's sheet is chosen, too); None when there is none."""
    known = _known_labels(contract, dataset)
    return next((i for i, r in enumerate(rows) if _is_header_start(r.cells, known)), None)


def lay_out(rows: list[TextRow], dataset: Dataset, contract: Contract) -> Table:
    """Find the header and sort every row of the file; raises HeaderError."""
    start = header_start(rows, dataset, contract)
    if start is None:
        spanning = next((r for r in rows if r.spans_lines), None)
        hint = f" ({_spanning(spanning)}: an unbalanced quote?)" if spanning else ""
        raise HeaderError(f"no header row with the column labels of {dataset.name} was found{hint}")
    skipped = [
        SkippedRow(r.line_number, "blank" if _is_blank(r.cells) else "title", " | ".join(_filled(r.cells)).strip(" |"))
        for r in rows[:start]
    ]
    first = _filled(rows[start].cells)
    label_cols = {
        j for j, c in enumerate(first)
        if normalize_label(c) in contract.ignored
        or any(normalize_label(c) in col.labels for col in dataset.columns if col.role in ("unit", "level"))
    }
    end = start + 1
    while end < len(rows):
        cells = _filled(rows[end].cells)
        nonblank = [j for j, c in enumerate(cells) if c]
        if not nonblank or _has_numbers(cells) or _is_column_numbers(cells) or not set(nonblank) - label_cols:
            break
        end += 1
    header = [rows[i].cells for i in range(start, end)]
    width = max(len(r.cells) for r in rows)  # rows of a workbook are as wide as their last value
    mapping, unknown = map_header(dataset, contract.ignored, _header_paths(header, width))
    if not any(name in dataset.value_columns for name in mapping.values()):
        raise HeaderError(f"the header names none of the figure columns of {dataset.name}")
    skipped += [SkippedRow(rows[i].line_number, "header", " | ".join(_filled(rows[i].cells))) for i in range(start, end)]
    if end < len(rows) and _is_column_numbers(rows[end].cells):
        skipped.append(SkippedRow(rows[end].line_number, "column_numbers", " | ".join(_filled(rows[end].cells))))
        end += 1

    table = Table(columns=mapping, unknown_columns=unknown, skipped=skipped)
    header_keys = {_row_key(rows[i].cells) for i in range(start, end)}
    level_text, after_repeat = "", False
    for row in rows[end:]:
        if row.spans_lines:  # an unbalanced quote would swallow the rows below it into one cell
            raise DecodeError(f"{_spanning(row)}; below the header a field may not hold a line break")
        cells = row.cells + [""] * (width - len(row.cells))
        text = " | ".join(c.strip() for c in cells if c.strip())
        if not text:
            table.skipped.append(SkippedRow(row.line_number, "blank", ""))
            continue
        # A header repeated at a page break, with or without its column-number row.
        if _row_key(cells) in header_keys or (after_repeat and _is_column_numbers(cells)):
            table.skipped.append(SkippedRow(row.line_number, "repeated_header", text))
            after_repeat = True
            continue
        after_repeat = False
        values = {name: cells[j] for j, name in mapping.items()}
        has_figures = any(_is_figure(values[n]) for n in dataset.value_columns if n in values)
        label = values.get("unit", "").strip() or next(
            (c.strip() for c in cells if c.strip() and not _NUMBERISH.fullmatch(c.strip())), ""
        )
        if not has_figures:
            if dataset.kind == "form" and level_of(label):
                level_text = without_numbering(label)
                table.skipped.append(SkippedRow(row.line_number, "level", text))
            else:
                table.skipped.append(SkippedRow(row.line_number, "heading", text))
            continue
        kind = (total_kind(label) or "data") if dataset.kind == "form" else "data"
        if dataset.kind == "form" and not values.get("level", "").strip():
            # A level row above ("Cấp huyện") sets the level of the rows it heads.
            values["level"] = level_text if kind != "total" else ""
        table.rows.append(TableRow(row.line_number, kind, values))

    # Rows without figures after the last table row are notes, not headings.
    last = max((r.line_number for r in table.rows), default=0)
    table.skipped = [
        SkippedRow(s.line_number, "note", s.text) if s.kind == "heading" and s.line_number > last else s
        for s in table.skipped
    ]
    if len(table.rows) + len(table.skipped) != len(rows):
        raise RuntimeError(f"{len(rows)} rows read but {len(table.rows) + len(table.skipped)} sorted")
    return table
