"""`tthc report --format xlsx`: the report site's tables as a print-ready workbook, Vietnamese intact."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import openpyxl

from tests.conftest import PROJECT_ROOT


def test_the_workbook_has_a_sheet_per_table_with_vietnamese_headers_formats_and_print_setup(shipped_run, tmp_path):
    target = tmp_path / "báo cáo.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", "report", "--format", "xlsx", "--output", str(target),
         "--warehouse", str(shipped_run.warehouse)], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert zipfile.is_zipfile(target)
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["Tổng quan", "Chỉ tiêu", "Phát hiện", "Báo cáo năm nay", "Kiểm thử"]
    for ws in wb:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.print_title_rows == "$1:$2" and ws.freeze_panes == "A3"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    overview = wb["Tổng quan"]
    assert [c.value for c in overview[1]][:3] == ["Mã tỉnh", "Tỉnh", "Tỷ lệ hồ sơ giải quyết đúng hạn và trước hạn"]
    assert [c.value for c in overview[2]][:3] == ["Code", "Province", "dossier_on_time_rate"]
    quang_ninh = next(row for row in overview.iter_rows(min_row=3) if row[0].value == "22")
    assert quang_ninh[1].value == "Quảng Ninh"
    assert (quang_ninh[2].value, quang_ninh[2].number_format) == (1_123_332 / 1_126_219, "0.00%")
    indicators = {(r[0].value, r[3].value, r[2].value): r for r in wb["Chỉ tiêu"].iter_rows(min_row=3)}
    received = indicators[("22", "2020", "Tổng số hồ sơ tiếp nhận")]
    assert (received[4].value, received[4].number_format) == (1_191_036, "#,##0")
    integration = indicators[("22", "2020", "Tỷ lệ DVCTT tích hợp lên Cổng Dịch vụ công quốc gia")]
    assert (integration[4].value, integration[4].number_format) == (518 / 1552, "0.00%")
    findings = [[c.value for c in r] for r in wb["Phát hiện"].iter_rows(min_row=3)]
    assert len(findings) == 2 and all(f[0] == "Cảnh báo" for f in findings)
    assert any("cộng lại bằng 1883" in f[6] and "add up to 1883" in f[7] for f in findings)
    tests = wb["Kiểm thử"]
    assert tests.max_row - 2 == len(shipped_run.build.tests) > 100
