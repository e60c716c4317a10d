"""Index snapshots: names checked against contract §1.5, and JSON read as the portal writes it,
or turned away naming the path inside it."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tthc.contract.datasets import load_contract
from tthc.ingest.discover import parse_name
from tthc.ingest.index766 import ShapeError, metric_code, parse_snapshot


def _name(name: str):
    return parse_name(f"index766/{name}", load_contract().all_datasets, load_contract().snapshots)


def test_a_snapshot_name_gives_scope_calendar_period_group_and_capture_date():
    found = _name("25_2026-Q3_dvc-progress-tree_2026-09-26.json")
    assert found.refusal is None
    assert (found.province_code, found.period, found.snapshot_group, found.captured_on) == (
        "25", "2026-Q3", "dvc-progress-tree", date(2026, 9, 26))
    assert (found.period_start, found.period_end) == (date(2026, 7, 1), date(2026, 9, 30))  # not a cut-off window


@pytest.mark.parametrize(("name", "why"), [
    ("25_2026_dvc-progress_2026-09-26.json", 'group "dvc-progress" is not one of'),
    ("00_2026_transparency_2026-09-26.json", "scope 00 is the national file only"),
    ("22_2026_service-results_2026-09-17.json", "the national file (service-results) has scope 00"),
    ("25_2026-Q4_transparency_2026-09-26.json", "before period 2026-Q4 began"),
    ("26_2026_transparency_2026-09-26.json", "province code 26 did not exist on 26/09/2026"),
    ("25_2026-H1_transparency_2026-09-26.json", "is not YYYY, YYYY-Q1..Q4 or YYYY-MM"),
    ("25_2026_transparency_2026-09-26.csv", "is not <scope>_<period>_<group>_<captured YYYY-MM-DD>.json"),
    ("25_2026_transparency_2026-13-01.json", "month must be in 1..12"),
])
def test_a_name_outside_the_contract_is_refused_with_its_reason(name, why):
    assert why in (_name(name).refusal or "")


def _tree(**parent) -> bytes:
    row = {"departmentId": "id", "departmentName": "UBND tỉnh", "departmentCode": "H44", "totalReceived": 10,
           "totalOnTime": 9, "ratio": 90, "totalScore": 18, "totalMaxScore": 20, **parent}
    return json.dumps({"code": "OK", "data": {"parent": row, "children": []}}).encode()


def test_a_tree_row_gives_its_total_and_its_counts_as_written():
    written = _tree(avgProcessingDays=4.1).replace(b"4.1", b"4.10")  # as the portal may write it
    rows = parse_snapshot(written, "tree")
    by_metric = {r["metric_code"]: r for r in rows}
    assert by_metric["TOTAL"]["ratio"] == "90" and by_metric["TOTAL"]["score"] == "18"
    assert by_metric["TOTAL_ON_TIME"]["numerator"] == "9"
    assert by_metric["AVG_PROCESSING_DAYS"]["numerator"] == "4.10"  # as written, not as a float prints it
    assert by_metric["TOTAL_RECEIVED"]["json_path"] == "data.parent.totalReceived"


@pytest.mark.parametrize(("data", "shape", "message"), [
    (b'{"code": "OK", "data": {"children": []}}', "tree", "data: no key 'parent'"),
    (b'{"code": "OK"}', "tree", "(top level): no key 'data'"),
    (b'[1, 2]', "tree", "the file holds a list"),
    (_tree(ratio="90%"), "tree", "data.parent.ratio: expected"),
    (_tree(departmentId=7), "tree", "data.parent.departmentId: expected text"),
    (b'{"code": "OK", "data": {"overview": {"departmentId": "p", "departmentName": "P", "totalScore": 0,'
     b' "totalMaxScore": 18, "ratio": 0, "metrics": []}, "evaluation": [{"departmentId": "x", "departmentName": "y"}],'
     b' "pagination": {"total": 1, "totalPages": 1}}}', "list", "data.evaluation[0]: no key 'metrics'"),
    (b'{"code": "OK", "data": {"overview": {}, "evaluation": [], "pagination": {"total": 350, "totalPages": 2}}}',
     "list", "data.pagination: the capture holds 0 of 350 units"),
])
def test_json_that_is_not_the_portals_shape_names_the_path(data, shape, message):
    with pytest.raises(ShapeError) as err:
        parse_snapshot(data, shape)
    assert message in str(err.value)


def test_metric_codes_follow_the_json_keys():
    assert metric_code("totalOnTime") == "TOTAL_ON_TIME"
    assert metric_code("totalDossierOnlinePaymentSuccess") == "TOTAL_DOSSIER_ONLINE_PAYMENT_SUCCESS"
