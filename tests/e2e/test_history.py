"""Tests and findings over published runs: a warn test that starts failing in the second run is
`new`; once the file is corrected its finding is `resolved`, while the test, which judges every
version the portal sent, stays `chronic` (marts.test_history, marts.finding_history, `tthc results
--history`). Every status rule on made-up runs: the dbt unit test test_history_statuses."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT, SHIPPED_RAW, warehouse_rows
from tests.e2e.test_index766 import QUANG_NINH_PROGRESS

CAPTURE = "index766/22_2026_dvc-progress-tree_2026-09-26.json"  # the commune's score 19.99 where the rule gives 20
SCORE_TEST = "index766_score_rule_holds"


def _corrected(capture: dict) -> dict:
    corrected = json.loads(json.dumps(capture))
    corrected["data"]["children"][1]["score"] = 20
    return corrected


def _history(warehouse) -> str:
    run = subprocess.run([sys.executable, "-m", "tthc.cli.main", "results", "--history", "--warehouse", str(warehouse)],
                         capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.fixture(scope="module")
def three_runs(prefect_server, tmp_path_factory):
    """Run 1: the shipped captures. Run 2: a capture whose score breaks the rule. Run 3: it corrected."""
    from tthc.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("history")
    raw, warehouse = root / "raw", root / "wh" / "tthc.duckdb"
    shutil.copytree(SHIPPED_RAW / "index766", raw / "index766")
    seen = {}
    for step, capture in (("first", None), ("broken", QUANG_NINH_PROGRESS), ("corrected", _corrected(QUANG_NINH_PROGRESS))):
        if capture is not None:
            (raw / CAPTURE).write_text(json.dumps(capture, ensure_ascii=False), encoding="utf-8")
        outcome = run_pipeline(raw_dir=str(raw), warehouse=str(warehouse))
        assert outcome.published
        seen[step] = {
            "run_id": outcome.run_id,
            "tests": {r[0]: r[1:] for r in warehouse_rows(warehouse, (
                "select test_name, history_status, latest_status, recent_statuses, failing_since_run_id "
                "from marts.test_history"))},
            "findings": warehouse_rows(warehouse, (
                "select history_status, check_code, source_file, is_present, first_run_id, last_run_id, runs_held "
                "from marts.finding_history order by all")),
            "printed": _history(warehouse),
            "ran": {r[0] for r in warehouse_rows(
                warehouse, "select test_name from audit.test_results where run_id = ?", [outcome.run_id])},
        }
    yield seen
    shutil.rmtree(root)


def test_a_test_that_starts_failing_in_the_second_run_is_new(three_runs):
    first, broken = three_runs["first"], three_runs["broken"]
    assert first["tests"][SCORE_TEST] == ("passing", "pass", "pass", None)
    assert broken["tests"][SCORE_TEST] == ("new", "warn", "pass warn", broken["run_id"])
    assert f"new: {SCORE_TEST} on int_index766_rule_checks (warn; warn, failing since run {broken['run_id']}): pass warn" in broken["printed"]
    assert "1 new, 0 chronic, 0 resolved" in broken["printed"].splitlines()[0]


def test_a_corrected_file_resolves_the_finding_and_the_test_stays_chronic(three_runs):
    broken, corrected = three_runs["broken"], three_runs["corrected"]
    # the corrected version is in use, but the first version of the capture still broke the rule
    assert corrected["tests"][SCORE_TEST] == ("chronic", "warn", "pass warn warn", broken["run_id"])
    assert corrected["findings"] == [
        ("resolved", "index766_score", CAPTURE, False, broken["run_id"], broken["run_id"], 1)]
    assert f"resolved: warn index766_score, {CAPTURE} (last in run {broken['run_id']})" in corrected["printed"]


def test_a_finding_is_new_when_it_appears(three_runs):
    broken = three_runs["broken"]
    assert three_runs["first"]["findings"] == []
    assert broken["findings"] == [("new", "index766_score", CAPTURE, True, broken["run_id"], broken["run_id"], 1)]
    assert f"new: warn index766_score, {CAPTURE} (since run {broken['run_id']})" in broken["printed"]


def test_every_test_of_the_project_has_one_row_and_those_not_rerun_keep_their_status(three_runs):
    first, corrected = three_runs["first"], three_runs["corrected"]
    assert set(corrected["tests"]) == set(first["tests"]) == first["ran"]  # the first run ran every test
    # Run 3 loaded only a capture: the form tests did not run again and keep their status.
    assert len(corrected["ran"]) < len(first["ran"])
    assert {recent for name, (_, _, recent, _) in corrected["tests"].items() if name != SCORE_TEST} == {"pass pass pass"}
