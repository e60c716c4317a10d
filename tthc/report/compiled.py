"""The province's official report compiled from its units' reports (`tthc compile`, contract §1.6).

Read from marts.compiled_reports, and written in the layout the forms use: the title block, the
merged header with the contract's labels, the row of column numbers, a block of rows per level
("A. Sở, ban, ngành", …) with a subtotal, the total row, notes, and a signature block. The file
loads back, as the province's report, to the same figures (tests/e2e/test_units.py).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tthc.contract.datasets import Dataset
from tthc.contract.provinces import province_names
from tthc.contract.units import LEVEL_HEADINGS, LEVELS

# What each form is called, its code where the circular's code is known (Circular 01/2020/TT-VPCP;
# the domain notes name II.06b and II.07b only), and what it counts.
FORMS = {
    "dossier_results": ("Biểu số II.06b/VPCP/KSTT", "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", "Hồ sơ"),
    "procedure_inventory": ("Biểu số II.07b/VPCP/KSTT",
                            "TÌNH HÌNH THỰC HIỆN CƠ CHẾ MỘT CỬA, MỘT CỬA LIÊN THÔNG", "Thủ tục hành chính"),
    "online_services": (None, "TÌNH HÌNH CUNG CẤP DỊCH VỤ CÔNG TRỰC TUYẾN", "Dịch vụ"),
    "feedback": (None, "KẾT QUẢ TIẾP NHẬN, XỬ LÝ PHẢN ÁNH, KIẾN NGHỊ VỀ QUY ĐỊNH HÀNH CHÍNH", "Phản ánh, kiến nghị"),
    "procedure_control": (None, "TÌNH HÌNH, KẾT QUẢ KIỂM SOÁT QUY ĐỊNH THỦ TỤC HÀNH CHÍNH", "Số lượng"),
}
SUBTOTAL_LABELS = {"province": "Cộng Sở, ban, ngành", "district": "Cộng UBND cấp huyện", "commune": "Cộng UBND cấp xã"}
TOTAL_LABEL = "Tổng cộng"
ERROR_MARK = " (*)"
COMPILED_SQL = """
    select row_kind, level, unit_code, unit_name, list_position, figure_source, has_error_findings,
           column_name, column_position, value, units_in, units_expected, period_start, period_end
    from marts.compiled_reports
    where dataset = ? and province_code = ? and period = ?
"""
NUMBER_FORMAT = "#,##0"  # thousands grouped: shown with "." where Excel's language is Vietnamese


@dataclass
class Line:
    """One row of the report's body: a unit, a level's subtotal, or the total."""

    kind: str  # unit | level | total
    level: str | None
    label: str
    values: dict[str, int | None] = field(default_factory=dict)
    unit_code: str | None = None
    position: int = 0
    missing: bool = False
    has_errors: bool = False


@dataclass
class Compiled:
    dataset: str
    province_code: str
    period: str
    period_start: date
    period_end: date
    columns: list[str]  # figure columns, in the contract's order, that hold a figure somewhere
    lines: list[Line]  # units by level, each level's subtotal after its units, then the total
    units_in: int
    units_expected: int

    @property
    def missing(self) -> list[Line]:
        return [line for line in self.lines if line.kind == "unit" and line.missing]

    @property
    def with_errors(self) -> list[Line]:
        return [line for line in self.lines if line.kind == "unit" and line.has_errors]


def read_compiled(con: Any, dataset: str, province: str, period: str) -> Compiled | None:
    """The compiled report from marts.compiled_reports; None when no unit reported that period."""
    rows = con.execute(COMPILED_SQL, [dataset, province, period]).fetchall()
    if not rows:
        return None
    lines: dict[tuple, Line] = {}
    positions: dict[str, int] = {}
    filled: set[str] = set()
    units_in = units_expected = 0
    for (kind, level, unit, name, position, source, errors, column, column_position, value, n_in, n_expected,
         _, _) in rows:
        key = (kind, level, unit)
        label = name if kind == "unit" else SUBTOTAL_LABELS[level] if kind == "level" else TOTAL_LABEL
        line = lines.setdefault(key, Line(kind, level, label, unit_code=unit, position=position or 0,
                                          missing=source == "missing", has_errors=bool(errors)))
        line.values[column] = value
        positions[column] = column_position
        if value is not None:
            filled.add(column)
        if kind == "total":
            units_in, units_expected = n_in, n_expected
    order = {level: i for i, level in enumerate(LEVELS)}
    ordered = sorted(lines.values(), key=lambda x: (
        x.kind == "total", order.get(x.level or "", 9), x.kind == "level", x.position, x.label))
    columns = sorted(filled, key=positions.__getitem__)
    start, end = rows[0][-2:]
    return Compiled(dataset, province, period, start, end, columns, ordered, units_in, units_expected)


def heading(dataset: Dataset, column: str) -> tuple[str, ...]:
    """The header path written for a column: its group and its label under it, or its own label."""
    col = next(c for c in dataset.columns if c.name == column)
    if col.under_title:
        return dataset.group_titles[col.under_title[0]], col.under_title[1]
    group = next((g for g in dataset.group_titles if column.startswith(f"{g}_")), None)
    return (dataset.group_titles[group], col.title) if group else (col.title,)


def period_words(period: str, start: date, end: date) -> str:
    """"Năm 2020 (Từ ngày 15/12/2019 đến ngày 14/12/2020)", as the forms write the period."""
    year, _, part = period.partition("-")
    if not part:
        name = f"Năm {year}"
    elif part.startswith("Q"):
        name = f"Quý {'I II III IV'.split()[int(part[1]) - 1]} năm {year}"
    elif part.startswith("H"):
        name = f"6 tháng {'đầu' if part == 'H1' else 'cuối'} năm {year}"
    else:
        name = f"Tháng {int(part)} năm {year}"
    return f"Kỳ báo cáo: {name} (Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y})"


def _number(value: int | None) -> str:
    return "" if value is None else f"{value:,}".replace(",", ".")


def _grid(report: Compiled, dataset: Dataset) -> tuple[list[list[Any]], dict[str, Any]]:
    """The sheet as rows of cells (numbers as ints), and where its parts are (for the workbook's
    merges and styles)."""
    code, title, counted = FORMS[report.dataset]
    province = province_names().get(report.province_code, report.province_code)
    width = 2 + len(report.columns)
    rows: list[list[Any]] = []

    def row(*cells: Any) -> None:
        rows.append(list(cells) + [""] * (width - len(cells)))

    right = [""] * (width - 3)
    authority = province if province.startswith("Thành phố") else f"Tỉnh {province}"
    row(f"ỦY BAN NHÂN DÂN {authority.upper()}", "", *right, code or "")
    row("VĂN PHÒNG", "", *right, "")
    row(title)
    row(period_words(report.period, report.period_start, report.period_end))
    row(f"(Tổng hợp từ báo cáo của {report.units_in}/{report.units_expected} đơn vị)")
    row("", "", *right, f"Đơn vị tính: {counted}")
    header_top = len(rows)
    paths = [heading(dataset, c) for c in report.columns]
    # a group's label in its first column only, as a merged cell is saved
    row("STT", "Tên đơn vị", *[p[0] if i == 0 or len(p) == 1 or paths[i - 1][0] != p[0] else "" for i, p in enumerate(paths)])
    grouped = any(len(p) > 1 for p in paths)
    if grouped:
        row("", "", *[p[1] if len(p) > 1 else "" for p in paths])
    row(*[f"({i})" for i in range(1, width + 1)])
    body_top = len(rows)
    numbers = {level: 0 for level in LEVELS}
    letters = iter("ABCDEFGH")
    for line in report.lines:
        if line.kind == "unit" and numbers[line.level] == 0:
            row("", f"{next(letters)}. {LEVEL_HEADINGS[line.level]}")
        if line.kind == "unit":
            numbers[line.level] += 1
            label = line.label + (ERROR_MARK if line.has_errors else "")
            if line.missing:
                row(numbers[line.level], f"{label} (chưa gửi báo cáo)")
            else:
                row(numbers[line.level], label, *[line.values.get(c) for c in report.columns])
        else:
            row("", line.label, *[line.values.get(c) for c in report.columns])
    body_end = len(rows)
    row("")
    row("Ghi chú:")
    row(f"- Số đơn vị đã gửi báo cáo: {report.units_in}/{report.units_expected}.")
    if report.missing:
        row(f"- Đơn vị chưa gửi báo cáo, không tính vào số liệu: {'; '.join(x.label for x in report.missing)}.")
    if report.with_errors:
        row(f"- (*) Báo cáo của đơn vị có lỗi, đã tổng hợp nhưng cần kiểm tra lại: "
            f"{'; '.join(x.label for x in report.with_errors)}.")
    row("", "", *right, f"{province.removeprefix('Thành phố ')}, ngày … tháng … năm …")
    signature_top = len(rows)
    row("NGƯỜI LẬP BIỂU", "", *right, "CHÁNH VĂN PHÒNG")
    row("(Ký, ghi rõ họ tên)", "", *right, "(Ký, ghi rõ họ tên, đóng dấu)")
    parts = {"header_top": header_top, "header_rows": 2 if grouped else 1, "body_top": body_top, "body_end": body_end,
             "signature_top": signature_top, "paths": paths, "width": width}
    return rows, parts


def write_csv(report: Compiled, dataset: Dataset, path: Path) -> Path:
    """The report as UTF-8 CSV (with BOM, for Excel), numbers grouped by "." as the forms write them."""
    rows, _ = _grid(report, dataset)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        for cells in rows:
            writer.writerow([_number(c) if isinstance(c, int) and not isinstance(c, bool) and i >= 2 else c
                             for i, c in enumerate(cells)])
    return path


def write_xlsx(report: Compiled, dataset: Dataset, path: Path) -> Path:
    """The report as a workbook: merged header, numbers as numbers, A4 landscape, one page wide,
    the header repeated on every page."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    rows, parts = _grid(report, dataset)
    width, top, body_top, body_end = parts["width"], parts["header_top"], parts["body_top"], parts["body_end"]
    book = Workbook()
    ws = book.active
    ws.title = report.dataset[:31]
    for cells in rows:
        ws.append([c if c != "" else None for c in cells])
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    bold = Font(bold=True)
    for r in (1, 2, 3):
        ws.cell(r, 1).font = bold
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=width)
    ws.merge_cells(start_row=4, start_column=1, end_row=4, end_column=width)
    ws.merge_cells(start_row=5, start_column=1, end_row=5, end_column=width)
    for r in (3, 4, 5):
        ws.cell(r, 1).alignment = Alignment(horizontal="center")
    # The header: STT, the unit and each lone column span both rows; a group spans its columns.
    h1 = top + 1
    h2 = h1 + parts["header_rows"] - 1
    for c in (1, 2):
        if h2 > h1:
            ws.merge_cells(start_row=h1, start_column=c, end_row=h2, end_column=c)
    paths: Sequence[tuple[str, ...]] = parts["paths"]
    i = 0
    while i < len(paths):
        j = i
        while j + 1 < len(paths) and len(paths[i]) > 1 and paths[j + 1][0] == paths[i][0] and len(paths[j + 1]) > 1:
            j += 1
        if len(paths[i]) == 1 and h2 > h1:
            ws.merge_cells(start_row=h1, start_column=i + 3, end_row=h2, end_column=i + 3)
        elif j > i:
            ws.merge_cells(start_row=h1, start_column=i + 3, end_row=h1, end_column=j + 3)
        i = j + 1
    for r in range(h1, body_end + 1):
        for c in range(1, width + 1):
            cell = ws.cell(r, c)
            cell.border = box
            if r <= h2 + 1:
                cell.alignment, cell.font = centre, bold
            elif c > 2 and isinstance(cell.value, int):
                cell.number_format = NUMBER_FORMAT
    for r in range(body_top + 1, body_end + 1):
        if ws.cell(r, 1).value in (None, "") and ws.cell(r, 2).value:
            ws.cell(r, 2).font = bold
    sign = parts["signature_top"] + 1
    for r in (sign, sign + 1):
        for c in (1, width):
            ws.cell(r, c).alignment = Alignment(horizontal="center")
    ws.cell(sign, 1).font = ws.cell(sign, width).font = bold
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 40
    for c in range(3, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14
    ws.print_title_rows = f"{h1}:{h2 + 1}"
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    book.save(path)
    return path
