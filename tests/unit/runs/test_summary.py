"""The run summary, in Vietnamese with the English beside it, from a run record alone."""

from __future__ import annotations

from tthc.runs.summary import summary_lines

RECORD = {
    "run_id": "20261203T070000000000Z", "published": True, "warehouse": "/w/tthc.duckdb", "target": "duckdb",
    "files": [{"path": "feedback/22_2021.csv", "status": "loaded", "reason": None},
              {"path": "feedback/99_2021.csv", "status": "refused", "reason": "unknown province"}],
    "tests": [{"status": "pass"}, {"status": "warn"}], "build_skipped": False, "build_selection": [],
    "build_errors": [], "timings": {"prepare": 0.4}, "log_file": "/w/runs/20261203T070000000000Z.log",
    "headline": [{"province_code": "22", "period": "2020", "indicator_code": "national_portal_integration_rate",
                  "value": 0.3338, "numerator": 518, "denominator": 1552, "unit": "ratio"}],
}


def test_the_summary_says_each_thing_in_both_languages_and_names_the_log():
    lines = summary_lines(RECORD)
    assert lines[0] == ("Lần chạy 20261203T070000000000Z: đã công bố / "
                        "Run 20261203T070000000000Z: published to /w/tthc.duckdb")
    assert "Tệp: 1 đã nạp, 0 trùng, 0 gửi lại, 0 thiếu, 0 bị thay, 1 từ chối, 0 loại" in lines
    assert any(line.startswith("Kiểm thử: 1 đạt, 1 cảnh báo, 0 lỗi / Tests: 1 passed, 1 warned") for line in lines)
    assert "  Quảng Ninh (22) 2020 national_portal_integration_rate: 33.38% (518 / 1,552)" in lines
    assert lines[-1] == "Nhật ký / Log: /w/runs/20261203T070000000000Z.log"
