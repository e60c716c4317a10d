"""The whole pipeline on the shipped seed report (Quảng Ninh, 2020): the figures of issue "Warehouse core"."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import duckdb
import pytest

from tests.conftest import PROJECT_ROOT, SHIPPED_RAW, SMALL_FEEDBACK, mart_rows, warehouse_rows

SHIPPED_FILES = 15  # raw/: 8 reports and 7 index captures (raw/README.md)


def test_run_publishes_and_every_file_loads(shipped_run):
    assert shipped_run.published
    assert shipped_run.exit_code == 0
    assert shipped_run.ingest.count("loaded") == SHIPPED_FILES
    assert shipped_run.build.count("fail") == shipped_run.build.count("error") == 0
    assert list(shipped_run.timings) == ["prepare", "ingest", "dbt build", "results", "publish"]
    assert shipped_run.build.selection == ()  # a new warehouse: every node built


def _all_task_runs(client, flow_runs) -> list:
    """Every task run of the flow runs, page by page (the server returns at most 200 at a time)."""
    found: list = []
    while page := client.read_task_runs(flow_run_filter=flow_runs, limit=200, offset=len(found)):
        found += page
    return found


def test_every_dbt_node_is_a_prefect_task_run_with_its_outcome(shipped_run):
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    # The server records task-run states from events, a moment after they happen: wait until it
    # has recorded every final state (or give up after a minute and assert on what it has).
    deadline = time.monotonic() + 60
    with get_client(sync_client=True) as client:
        while True:
            task_runs = _all_task_runs(client, FlowRunFilter(id=FlowRunFilterId(any_=[shipped_run.flow_run_id])))
            if all(t.state_name not in ("Running", "Pending") for t in task_runs) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    states = {t.name: t.state_name for t in task_runs}
    assert states["model.tthc.province_indicators"] == "Completed"
    assert states["seed.tthc.provinces_2025"] == "Completed"
    assert {t.unique_id for t in shipped_run.build.tests} <= set(states)
    warned = [t.unique_id for t in shipped_run.build.tests if t.status == "warn"]
    assert warned and all(states[w] == "Completed" for w in warned)  # a warning is not a failure
    assert states["load feedback/22_2020.csv"] == "Completed"


def test_national_portal_integration_is_518_of_1552(shipped_db):
    row = shipped_db.execute(
        """select numerator, denominator, value, unit, province_name from marts.province_indicators
           where province_code = '22' and period = '2020' and indicator_code = 'national_portal_integration_rate'"""
    ).fetchone()
    assert row[:2] == (518, 1552)
    assert row[2] == pytest.approx(0.33376, abs=1e-5)
    assert row[3] == "ratio"
    assert row[4] == "Quảng Ninh"


def test_early_or_on_time_is_1123332_of_1126219(shipped_db):
    num, den, value = shipped_db.execute(
        """select numerator, denominator, value from marts.province_indicators
           where province_code = '22' and period = '2020' and indicator_code = 'dossier_on_time_rate'"""
    ).fetchone()
    assert (num, den) == (1_123_332, 1_126_219)
    assert value == pytest.approx(0.99744, abs=1e-5)


def test_one_stop_coverage_is_null_not_zero_when_not_reported(shipped_db):
    value = shipped_db.execute(
        """select value from marts.province_indicators
           where province_code = '22' and period = '2020' and indicator_code = 'one_stop_coverage_rate'"""
    ).fetchone()
    assert value == (None,)


def test_reported_33_percent_reconciles_as_match(shipped_db):
    rows = dict(shipped_db.execute(
        "select indicator_code, status from marts.indicator_reconciliation where province_code = '22' and period = '2020'"
    ).fetchall())
    assert rows["national_portal_integration_rate"] == "match"
    # Figures no form computes are kept and marked, never dropped.
    assert rows["smart_city_steering_indicators"] == "not_computable"
    assert rows["procedures_publicly_listed_rate"] == "not_computable"
    assert len(rows) == 5


def test_findings_hold_both_real_inconsistencies(shipped_db):
    findings = shipped_db.execute(
        """select check_code, severity, expected_value, actual_value, line_number, message_vi
           from marts.data_quality_findings order by check_code"""
    ).fetchall()
    by_code = {f[0]: f for f in findings}
    assert by_code["procedures_by_level"][1:4] == ("warn", "1883", "1882")
    assert by_code["services_eligible_levels"][1:4] == ("warn", "1611", "1552")
    assert by_code["procedures_by_level"][4] == 3  # the physical line of the total row
    assert all(f[5] for f in findings)
    assert not [f for f in findings if f[1] == "error"]


def test_mart_keys_are_enforced_by_the_tables_themselves(shipped_db):
    """NOT NULL and primary keys are constraints of the published tables (dbt contracts), not after-the-fact tests."""
    nullable = dict(shipped_db.execute(
        """select table_name || '.' || column_name, is_nullable from information_schema.columns
           where table_schema = 'marts' and column_name in ('province_code', 'period', 'run_id', 'unit')"""
    ).fetchall())
    assert nullable["dossier_results.province_code"] == nullable["province_indicators.run_id"] == "NO"
    assert nullable["dossier_results.unit"] == "YES"
    keys = shipped_db.execute(
        "select table_name from duckdb_constraints() where schema_name = 'marts' and constraint_type = 'PRIMARY KEY' order by 1"
    ).fetchall()
    assert keys == [("dim_indicators",), ("dim_periods",), ("dim_provinces",), ("fct_indicator_parts",)]


def test_every_dbt_test_is_in_audit_test_results(shipped_run, shipped_db):
    stored = shipped_db.execute(
        "select unique_id, status from audit.test_results where invocation_id = ?", [shipped_run.build.invocation_id]
    ).fetchall()
    assert len(stored) == len(shipped_run.build.tests) > 60
    statuses = {s for _, s in stored}
    assert statuses <= {"pass", "warn"}
    ids = {u for u, _ in stored}
    assert any("assert_quang_ninh_2020_integration_rate" in u for u in ids)
    assert any(u.startswith("unit_test.") for u in ids)
    assert {u for u, s in stored if s == "warn"} == {
        u for u in ids if "parts_add_up" in u
    }


def test_ingest_log_and_raw_rows_keep_lineage(shipped_db):
    log = shipped_db.execute(
        "select file_path, status, rows_read, length(file_sha256) from audit.ingest_log order by file_path"
    ).fetchall()
    assert [r[1] for r in log] == ["loaded"] * SHIPPED_FILES
    assert all(r[3] == 64 for r in log)
    raw = shipped_db.execute(
        "select _line_number, _row_kind, unit, received_total, resolved_early from raw.dossier_results "
        "where _file_path = 'dossier_results/22_2020.csv'"
    ).fetchall()
    assert raw == [(8, "total", "Tổng cộng", "1.191.036", "506.606")]


def test_dims_cover_old_and_new_provinces_and_periods(shipped_db):
    assert shipped_db.execute("select count(*) from marts.dim_provinces where valid_to is not null").fetchone() == (63,)
    assert shipped_db.execute("select count(*) from marts.dim_provinces where valid_to is null").fetchone() == (34,)
    assert shipped_db.execute(
        "select cast(period_start as varchar), cast(period_end as varchar) from marts.dim_periods where period = '2020'"
    ).fetchone() == ("2019-12-15", "2020-12-14")
    # type and year follow from the stored window, not from the period's text
    assert shipped_db.execute("select period, period_type, year from marts.dim_periods order by period").fetchall() == [
        ("2020", "year", 2020), ("2021-Q3", "quarter", 2021),
    ]


def test_published_file_is_checkpointed_in_a_1_4_storage_format(shipped_run):
    assert not shipped_run.warehouse.with_name(shipped_run.warehouse.name + ".wal").exists()
    con = duckdb.connect(":memory:")
    con.execute("attach ? as w (read_only)", [str(shipped_run.warehouse)])
    tags = con.execute("select tags from duckdb_databases() where database_name = 'w'").fetchone()[0]
    con.close()
    assert tags["storage_version"].startswith("v1.4")


@pytest.fixture()
def on_the_shipped_runs_day(shipped_run, monkeypatch) -> None:
    """The run's date (TTHC_AS_OF) is the shipped run's: a session that crosses midnight in
    Vietnam (17:00 UTC) would otherwise rightly rebuild what depends on the date."""
    (as_of,) = warehouse_rows(shipped_run.warehouse, "select as_of from audit.current_run")[0]
    monkeypatch.setenv("TTHC_AS_OF", as_of.isoformat())


@pytest.mark.usefixtures("on_the_shipped_runs_day")
def test_a_run_over_unchanged_files_does_nothing(shipped_run, prefect_server, tmp_path):
    from tthc.pipeline import run_pipeline

    warehouse = tmp_path / "tthc.duckdb"
    shutil.copyfile(shipped_run.warehouse, warehouse)
    before = warehouse.read_bytes()
    again = run_pipeline(raw_dir=str(SHIPPED_RAW), warehouse=str(warehouse))  # the shipped run's files, same times
    assert again.unchanged is not None and again.unchanged.run_id == shipped_run.run_id
    assert again.exit_code == 0 and not again.published
    assert warehouse.read_bytes() == before
    assert not (tmp_path / "work").exists() and not (tmp_path / "runs").exists()


@pytest.mark.usefixtures("on_the_shipped_runs_day")
def test_touched_files_are_logged_as_duplicates_and_nothing_is_rebuilt(shipped_run, prefect_server, tmp_path):
    from tthc.pipeline import run_pipeline

    warehouse = tmp_path / "tthc.duckdb"
    shutil.copyfile(shipped_run.warehouse, warehouse)
    raw = tmp_path / "raw"
    shutil.copytree(SHIPPED_RAW, raw, copy_function=shutil.copyfile)  # same content, new modification times
    before = mart_rows(warehouse)
    again = run_pipeline(raw_dir=str(raw), warehouse=str(warehouse))
    assert again.published and again.exit_code == 0
    assert again.ingest.count("duplicate") == SHIPPED_FILES
    assert again.build.skipped  # nothing new loaded, same dbt project: nothing rebuilt
    assert mart_rows(warehouse) == before
    con = duckdb.connect(str(warehouse), read_only=True)
    statuses = con.execute("select status, count(*) from audit.ingest_log group by status order by status").fetchall()
    raw_rows = con.execute("select count(*) from raw.dossier_results").fetchone()
    con.close()
    assert statuses == [("duplicate", SHIPPED_FILES), ("loaded", SHIPPED_FILES)]
    assert raw_rows == (2,)
    assert run_pipeline(raw_dir=str(raw), warehouse=str(warehouse)).unchanged is not None  # now as that run left them


def test_files_the_published_run_saw_unchanged_are_not_read_again(shipped_run, prefect_server, tmp_path):
    """Their SHA-256 comes from audit.raw_state (same path, size and modification time), so a
    month added to years of exports hashes the new month only. The price, documented: content
    rewritten with the same size and modification time passes for the old."""
    from tthc.pipeline import run_pipeline

    warehouse = tmp_path / "tthc.duckdb"
    shutil.copyfile(shipped_run.warehouse, warehouse)
    raw = tmp_path / "raw"
    shutil.copytree(SHIPPED_RAW, raw)  # same sizes and modification times as the shipped run saw
    shutil.copyfile(SMALL_FEEDBACK, raw / "feedback" / "01_2021.csv")
    same_size = raw / "feedback" / "22_2020.csv"
    stat = same_size.stat()
    same_size.write_bytes(same_size.read_bytes().replace(b"2", b"3"))
    os.utime(same_size, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    outcome = run_pipeline(raw_dir=str(raw), warehouse=str(warehouse))
    statuses = {e.found.path: e.status for e in outcome.ingest.entries}
    assert statuses["feedback/01_2021.csv"] == "loaded"
    assert statuses["feedback/22_2020.csv"] == "duplicate" and statuses["dossier_results/22_2020.csv"] == "duplicate"


def test_tthc_query_prints_the_integration_rate(shipped_run):
    sql = ("select value from marts.province_indicators where province_code = '22' and period = '2020' "
           "and indicator_code = 'national_portal_integration_rate'")
    out = subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", "query", sql, "--format", "json", "--warehouse", str(shipped_run.warehouse)],
        capture_output=True, text=True, cwd=PROJECT_ROOT, env={**os.environ}, check=True,
    ).stdout
    assert json.loads(out)[0]["value"] == pytest.approx(518 / 1552)


def test_merged_province_shows_under_its_new_code_with_ratios_from_sums(shipped_db):
    row = shipped_db.execute(
        """select province_name, numerator, denominator, value, contributing_codes, expected_codes, coverage_complete
           from marts.province_indicators_2025
           where province_code = '25' and period = '2021-Q3' and indicator_code = 'dossier_on_time_rate'"""
    ).fetchone()
    assert row[:3] == ("Phú Thọ", 14064, 14101)
    assert row[3] == pytest.approx(14064 / 14101)
    assert row[4:] == ("26", "17, 25, 26", False)  # Hòa Bình and Phú Thọ have not reported
    # catalogue sizes do not add up across provinces: left out
    assert shipped_db.execute(
        "select count(*) from marts.province_indicators_2025 where indicator_code in ('procedures_total', 'national_portal_integration_rate')"
    ).fetchone() == (0,)


def test_reported_34_percent_would_be_a_mismatch_and_vinh_phuc_matches(shipped_db):
    statuses = dict(shipped_db.execute(
        "select indicator_code, status from marts.indicator_reconciliation where province_code = '26'"
    ).fetchall())
    assert statuses == {"dossier_on_time_rate": "match", "dossier_late_rate": "match"}


def test_submissions_show_who_has_not_sent(shipped_db):
    rows = dict(shipped_db.execute(
        "select province_code, status from marts.submissions where period = '2021-Q3' and dataset = 'dossier_results'"
    ).fetchall())
    assert len(rows) == 63 and rows["26"] == "current" and rows["22"] == "missing"


def test_unit_indicators_per_reporting_row(shipped_db):
    row = shipped_db.execute(
        """select unit, row_kind, numerator, denominator from marts.unit_indicators
           where province_code = '26' and indicator_code = 'dossier_on_time_rate'"""
    ).fetchone()
    assert row == ("Trung tâm Phục vụ hành chính công tỉnh Vĩnh Phúc", "data", 14064, 14101)


def test_failing_rows_of_data_tests_are_stored_in_audit(shipped_db):
    stored = shipped_db.execute(
        """select table_name from information_schema.tables
           where table_schema = 'audit' and table_name like 'parts_add_up_procedure_invento%'"""
    ).fetchall()
    assert len(stored) == 1
    assert shipped_db.execute(f'select procedures_total from audit."{stored[0][0]}"').fetchall() == [(1882,)]


def test_markdown_artifact_summarises_the_run(shipped_run):
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=["tthc-run-summary"]), flow_run_id=ArtifactFilterFlowRunId(any_=[shipped_run.flow_run_id]),
        ))
    assert artifact.type == "markdown"
    assert artifact.data.startswith("# TTHC run ") and ": published to " in artifact.data
    assert "Quảng Ninh (22) 2020 national_portal_integration_rate: 33.38% (518 / 1,552)" in artifact.data
