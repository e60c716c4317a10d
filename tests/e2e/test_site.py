"""The report site after two runs over four quarters, in Chromium at desktop and phone widths:
the overview ranks every province with its change and sorts, a province page draws its
sparklines, the test history page lists the tests; it opens from the file system and from
`tthc docs serve`, which serves nothing else beside the warehouse."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser import browser_page
from tests.conftest import PROJECT_ROOT, copy_warehouse

FORM = "Đơn vị,Tổng số hồ sơ tiếp nhận,Trước hạn,Đúng hạn,Giải quyết quá hạn\nTổng cộng,120,{early},{on_time},{late}\n"
# Dossiers resolved late of 100 resolved, by quarter: Hà Nội improves, Quảng Ninh worsens, Bắc Giang stays.
LATE = {"01": lambda q: 10 - q, "22": lambda q: 3 + q, "24": lambda q: 5}


def _quarter(raw, province: str, quarter: int) -> None:
    late = LATE[province](quarter)
    (raw / "dossier_results" / f"{province}_2021-Q{quarter}.csv").write_text(
        FORM.format(early=40, on_time=60 - late, late=late), encoding="utf-8")


@pytest.fixture(scope="module")
def site(blank_warehouse, tmp_path_factory):
    """Into a warehouse in service, run 1: three quarters of three provinces; run 2: the fourth quarter."""
    from tthc.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("site")
    raw, warehouse = root / "raw", copy_warehouse(blank_warehouse, root / "wh")
    (raw / "dossier_results").mkdir(parents=True)
    for quarter in (1, 2, 3, 4):
        for province in LATE:
            _quarter(raw, province, quarter)
        if quarter >= 3:
            assert run_pipeline(raw_dir=str(raw), warehouse=str(warehouse)).published
    yield warehouse
    shutil.rmtree(root)


def _on_time_cells(page) -> list[str]:
    return page.locator("#overview tbody tr td:nth-child(2)").all_inner_texts()


def test_the_overview_ranks_every_province_with_its_change_and_sorts(site):
    with browser_page() as page:
        page.goto((site.parent / "report" / "index.html").as_uri())
        provinces = page.locator("#overview tbody td.name").all_inner_texts()
        cells = dict(zip(provinces, _on_time_cells(page), strict=True))
        arrows = {p: page.locator(f"#overview tbody tr:nth-child({i + 1}) td:nth-child(2) span span").get_attribute("class")
                  for i, p in enumerate(provinces)}
        page.locator("#overview th button").nth(1).click()
        ascending = page.locator("#overview tbody td.name").all_inner_texts()
        page.locator("#overview th button").nth(1).click()
        descending = page.locator("#overview tbody td.name").all_inner_texts()
    assert provinces == ["Thành phố Hà Nội (01)", "Quảng Ninh (22)", "Bắc Giang (24)"]  # by code
    # 2021-Q4 against 2021-Q3, in Vietnamese formats: 95/100, 94/100, 93/100
    assert re.fullmatch(r"95,00 % ► 0,00 điểm %\s+hạng 1/3 · 2021-Q4", cells["Bắc Giang (24)"])
    assert re.fullmatch(r"94,00 % ▲ \+1,00 điểm %\s+hạng 2/3 · 2021-Q4", cells["Thành phố Hà Nội (01)"])
    assert re.fullmatch(r"93,00 % ▼ -1,00 điểm %\s+hạng 3/3 · 2021-Q4", cells["Quảng Ninh (22)"])
    assert arrows == {"Bắc Giang (24)": "flat", "Thành phố Hà Nội (01)": "up", "Quảng Ninh (22)": "down"}
    assert ascending == ["Quảng Ninh (22)", "Thành phố Hà Nội (01)", "Bắc Giang (24)"]
    assert descending == ["Bắc Giang (24)", "Thành phố Hà Nội (01)", "Quảng Ninh (22)"]


def test_the_overview_fits_a_phone_without_horizontal_scroll(site):
    with browser_page(390, 844) as page:
        page.goto((site.parent / "report" / "index.html").as_uri())
        width = page.evaluate("document.documentElement.scrollWidth")
        page.select_option("#sort", "1:asc")
        ascending = page.locator("#overview tbody td.name").all_inner_texts()
        label = page.evaluate("getComputedStyle(document.querySelector('#overview tbody td:nth-child(2)'), '::before').content")
    assert width <= 390
    assert ascending == ["Quảng Ninh (22)", "Thành phố Hà Nội (01)", "Bắc Giang (24)"]
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn và trước hạn" in label  # each figure named on its card


def test_a_province_page_draws_each_indicator_over_its_periods(site):
    for width in (1280, 390):
        with browser_page(width, 900) as page:
            page.goto((site.parent / "report" / "provinces" / "22.html").as_uri())
            on_time = page.locator("svg.spark[aria-label='dossier_on_time_rate'] polyline").get_attribute("points")
            text = page.inner_text("body")
            scroll = page.evaluate("document.documentElement.scrollWidth")
        assert len(on_time.split()) == 4  # 2021-Q1 to Q4
        assert "Quảng Ninh (22)" in text and "2021-Q1 → 2021-Q4" in text and "93,00 %" in text
        assert "Báo cáo năm nay" in text and "Phát hiện về chất lượng dữ liệu" in text
        assert scroll <= width


def test_the_test_history_page_lists_every_test(site):
    from tests.conftest import warehouse_rows

    with browser_page() as page:
        page.goto((site.parent / "report" / "tests.html").as_uri())
        page.locator("details summary").first.click()
        statuses = page.locator(".runs").count()
        text = page.inner_text("body")
    tests = warehouse_rows(site, "select count(*) from marts.test_history")[0][0]
    assert statuses == tests > 100
    assert "Lịch sử kiểm thử và phát hiện" in text and "Runs, oldest first" in text


def test_the_site_is_served_beside_the_docs_and_nothing_else_is(site):
    # links planted in the served folders, to a file and a folder outside them and to a page inside
    links = {site.parent / "report" / "passwd.html": Path("/etc/passwd"), site.parent / "docs" / "runs": site.parent / "runs",
             site.parent / "report" / "again.html": site.parent / "report" / "index.html"}
    for link, target in links.items():
        link.symlink_to(target)
    server = subprocess.Popen(
        [sys.executable, "-m", "tthc.cli.main", "docs", "serve", "--port", "0", "--warehouse", str(site)],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        server.stdout.readline()
        root = re.search(r"(http://127\.0\.0\.1:\d+)/report/", server.stdout.readline()).group(1)
        with browser_page() as page:
            page.goto(root + "/")  # leads to the report site
            provinces = page.locator("#overview tbody td.name").count()
            page.locator("#overview a", has_text="Quảng Ninh").click()
            province = page.inner_text("h1")
        for private in ("/tthc.duckdb", "/runs/", "/../tthc.duckdb", "/report/../tthc.duckdb",
                        "/report/%2e%2e/tthc.duckdb", "/docs/..%2ftthc.duckdb",
                        "/report/passwd.html", "/docs/runs/", "/report/again.html"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(root + private, timeout=10)
            assert refused.value.code == 404
    finally:
        server.terminate()
        server.wait(timeout=10)
        for link in links:
            link.unlink()
    assert provinces == 3 and province == "Quảng Ninh (22)"
