"""The raw directory is the truth: content put back at a path is current again, a file that
disappears is reported missing but stays current, and `tthc withdraw` takes a report out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import PROJECT_ROOT, SMALL_FEEDBACK, copy_warehouse, warehouse_rows

PATH = "feedback/22_2021.csv"
A = SMALL_FEEDBACK.read_text(encoding="utf-8")
B = A.replace("Tổng cộng,10,4,6,8,2,7", "Tổng cộng,20,8,12,16,4,14")


def tthc(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tthc.cli.main", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=600)


def _received(warehouse: Path) -> list[tuple]:
    return warehouse_rows(
        warehouse, "select received_total, source_file from marts.feedback where province_code = '22' and period = '2021'")


def _log(warehouse: Path) -> list[tuple]:
    return warehouse_rows(
        warehouse, "select status, reason from audit.ingest_log where file_path = ? order by loaded_at desc limit 1", [PATH])


@pytest.fixture()
def place(blank_warehouse, tmp_path):
    raw = tmp_path / "raw"
    (raw / "feedback").mkdir(parents=True)
    warehouse = copy_warehouse(blank_warehouse, tmp_path / "warehouse")

    def run(content: str | None, expect: int = 0) -> subprocess.CompletedProcess:
        target = raw / PATH
        if content is None:
            target.unlink(missing_ok=True)
        else:
            target.write_text(content, encoding="utf-8")
        done = tthc("run", "--raw-dir", str(raw), "--warehouse", str(warehouse))
        assert done.returncode == expect, done.stdout + done.stderr
        return done

    return raw, warehouse, run


def test_earlier_content_put_back_is_current_again(place):
    raw, warehouse, run = place
    run(A)
    assert _received(warehouse) == [(10, PATH)]
    run(B)
    assert _received(warehouse) == [(20, PATH)]
    run(A)
    assert _received(warehouse) == [(10, PATH)]
    status, reason = _log(warehouse)[0]
    assert status == "redelivered" and "after other content" in reason


def test_a_missing_file_is_reported_and_stays_current_until_withdrawn(place):
    raw, warehouse, run = place
    run(A)
    gone = run(None, expect=3)
    assert f"missing: {PATH}" in gone.stdout and "tthc withdraw feedback 22 2021" in gone.stdout
    assert _log(warehouse)[0][0] == "missing"
    assert _received(warehouse) == [(10, PATH)]  # still current
    page = (warehouse.parent / "report" / "run.html").read_text(encoding="utf-8")
    assert f"missing: {PATH}" in page

    withdrawn = tthc("withdraw", "feedback", "22", "2021", "--reason", "gửi nhầm tỉnh",
                     "--raw-dir", str(raw), "--warehouse", str(warehouse))
    assert withdrawn.returncode == 0, withdrawn.stdout + withdrawn.stderr
    assert "Withdrawn: feedback 22 2021: gửi nhầm tỉnh" in withdrawn.stdout
    assert _received(warehouse) == []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select reason from audit.withdrawals").fetchall() == [("gửi nhầm tỉnh",)]
        assert con.execute("select count(*) from raw.report_files where file_path = ?", [PATH]).fetchone()[0] == 1  # kept
    finally:
        con.close()

    # The same content sent again is a new delivery: the report is back.
    run(A)
    assert _received(warehouse) == [(10, PATH)]
    assert _log(warehouse)[0][0] == "redelivered"


def test_withdrawing_a_report_never_loaded_is_refused_with_the_reason(place):
    raw, warehouse, run = place
    run(A)
    done = tthc("withdraw", "feedback", "23", "2021", "--reason", "x", "--raw-dir", str(raw), "--warehouse", str(warehouse))
    assert done.returncode == 1 and "no report feedback 23 2021 was ever loaded" in done.stderr
