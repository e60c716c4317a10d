"""The whole pipeline on the shipped seed report (Quảng Ninh, 2020): the figures of issue "Warehouse core"."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from tests.conftest import PROJECT_ROOT, SHIPPED_RAW


def test_run_publishes_and_every_file_loads(shipped_run):
    assert shipped_run.published
    assert shipped_run.exit_code == 0
    assert shipped_run.ingest.count("loaded") == 6
    assert shipped_run.build.count("fail") == shipped_run.build.count("error") == 0


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


def test_every_dbt_test_is_in_audit_test_results(shipped_run, shipped_db):
    stored = shipped_db.execute(
        "select unique_id, status from audit.test_results where invocation_id = ?", [shipped_run.build.invocation_id]
    ).fetchall()
    assert len(stored) == len(shipped_run.build.tests) > 90
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
    assert [r[1] for r in log] == ["loaded"] * 6
    assert all(r[3] == 64 for r in log)
    raw = shipped_db.execute(
        "select _line_number, _row_kind, unit, received_total, resolved_early from raw.dossier_results"
    ).fetchall()
    assert raw == [(8, "total", "Tổng cộng", "1.191.036", "506.606")]


def test_dims_cover_old_and_new_provinces_and_periods(shipped_db):
    assert shipped_db.execute("select count(*) from marts.dim_provinces where valid_to is not null").fetchone() == (63,)
    assert shipped_db.execute("select count(*) from marts.dim_provinces where valid_to is null").fetchone() == (34,)
    assert shipped_db.execute(
        "select cast(period_start as varchar), cast(period_end as varchar) from marts.dim_periods where period = '2020'"
    ).fetchone() == ("2019-12-15", "2020-12-14")


def test_published_file_is_checkpointed_in_a_1_4_storage_format(shipped_run):
    assert not shipped_run.warehouse.with_name(shipped_run.warehouse.name + ".wal").exists()
    con = duckdb.connect(":memory:")
    con.execute("attach ? as w (read_only)", [str(shipped_run.warehouse)])
    tags = con.execute("select tags from duckdb_databases() where database_name = 'w'").fetchone()[0]
    con.close()
    assert tags["storage_version"].startswith("v1.4")


def _marts(warehouse) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute("select table_name from information_schema.tables where table_schema = 'marts'").fetchall()
        return {t: con.execute(f'select * from marts."{t}" order by all').fetchall() for (t,) in tables}
    finally:
        con.close()


def test_second_run_over_the_same_files_only_adds_log_rows(shipped_run, prefect_server, tmp_path):
    from flows.pipeline import run_pipeline

    warehouse = tmp_path / "tthc.duckdb"
    shutil.copyfile(shipped_run.warehouse, warehouse)
    before = _marts(warehouse)
    again = run_pipeline(raw_dir=str(SHIPPED_RAW), warehouse=str(warehouse))
    assert again.published and again.exit_code == 0
    assert again.ingest.count("duplicate") == 6
    assert _marts(warehouse) == before
    con = duckdb.connect(str(warehouse), read_only=True)
    statuses = con.execute("select status, count(*) from audit.ingest_log group by status order by status").fetchall()
    raw_rows = con.execute("select count(*) from raw.dossier_results").fetchone()
    con.close()
    assert statuses == [("duplicate", 6), ("loaded", 6)]
    assert raw_rows == (1,)


def test_tthc_query_prints_the_integration_rate(shipped_run):
    sql = ("select value from marts.province_indicators where province_code = '22' and period = '2020' "
           "and indicator_code = 'national_portal_integration_rate'")
    out = subprocess.run(
        [sys.executable, "-m", "flows.cli", "query", sql, "--format", "json", "--warehouse", str(shipped_run.warehouse)],
        capture_output=True, text=True, cwd=PROJECT_ROOT, env={**os.environ}, check=True,
    ).stdout
    assert json.loads(out)[0]["value"] == pytest.approx(518 / 1552)
