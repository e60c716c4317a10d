"""`tthc report --format xlsx`: the report site's tables as a workbook, to attach to an official
letter. One sheet per table; Vietnamese headers with the English below; numbers stay numbers,
with formats (Excel shows them with the reader's Vietnamese separators); print-ready: A4
landscape, one page wide, both header rows repeated on every page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tthc.report.run_page import SEVERITY_VI, SUBMISSION_VI, TIMELINESS
from tthc.report.site import HISTORY_VI, KEY_INDICATORS, latest_values

RATIO, COUNT, CHANGE = "0.00%", "#,##0", "+0.00%;-0.00%;0.00%"
COUNT_CHANGE, DATE = "+#,##0;-#,##0;0", "dd/mm/yyyy"


@dataclass(frozen=True)
class Column:
    vi: str
    en: str
    value: Callable[[dict[str, Any]], Any]
    number_format: Callable[[dict[str, Any]], str | None] = lambda row: None
    width: int = 14


def _by_unit(ratio: str, count: str) -> Callable[[dict[str, Any]], str]:
    return lambda row: ratio if row["unit"] == "ratio" else count


def _iso_date(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def _overview_rows(record: dict[str, Any]) -> tuple[list[Column], list[dict[str, Any]]]:
    """One row per province, three columns per key indicator: its latest value, rank and period."""
    latest = latest_values(record.get("trends", []))
    names = {code: row["name_vi"] for (_, code), row in latest.items()}
    provinces = sorted({(r["province_code"], r["province_name"] or "") for r in record.get("trends", [])})
    columns = [Column("Mã tỉnh", "Code", lambda r: r["code"], width=8), Column("Tỉnh", "Province", lambda r: r["name"], width=22)]
    for code in (c for c in KEY_INDICATORS if c in names):
        columns += [
            Column(names[code], code, lambda r, c=code: r[c]["value"] if r[c] else None,
                   lambda r, c=code: (RATIO if r[c]["unit"] == "ratio" else COUNT) if r[c] else None, width=18),
            Column("Hạng", "Rank", lambda r, c=code: f'{r[c]["rank"]}/{r[c]["provinces_ranked"]}'
                   if r[c] and r[c]["rank"] is not None else None, width=8),
            Column("Kỳ", "Period", lambda r, c=code: r[c]["period"] if r[c] else None, width=10),
        ]
    rows = [{"code": p, "name": n, **{c: latest.get((p, c)) for c in KEY_INDICATORS}} for p, n in provinces]
    return columns, rows


TRENDS = [
    Column("Mã tỉnh", "Code", lambda r: r["province_code"], width=8),
    Column("Tỉnh", "Province", lambda r: r["province_name"], width=20),
    Column("Chỉ tiêu", "Indicator", lambda r: r["name_vi"], width=44),
    Column("Kỳ", "Period", lambda r: r["period"], width=10),
    Column("Giá trị", "Value", lambda r: r["value"], _by_unit(RATIO, COUNT)),
    Column("Kỳ trước", "Previous period", lambda r: r["previous_period"], width=10),
    Column("Thay đổi so với kỳ trước", "Change from previous", lambda r: r["change_from_previous"], _by_unit(CHANGE, COUNT_CHANGE)),
    Column("Cùng kỳ năm trước", "Same period a year before", lambda r: r["year_ago_period"], width=10),
    Column("Thay đổi so với cùng kỳ", "Change from a year before", lambda r: r["change_from_year_ago"], _by_unit(CHANGE, COUNT_CHANGE)),
    Column("Hạng", "Rank", lambda r: r["rank"], lambda r: COUNT, width=8),
    Column("Số tỉnh xếp hạng", "Provinces ranked", lambda r: r["provinces_ranked"], lambda r: COUNT, width=10),
    Column("Trung vị các tỉnh", "Peers' median", lambda r: r["peer_median"], _by_unit(RATIO, COUNT)),
]
FINDINGS = [
    Column("Mức", "Severity", lambda r: SEVERITY_VI.get(r["severity"], r["severity"]), width=10),
    Column("Mã tỉnh", "Code", lambda r: r["province_code"], width=8),
    Column("Kỳ", "Period", lambda r: r["period"], width=10),
    Column("Biểu", "Dataset", lambda r: r["dataset"], width=18),
    Column("Tệp", "File", lambda r: r["source_file"], width=30),
    Column("Vị trí", "Where", lambda r: r.get("cell") or (f'dòng {r["line_number"]}' if r["line_number"] else None), width=16),
    Column("Nội dung", "Message (Vietnamese)", lambda r: r["message_vi"], width=60),
    Column("Message", "Message (English)", lambda r: r["message"], width=60),
    Column("Mong đợi", "Expected", lambda r: r["expected_value"], width=12),
    Column("Thực tế", "Actual", lambda r: r["actual_value"], width=12),
]
SUBMISSIONS = [
    Column("Kỳ", "Period", lambda r: r["period"], width=10),
    Column("Biểu", "Dataset", lambda r: r["dataset"], width=18),
    Column("Mã tỉnh", "Code", lambda r: r["province_code"], width=8),
    Column("Tỉnh", "Province", lambda r: r["province_name"], width=22),
    Column("Tình trạng", "Status", lambda r: SUBMISSION_VI.get(r["status"], r["status"]), width=14),
    Column("Hạn gửi", "Due", lambda r: _iso_date(r["due_date"]), lambda r: DATE, width=12),
    Column("Đúng hạn", "Timeliness", lambda r: TIMELINESS[r["timeliness"]][0] if r.get("timeliness") else None, width=22),
]
TESTS = [
    Column("Tình trạng", "Status", lambda r: HISTORY_VI[r["history_status"]], width=14),
    Column("Kiểm thử", "Test", lambda r: r["test_name"], width=60),
    Column("Bảng", "Model", lambda r: r["model"], width=24),
    Column("Mức", "Severity", lambda r: r["severity"], width=8),
    Column("Các lần chạy, cũ trước", "Runs, oldest first", lambda r: r["recent_statuses"], width=30),
    Column("Lỗi từ lần chạy", "Failing since run", lambda r: r["failing_since_run_id"], width=24),
]


def _sheet(ws: Worksheet, columns: list[Column], rows: list[dict[str, Any]]) -> None:
    """Two header rows (Vietnamese, English) repeated on every printed page, then the rows."""
    bold, grey = Font(bold=True), Font(italic=True, color="5A6777")
    fill = PatternFill("solid", fgColor="EEF1F5")
    for i, column in enumerate(columns, start=1):
        for row, text, font in ((1, column.vi, bold), (2, column.en, grey)):
            cell = ws.cell(row=row, column=i, value=text)
            cell.font, cell.fill = font, fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(i)].width = column.width
    for r, row in enumerate(rows, start=3):
        for i, column in enumerate(columns, start=1):
            value = column.value(row)
            cell = ws.cell(row=r, column=i, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text, never a formula
            elif value is not None and (fmt := column.number_format(row)):
                cell.number_format = fmt
    ws.freeze_panes = "A3"
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True


def write_report_workbook(record: dict[str, Any], target: Path) -> Path:
    """The overview, the indicators over their periods, the findings, the year's submissions and
    the test history of a run's record, one sheet each."""
    overview_columns, overview_rows = _overview_rows(record)
    sheets = [
        ("Tổng quan", overview_columns, overview_rows),
        ("Chỉ tiêu", TRENDS, record.get("trends", [])),
        ("Phát hiện", FINDINGS, record.get("findings", [])),
        ("Báo cáo năm nay", SUBMISSIONS, record.get("submissions", [])),
        ("Kiểm thử", TESTS, record.get("test_history", [])),
    ]
    wb = Workbook()
    wb.remove(wb.active)
    for title, columns, rows in sheets:
        _sheet(wb.create_sheet(title), columns, rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target
