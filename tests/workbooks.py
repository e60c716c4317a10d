"""Workbooks written as Excel writes them, for the corpus and the hostile-file tests.

openpyxl writes formulas without the value a spreadsheet saves beside them; `save_with_values`
adds those values afterwards, as Excel does on save. Run `python -m tests.workbooks` to write
the corpus workbooks again (their manifest entries are written by hand).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl

CORPUS = Path(__file__).resolve().parent / "corpus"
HEADER_TOP = ["STT", "Đơn vị", "Số hồ sơ nhận giải quyết", None, "Số hồ sơ đã giải quyết", None, None, None]
HEADER_BOTTOM = [None, None, "Tổng số", "Trực tuyến", "Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn"]
UNITS = [
    ("1", "Sở Tư pháp", 120, 80, 110, 30, 70, 10),
    ("2", "Sở Y tế", 200, 150, 190, 40, 140, 10),
    ("3", "Huyện Bình Liêu", 300, 100, 280, 50, 220, 10),
]


def form_sheet(ws, total_values: bool = True) -> dict[str, int]:
    """Biểu II.06b with a merged two-row header, three units, a total row of SUM formulas and a
    signature block; returns the saved value of each formula cell by reference."""
    ws.append(["Biểu số II.06b/VPCP/KSTT"])
    ws.append(HEADER_TOP)
    ws.append(HEADER_BOTTOM)
    ws.merge_cells("C2:D2")
    ws.merge_cells("E2:H2")
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    for row in UNITS:
        ws.append(list(row))
    total_row = ws.max_row + 1
    saved = {}
    ws.cell(total_row, 2, "Tổng cộng")
    for j in range(3, 9):
        letter = openpyxl.utils.get_column_letter(j)
        ws.cell(total_row, j, f"=SUM({letter}4:{letter}{total_row - 1})")
        if total_values:
            saved[f"{letter}{total_row}"] = sum(row[j - 1] for row in UNITS)
    ws.append([])
    ws.append([None, None, None, None, None, "Quảng Ninh, ngày 20 tháng 12 năm 2022"])
    ws.append([None, "Người lập biểu", None, None, None, "KT. GIÁM ĐỐC"])
    ws.append([None, "Trần Thị Bình", None, None, None, "Nguyễn Văn An"])
    return saved


def save_with_values(wb: openpyxl.Workbook, sheet_index: int, saved: dict[str, int]) -> bytes:
    """The workbook's bytes, with each formula cell in `saved` given its saved value."""
    buffer = io.BytesIO()
    wb.save(buffer)
    part = f"xl/worksheets/sheet{sheet_index + 1}.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == part:
                xml = data.decode("utf-8")
                for ref, value in saved.items():
                    xml = re.sub(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?', rf"\g<1>\g<2><v>{value}</v>", xml)
                data = xml.encode("utf-8")
            target.writestr(info, data)
    return out.getvalue()


def excel_like_report() -> bytes:
    """A cover sheet first, a hidden sheet with an old draft of the form, then the form."""
    wb = openpyxl.Workbook()
    cover = wb.active
    cover.title = "Bìa"
    cover.append(["BÁO CÁO KẾT QUẢ GIẢI QUYẾT TTHC NĂM 2022"])
    cover.append(["Đơn vị báo cáo: UBND tỉnh Quảng Ninh"])
    draft = wb.create_sheet("Nháp")
    form_sheet(draft)
    draft.sheet_state = "hidden"
    saved = form_sheet(wb.create_sheet("Biểu II.06b"))
    return save_with_values(wb, 2, saved)


def formula_without_value() -> bytes:
    """The form as a program writes it: formulas with no saved value."""
    wb = openpyxl.Workbook()
    wb.active.title = "Biểu II.06b"
    form_sheet(wb.active, total_values=False)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def two_forms() -> bytes:
    """The form on two visible sheets: nobody can tell which one the province meant."""
    wb = openpyxl.Workbook()
    wb.active.title = "Quý 3"
    form_sheet(wb.active)
    form_sheet(wb.create_sheet("Quý 4"))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def cell_at_the_last_cell() -> bytes:
    """A few KB: one value at XFD1048576, Excel's last cell."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Đơn vị"
    wb.active["XFD1048576"] = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def zip_bomb(unpacked_mb: int = 600) -> bytes:
    """An .xlsx whose one sheet unpacks to `unpacked_mb` MB of blanks (about 1/1000 of it packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b" " * (1 << 20)
            for _ in range(unpacked_mb):
                part.write(block)
    return out.getvalue()


CORPUS_WORKBOOKS = {
    "dossier_results/36_2022.xlsx": excel_like_report,
    "dossier_results/34_2022.xlsx": formula_without_value,
    "dossier_results/35_2022.xlsx": two_forms,
}

if __name__ == "__main__":
    for rel, make in CORPUS_WORKBOOKS.items():
        (CORPUS / rel).write_bytes(make())
        print("wrote", CORPUS / rel)
