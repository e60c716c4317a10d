"""The reporting calendar: reports expected from the schedule, due dates over working days and
holidays, the 2025 merger, timeliness on the run's date (TTHC_AS_OF), and arrival times that
survive later runs."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from tests.conftest import PROJECT_ROOT, SMALL_FEEDBACK, copy_warehouse, warehouse_rows

BAD_FEEDBACK = SMALL_FEEDBACK.read_text(encoding="utf-8").replace("Tổng cộng,10,", "Tổng cộng,1O,")  # a letter O


def _run(raw, warehouse, as_of: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", "run", "--raw-dir", str(raw), "--warehouse", str(warehouse)],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=600, env={**os.environ, "TTHC_AS_OF": as_of},
    )
    assert done.returncode in (0, 3), done.stdout + done.stderr
    return done


def _submission(warehouse, dataset: str, province: str, period: str) -> tuple | None:
    """The report's row in marts.submissions, or None when the calendar does not expect it."""
    rows = warehouse_rows(
        warehouse, "select due_date, first_accepted_at, timeliness from marts.submissions "
        "where dataset = ? and province_code = ? and period = ?", [dataset, province, period])
    return rows[0] if rows else None


@pytest.fixture()
def place(blank_warehouse, tmp_path):
    raw = tmp_path / "raw"
    (raw / "feedback").mkdir(parents=True)
    return raw, copy_warehouse(blank_warehouse, tmp_path / "wh")


def test_due_dates_skip_weekends_and_holidays_and_follow_the_merger(place):
    raw, warehouse = place
    _run(raw, warehouse, "2025-10-01")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        due = dict(con.execute(
            "select period, min(due_date) from marts.submissions where dataset = 'dossiers' "
            "and period in ('2021-02', '2021-08', '2025-01') group by period").fetchall())
        provinces = dict(con.execute(
            "select period, count(distinct province_code) from marts.submissions "
            "where dataset = 'feedback' and period in ('2025-Q2', '2025-Q3') group by period").fetchall())
        quarter_due = con.execute(
            "select distinct due_date from marts.submissions where dataset = 'feedback' and period = '2021-Q3'").fetchall()
    finally:
        con.close()
    # cut-off Monday 15/02/2021 is in Tết (10/2-16/2): the 2nd working day after it is Thursday 18/02
    assert due["2021-02"] == dt.date(2021, 2, 18)
    # cut-off Sunday 15/08/2021: Monday 16 and Tuesday 17
    assert due["2021-08"] == dt.date(2021, 8, 17)
    # cut-off Wednesday 15/01/2025: Thursday 16 and Friday 17
    assert due["2025-01"] == dt.date(2025, 1, 17)
    assert provinces == {"2025-Q2": 63, "2025-Q3": 34}  # the merger took effect on 01/07/2025
    assert quarter_due == [(dt.date(2021, 9, 20),)]  # the 20th of the quarter's last month


def test_timeliness_follows_the_run_date_even_with_nothing_new(place):
    raw, warehouse = place
    _run(raw, warehouse, "2021-09-14")  # nothing sent; due 20/09 (Monday) within 5 working days
    assert _submission(warehouse, "feedback", "22", "2021-Q3")[2] == "due_soon"
    assert _submission(warehouse, "feedback", "22", "2021-Q4") is None  # starts on 15/09: not expected yet
    again = _run(raw, warehouse, "2021-09-21")  # nothing new, but a new day
    assert "Nothing new" not in again.stdout
    assert _submission(warehouse, "feedback", "22", "2021-Q3")[2] == "overdue"
    assert _submission(warehouse, "feedback", "22", "2021-Q4")[2] == "not_yet_due"  # it has started


def test_the_first_acceptable_version_decides_and_its_arrival_survives_later_runs(place):
    raw, warehouse = place
    shutil.copyfile(SMALL_FEEDBACK, raw / "feedback" / "22_2021-Q3.csv")
    (raw / "feedback" / "24_2021-Q3.csv").write_text(BAD_FEEDBACK, encoding="utf-8")
    _run(raw, warehouse, "2021-09-10")
    due, arrived, timeliness = _submission(warehouse, "feedback", "22", "2021-Q3")
    assert (due, timeliness) == (dt.date(2021, 9, 20), "on_time")
    assert _submission(warehouse, "feedback", "24", "2021-Q3")[2] == "rejected_pending"

    # a revision of 22 after the due date changes nothing; 24's first acceptable version is late
    shutil.copyfile(SMALL_FEEDBACK, raw / "feedback" / "22_2021-Q3_r1.csv")
    (raw / "feedback" / "22_2021-Q3_r1.csv").write_text(
        SMALL_FEEDBACK.read_text(encoding="utf-8").replace("Tổng cộng,10,4,6,8,2,7", "Tổng cộng,11,5,6,9,2,7"), encoding="utf-8")
    shutil.copyfile(SMALL_FEEDBACK, raw / "feedback" / "24_2021-Q3_r1.csv")
    _run(raw, warehouse, "2021-10-05")
    assert _submission(warehouse, "feedback", "22", "2021-Q3") == (due, arrived, "on_time")
    late = _submission(warehouse, "feedback", "24", "2021-Q3")
    assert late[2] == "late" and late[1] > arrived


def test_the_page_opens_with_the_years_matrix_overdue_and_late_first(place):
    from tests.browser import browser_page

    raw, warehouse = place
    (raw / "feedback" / "24_2021-Q3.csv").write_text(BAD_FEEDBACK, encoding="utf-8")
    _run(raw, warehouse, "2021-09-10")
    shutil.copyfile(SMALL_FEEDBACK, raw / "feedback" / "24_2021-Q3_r1.csv")  # accepted after the due date: late
    _run(raw, warehouse, "2021-09-30")
    with browser_page() as page:
        page.goto((warehouse.parent / "report" / "run.html").as_uri())
        headings = page.locator("h2").all_inner_texts()
        urgent = page.locator("#timeliness + p + ul li").all_inner_texts()
        feedback_cells = page.locator("h3:text-is('feedback') + .matrix td.t").count()
        late_cell = page.locator("h3:text-is('feedback') + .matrix td.t[title*='2021-Q3: Gửi muộn']").count()
    assert headings[0].startswith("Hạn gửi báo cáo năm nay")  # the page opens with it
    assert urgent[0].startswith("Quá hạn / overdue") and any(u.startswith("Gửi muộn / late") for u in urgent)
    assert urgent.index(next(u for u in urgent if u.startswith("Gửi muộn"))) > 0  # overdue first, then late
    assert any("Bắc Giang (24) — feedback 2021-Q3" in u for u in urgent)
    assert feedback_cells == 63 * 5 and late_cell == 1  # 2021-Q1 to Q4 (Q4 started on 15/09) and the year, × 63 provinces
