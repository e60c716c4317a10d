"""The run report page, rendered in real headless Chromium: what a person sees matches `tthc results`."""

from __future__ import annotations

import subprocess
import sys

from tests.browser import browser_page
from tests.conftest import PROJECT_ROOT


def test_report_page_shows_indicators_tests_findings_and_submissions(shipped_run):
    page_file = shipped_run.warehouse.parent / "report" / "run.html"
    results = subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", "results", "--warehouse", str(shipped_run.warehouse)],
        capture_output=True, text=True, cwd=PROJECT_ROOT, check=True,
    ).stdout
    with browser_page() as page:
        page.goto(page_file.as_uri())
        seen = page.inner_text("body")
        indicators = page.locator("svg").first.text_content()  # the first chart, as drawn
        bars = page.locator("svg rect").count()

    # Vietnamese number formats, Vietnamese names with English labels
    assert "Quảng Ninh (22) — 2020" in seen
    assert "33,38 %" in indicators and "Tỷ lệ DVCTT tích hợp lên Cổng Dịch vụ công quốc gia" in indicators
    assert "Share of level-3/4 online services integrated on the National Public Service Portal" in indicators
    assert "1.191.036" in seen and "1.126.219" in seen
    assert bars > 10
    # the merged province's report is there too
    assert "Vĩnh Phúc (26) — 2021-Q3" in seen and "99,74 %" in seen
    # tests: the same counts as `tthc results`
    passed = sum(t.status == "pass" for t in shipped_run.build.tests)
    warned = sum(t.status == "warn" for t in shipped_run.build.tests)
    assert f"Tests: {passed} pass, {warned} warn" in results
    assert f"Đạt / pass: {passed}" in seen and f"Cảnh báo / warn: {warned}" in seen
    # findings: the same two, in both languages, with Vietnamese number formats
    assert "Findings: 2" in results
    for vi_figures, en_message in [("1.883", "add up to 1883, but the row gives 1882"), ("1.611", "add up to 1611, but the row gives 1552")]:
        assert en_message in results and en_message in seen
        assert vi_figures in seen
    assert "cộng lại bằng 1883" in seen
    # submissions: who has sent what
    assert "Tình hình gửi báo cáo" in seen and "Quảng Ninh (22)" in seen and "Chưa gửi / missing" in seen
