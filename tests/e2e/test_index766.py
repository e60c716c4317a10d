"""The Decision 766 index: the portal's captures load as snapshots, the scoring rules are checked
on every row, provinces are ranked per national snapshot, and the portal's progress figures sit
next to the reports'. Real captures (raw/index766) and files written here as the portal writes them."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from tests.conftest import PROJECT_ROOT, SHIPPED_RAW

SHIPPED_INDEX = SHIPPED_RAW / "index766"
QUANG_NINH = {"departmentId": "019d2be3-6a88-732b-8b1c-46b23e7f2084", "departmentName": "UBND tỉnh Quảng Ninh",
              "departmentCode": "H49"}


def _child(code: str, name: str, level: str, received: int, on_time: int, ratio: float, score: float) -> dict:
    return {"departmentId": f"qn-{code}", "departmentName": name, "departmentCode": code, "level": level,
            "totalReceived": received, "totalOnTime": on_time, "totalOverdue": received - on_time,
            "avgProcessingDays": 3.5, "ratio": ratio, "score": score, "maxScore": 20, "scoreDelta": None}


# Another province's capture, as the portal writes it: 9 of 10 dossiers on time. The commune's
# score is written 19.99 where the rule gives 20: the portal contradicting itself.
QUANG_NINH_PROGRESS = {"code": "OK", "message": "OK", "data": {
    "parent": {**QUANG_NINH, "totalReceived": 10, "totalOnTime": 9, "totalCompleted": 10, "avgProcessingDays": 3.5,
               "ratio": 90, "totalScore": 18, "totalMaxScore": 20},
    "children": [_child("H49.01", "Sở Tư pháp - Tỉnh Quảng Ninh", "PROVINCE", 6, 5, 83.33, 16.67),
                 _child("H49.100", "UBND phường Hạ Long", "COMMUNE", 4, 4, 100, 19.99)],
    "monthlyChart": []}}
# Quảng Ninh's dossier records for January 2026: 10 received, 1 resolved late
RECORDS = "dossier_id,procedure_code,unit_code,level,channel,received_at,due_at,resolved_at,status\n" + "".join(
    f"Q{i},P1,U1,province,online,2026-01-0{i % 9 + 1} 08:00,2026-01-20 08:00,"
    f"{'2026-01-25 08:00' if i == 0 else '2026-01-15 08:00'},resolved\n" for i in range(10))
FORM = "Đơn vị,Tổng số hồ sơ tiếp nhận,Trước hạn,Đúng hạn,Giải quyết quá hạn\nTổng cộng,10,4,5,1\n"


def _later_week(national: dict) -> dict:
    """The national file a week later: Quảng Ninh gains 2.35 points in transparency."""
    later = json.loads(json.dumps(national))
    for row in later["data"]["evaluation"]:
        if row["departmentCode"] == "H49":
            row["totalScore"] = row["ratio"] = 68.0
            row["groupScores"]["CKMB"] = round(row["groupScores"]["CKMB"] + 2.35, 2)
    return later


def _without_a_metric_code(digitized: dict) -> dict:
    broken = json.loads(json.dumps(digitized))
    del broken["data"]["evaluation"][3]["metrics"][1]["code"]
    return broken


@pytest.fixture(scope="module")
def index_run(prefect_server, tmp_path_factory):
    from tthc.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("index766")
    raw = root / "raw"
    shutil.copytree(SHIPPED_INDEX, raw / "index766")
    national = json.loads((SHIPPED_INDEX / "00_2026_service-results_2026-09-17.json").read_text(encoding="utf-8"))
    digitized = json.loads((SHIPPED_INDEX / "25_2026_dossier-digitized_2026-09-26.json").read_text(encoding="utf-8"))
    extra = {
        "00_2026_service-results_2026-09-24.json": _later_week(national),
        "22_2026_dvc-progress-tree_2026-09-26.json": QUANG_NINH_PROGRESS,
        "25_2026_transparency_2026-09-27.json": {"code": "UNAUTHORIZED", "message": "Token expired", "data": None},
        "25_2026_dossier-digitized_2026-09-27.json": _without_a_metric_code(digitized),
    }
    for name, doc in extra.items():
        (raw / "index766" / name).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (raw / "index766" / "25_2026_handling-satisfaction_2026-09-27.json").write_text('{"code": "OK", "data": {', encoding="utf-8")
    # Phú Thọ's tree under Quảng Ninh's scope: the wrong province
    shutil.copy(SHIPPED_INDEX / "25_2026_provide-online-tree_2026-09-26.json", raw / "index766" / "22_2026_provide-online-tree_2026-09-26.json")
    (raw / "dossiers").mkdir()
    (raw / "dossiers" / "22_2026-01.csv").write_text(RECORDS, encoding="utf-8")
    (raw / "dossier_results").mkdir()
    (raw / "dossier_results" / "22_2026.csv").write_text(FORM, encoding="utf-8")
    outcome = run_pipeline(raw_dir=str(raw), warehouse=str(root / "tthc.duckdb"))
    con = duckdb.connect(str(root / "tthc.duckdb"), read_only=True)
    yield outcome, con
    con.close()
    shutil.rmtree(root)


def test_phu_tho_progress_and_transparency_as_the_issue_states(shipped_db):
    rows = dict(((g, m), (n, d, r, s, mx)) for g, m, n, d, r, s, mx in shipped_db.execute(
        "select group_code, metric_code, numerator, denominator, ratio, score, max_score from marts.index766_scores "
        "where province_code = '25' and unit_level = 'province' and period = '2026' and metric_code = 'TOTAL'").fetchall())
    assert rows[("TDGQ", "TOTAL")] == (528684, 597918, 88.42, 17.68, 20)
    assert rows[("CKMB", "TOTAL")][3:] == (7.96, 18)


def test_quang_ninh_ranks_4th_of_34_on_17_september(shipped_db):
    row = shipped_db.execute(
        "select rank, provinces_ranked, score, portal_code from marts.index766_province_ranks "
        "where province_code = '22' and group_code = 'TOTAL' and snapshot_date = date '2026-09-17'").fetchone()
    assert row == (4, 34, 65.65, "H49")


def test_every_scoring_rule_holds_on_every_shipped_row(shipped_db):
    checked = dict(shipped_db.execute(
        "select rule_code, count(*) from intermediate.int_index766_rule_checks group by rule_code").fetchall())
    assert {"ratio", "score", "max_score", "total", "row_ratio", "dvc_children_received"} <= set(checked)
    assert checked["ratio"] > 2000 and checked["score"] > 2000
    assert shipped_db.execute("select count(*) from intermediate.int_index766_rule_checks where not holds").fetchone() == (0,)
    assert shipped_db.execute("select count(*) from marts.data_quality_findings where dataset = 'index766'").fetchone() == (0,)
    tests = dict(shipped_db.execute(
        "select test_name, status from audit.test_results where test_name like 'index766_%' "
        "and invocation_id = (select max(invocation_id) from audit.test_results)").fetchall())
    assert tests == {name: "pass" for name in (
        "index766_ratio_rule_holds", "index766_score_rule_holds", "index766_total_rule_holds", "index766_count_rules_hold")}


def test_a_broken_rule_is_a_warn_finding_naming_snapshot_unit_metric_and_path(index_run):
    outcome, con = index_run
    rows = con.execute(
        "select severity, check_code, source_file, cell, message, expected_value, actual_value "
        "from marts.data_quality_findings where dataset = 'index766' and severity = 'warn'").fetchall()
    assert len(rows) == 1
    severity, check, source, cell, message, expected, actual = rows[0]
    assert (severity, check, source, cell) == (
        "warn", "index766_score", "index766/22_2026_dvc-progress-tree_2026-09-26.json", "data.children[1]")
    assert "H49.100" in message and "TOTAL" in message and float(expected) == 20 and float(actual) == 19.99
    assert con.execute(
        "select test_name, status from audit.test_results where test_name = 'index766_score_rule_holds'").fetchall() == [
        ("index766_score_rule_holds", "warn")]


def test_files_that_are_not_the_portals_shape_are_turned_away_naming_the_path(index_run):
    outcome, con = index_run
    log = {e.found.path.split("/")[-1]: (e.status, e.reason) for e in outcome.ingest.entries}
    assert log["25_2026_transparency_2026-09-27.json"][0] == "rejected"
    assert "code: the portal answered 'UNAUTHORIZED'" in log["25_2026_transparency_2026-09-27.json"][1]
    assert log["25_2026_dossier-digitized_2026-09-27.json"] == (
        "rejected", "index766/25_2026_dossier-digitized_2026-09-27.json: not the portal's dossier-digitized response: "
        "data.evaluation[3].metrics[1]: no key 'code'")
    assert log["25_2026_handling-satisfaction_2026-09-27.json"][0] == "refused"
    assert "not readable JSON" in log["25_2026_handling-satisfaction_2026-09-27.json"][1]
    status, reason = log["22_2026_provide-online-tree_2026-09-26.json"]
    assert status == "rejected" and "official code 25" in reason and "scope 22" in reason
    assert con.execute("select count(*) from marts.index766_scores where source_file like '%2026-09-27%' "
                       "or source_file = 'index766/22_2026_provide-online-tree_2026-09-26.json'").fetchone() == (0,)


def test_a_later_week_is_another_snapshot_with_rank_and_score_changes(index_run):
    outcome, con = index_run
    rows = con.execute(
        "select snapshot_date, rank, score, score_change, rank_change from marts.index766_province_ranks "
        "where province_code = '22' and group_code = 'TOTAL' order by snapshot_date").fetchall()
    assert [(str(d), r, s) for d, r, s, _, _ in rows] == [("2026-09-17", 4, 65.65), ("2026-09-24", 2, 68.0)]
    assert rows[0][3:] == (None, None) and rows[1][3] == pytest.approx(2.35) and rows[1][4] == 2
    assert con.execute("select count(distinct snapshot_date) from marts.index766_scores where scope = '00'").fetchone() == (2,)


def test_the_portal_sits_next_to_the_form_and_the_records(index_run):
    outcome, con = index_run
    rows = {r[0]: r[1:] for r in con.execute(
        "select report_source, status, portal_received, portal_on_time, portal_overdue, portal_ratio, "
        "report_received, report_on_time, report_ratio, portal_period_start, report_period_start "
        "from marts.index766_vs_reports where province_code = '22' and period = '2026'").fetchall()}
    assert rows["dossier_records"][:8] == ("comparable_match", 10, 9, 1, 90.0, 10, 9, 90.0)
    assert rows["dossier_results"][0] == "different_definition"
    assert rows["dossier_results"][7] == 90.0  # 9 early or on time of 10 resolved
    assert str(rows["dossier_results"][8]) == "2026-01-01" and str(rows["dossier_results"][9]) == "2025-12-15"


def test_another_provinces_units_rank_by_level(index_run):
    outcome, con = index_run
    units = con.execute(
        "select unit_code, unit_level, province_code from marts.index766_scores "
        "where scope = '22' and metric_code = 'TOTAL' order by unit_code").fetchall()
    assert units == [("H49", "province", "22"), ("H49.01", "department", "22"), ("H49.100", "commune", "22")]


def test_the_page_has_a_section_per_province_with_bars_rank_line_weakest_units_and_reports(index_run):
    from tests.browser import browser_page

    outcome, con = index_run
    page_file = outcome.warehouse.parent / "report" / "run.html"
    with browser_page() as page:
        page.goto(page_file.as_uri())
        phu_tho = page.locator("#index766-25")
        bars = phu_tho.locator("svg[aria-label='group scores']").text_content()
        rank_points = phu_tho.locator("svg[aria-label='rank over snapshots'] circle").count()
        phu_tho.locator("details").first.click()
        weakest = phu_tho.inner_text()
        quang_ninh = page.locator("#index766-22")
        ranks = quang_ninh.locator("svg[aria-label='rank over snapshots']").text_content()
        line = quang_ninh.locator("svg[aria-label='rank over snapshots'] polyline").count()
        versus = quang_ninh.inner_text()
        sections = page.locator("section.index766").count()
    assert sections == 34  # every province of the national snapshots
    # Phú Thọ's six groups from its own captures, in Vietnamese number format, with English names
    assert "Tiến độ giải quyết" in bars and "Progress of resolution" in bars and "17,68 / 20" in bars
    assert "7,96 / 18" in bars and "Công khai, minh bạch" in bars
    assert rank_points == 2  # 17/09 and 24/09
    assert "Chỉ tiêu mất điểm nhiều nhất" in weakest and "Metric losing most points" in weakest
    # Quảng Ninh: 4th then 2nd, a line through both; its progress against the reports
    assert "4/34 · 65,65" in ranks and "2/34 · 68,00" in ranks and line == 1
    assert "Khớp" in versus and "Khác định nghĩa" in versus and "different definitions" in versus
    assert "90,00 %" in versus


def _readme_queries() -> list[str]:
    """The questions docs/index766.md asks as SQL."""
    section = (PROJECT_ROOT / "docs" / "index766.md").read_text(encoding="utf-8")
    sql = section[section.index("```sql\n") + 7:section.index("```", section.index("```sql\n") + 7)]
    return [q.strip() for q in sql.split(";") if q.strip()]


def test_the_readmes_questions_answer_from_the_marts(index_run):
    outcome, con = index_run
    fell, lose, ranks = (con.execute(q).fetchall() for q in _readme_queries())
    assert fell == []  # Phú Thọ has one capture of each group: nothing to compare yet
    assert lose[0][0:2] == ("CKMB", "PUBLISH_ON_TIME") and lose[0][3] == 6  # 0 of 89 announced on time: all 6 points lost
    assert len(ranks) == 14 and {r[1] for r in ranks} == {"TOTAL", "CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH"}
