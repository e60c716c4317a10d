"""Record-level dossier exports: typed at load, conserved line for line, idempotent; synthetic data exact."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import PROJECT_ROOT

# Exports as systems really write them, broken in each of the ways the contract names.
BROKEN_EXPORTS = {
    # dates in more than one format, a line too long, an empty required value: the exact path
    "22_2021-01.csv": (
        "dossier_id,procedure_code,unit_code,level,channel,received_at,due_at,resolved_at,status,synthetic\n"
        "X1,P1,U1,province,online,03/01/2021 08:00,10/01/2021,09/01/2021,resolved,false\n"
        "X2,P1,U1,province,online,04/01/2021,not a date,,pending,false\n"
        "X3,P1,U1,province,online,2021-01-05,2021-01-12,,pending,false,one too many\n"
        "X4,,U1,province,direct,2021-01-06,2021-01-13,,pending,false\n"
        "X5,P2,U2,commune,postal,2021-01-07 09:15,2021-01-14,2021-01-15 10:00,resolved,false\n",
        "utf-8",
    ),
    # a second broken export in the same run: its rejects are its own, not the first file's too
    "22_2021-02.csv": (
        "dossier_id,procedure_code,unit_code,level,channel,received_at,due_at,resolved_at,status,synthetic\n"
        "Y1,P1,U1,province,online,03/02/2021,10/02/2021,,pending,false,extra\n",
        "utf-8",
    ),
    # one date format throughout (ISO), columns in another order, no `synthetic` column: the bulk path,
    # which keeps the lines the CSV reader cannot read
    "22_2021-03.csv": (
        "status,dossier_id,procedure_code,unit_code,level,channel,received_at,due_at,resolved_at\n"
        "pending,Z1,P1,U1,province,online,2021-03-01 08:00,2021-03-08 08:00,\n"
        "resolved,Z4,P1,U1,district,direct,2021-03-03 08:00,2021-03-10 08:00,2021-03-04 10:00\n"
        "resolved,Z5,P2,U2,commune,postal,2021-03-04 08:00,2021-03-11 08:00,2021-03-11 16:00\n"
        "pending,Z6,P2,U2,commune,postal,2021-03-04 08:00,2021-03-11 08:00,,extra\n"
        "pending,Z7,P2\n",
        "utf-8",
    ),
    # empty required values and a column outside the contract: the exact path, rows rejected with their lines
    "22_2021-04.csv": (
        "dossier_id,procedure_code,unit_code,level,channel,received_at,due_at,resolved_at,status,synthetic,note\n"
        "W1,P1,U1,province,online,2021-04-01 08:00,2021-04-08 08:00,,pending,false,a\n"
        "W2,,U1,province,online,2021-04-02 08:00,2021-04-09 08:00,,pending,false,b\n"
        "  ,P1,U1,province,online,2021-04-02 09:00,2021-04-09 09:00,,pending,false,c\n"
        "W4,P1,U1,district,direct,2021-04-03 08:00,2021-04-10 08:00,2021-04-04 10:00,resolved,false,d\n",
        "utf-8",
    ),
    # a header without due_at: nothing can be typed without guessing
    "22_2021-05.csv": (
        "dossier_id,procedure_code,unit_code,level,channel,received_at,resolved_at,status\n"
        "V1,P1,U1,province,online,2021-05-01 08:00,,pending\n",
        "utf-8",
    ),
    # UTF-16 with a byte order mark, and a blank line, which carries no record
    "22_2021-06.csv": (
        "dossier_id,procedure_code,unit_code,level,channel,received_at,due_at,resolved_at,status,synthetic\n"
        "U1,P1,U1,province,online,01/06/2021 08:00:00,08/06/2021 08:00:00,,đang giải quyết,false\n"
        "\n"
        "U2,P1,U1,province,online,02/06/2021 08:00:00,09/06/2021 08:00:00,,pending,false\n",
        "utf-16",
    ),
}


@pytest.fixture(scope="module")
def dossier_run(prefect_server, tmp_path_factory):
    from tthc.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("dossiers")
    demo = subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", "demo-data", "--provinces", "22", "--year", "2020",
         "--calibrate", "1200,500,600,3", "--seed", "7", "--out", str(root / "raw")],
        capture_output=True, text=True, cwd=PROJECT_ROOT, check=True,
    )
    assert "12 synthetic files" in demo.stdout
    for name, (text, encoding) in BROKEN_EXPORTS.items():
        (root / "raw" / "dossiers" / name).write_text(text, encoding=encoding)
    # a report the records contradict: 499 early where the records count 500
    (root / "raw" / "dossier_results").mkdir()
    (root / "raw" / "dossier_results" / "22_2020.csv").write_text(
        "Đơn vị,Tổng số hồ sơ tiếp nhận,Trước hạn,Đúng hạn,Giải quyết quá hạn\nTổng cộng,1.200,499,600,3\n", encoding="utf-8")
    warehouse = root / "tthc.duckdb"
    first = run_pipeline(raw_dir=str(root / "raw"), warehouse=str(warehouse))
    for path in (root / "raw").rglob("*.csv"):  # the same files again, as if copied back in: new modification times
        os.utime(path)
    second = run_pipeline(raw_dir=str(root / "raw"), warehouse=str(warehouse))
    con = duckdb.connect(str(warehouse), read_only=True)
    yield first, second, con
    con.close()
    shutil.rmtree(root)


def test_calibrated_synthetic_year_loads_exactly(dossier_run):
    first, _, con = dossier_run
    assert first.published
    totals = con.execute(
        """select count(*),
                  count(*) filter (where cast(resolved_at as date) < cast(due_at as date)),
                  count(*) filter (where cast(resolved_at as date) = cast(due_at as date)),
                  count(*) filter (where cast(resolved_at as date) > cast(due_at as date)),
                  bool_and(synthetic)
           from raw.dossiers as d join raw.report_files as f on f.file_id = d._file_id
           where file_path like 'dossiers/22_2020-%'"""
    ).fetchone()
    assert totals == (1200, 500, 600, 3, True)


def test_every_line_is_loaded_or_rejected_with_its_line_and_reason(dossier_run):
    _, _, con = dossier_run
    path = "dossiers/22_2021-01.csv"
    loaded = _loaded(con, path, "dossier_id")
    rejects = con.execute("select line_number, reason, line_text from audit.record_rejects where file_path = ? order by 1", [path]).fetchall()
    assert loaded == [("X1",), ("X5",)]
    assert [(line, words in reason) for (line, reason, _), words in zip(rejects, ["not a date", "TOO MANY COLUMNS", "procedure_code is empty"])] == [
        (3, True), (4, True), (5, True)]
    assert rejects[1][2] == "X3,P1,U1,province,online,2021-01-05,2021-01-12,,pending,false,one too many"
    rows_read, reason = con.execute(
        "select rows_read, reason from audit.ingest_log where file_path = ? and status = 'loaded'", [path]).fetchone()
    assert rows_read == 5 and "2 rows loaded, 3 rejected" in reason and "read as text" in reason
    other = con.execute(
        "select line_number, line_text from audit.record_rejects where file_path = 'dossiers/22_2021-02.csv'").fetchall()
    assert other == [(2, "Y1,P1,U1,province,online,03/02/2021,10/02/2021,,pending,false,extra")]


def _loaded(con: duckdb.DuckDBPyConnection, path: str, columns: str) -> list[tuple]:
    return con.execute(
        f"select {columns} from raw.dossiers as d join raw.report_files as f on f.file_id = d._file_id where file_path = ? order by all", [path]
    ).fetchall()


def _log_reason(con: duckdb.DuckDBPyConnection, path: str) -> tuple[str, str]:
    return con.execute("select status, reason from audit.ingest_log where file_path = ? order by loaded_at limit 1", [path]).fetchone()


def test_a_file_in_one_date_format_is_loaded_in_bulk_by_column_name(dossier_run):
    _, _, con = dossier_run
    path = "dossiers/22_2021-03.csv"
    assert _loaded(con, path, "dossier_id, status, procedure_code, cast(received_at as varchar), synthetic") == [
        ("Z1", "pending", "P1", "2021-03-01 08:00:00", None),
        ("Z4", "resolved", "P1", "2021-03-03 08:00:00", None),
        ("Z5", "resolved", "P2", "2021-03-04 08:00:00", None),
    ]
    rejects = con.execute("select line_number, reason, line_text from audit.record_rejects where file_path = ? order by 1", [path]).fetchall()
    assert [(line, kind in reason) for (line, reason, _), kind in zip(rejects, ["TOO MANY COLUMNS", "MISSING COLUMNS"])] == [
        (5, True), (6, True)]
    assert rejects[1][2] == "pending,Z7,P2"
    status, reason = _log_reason(con, path)
    assert status == "loaded" and "3 rows loaded, 2 rejected" in reason and "read as text" not in reason
    synthetic = con.execute(
        "select count(*), bool_and(synthetic) from raw.dossiers as d join raw.report_files as f on f.file_id = d._file_id "
        "where file_path = 'dossiers/22_2020-05.csv'"
    ).fetchone()
    rows_read = con.execute("select rows_read from audit.ingest_log where file_path = 'dossiers/22_2020-05.csv' and status = 'loaded'").fetchone()[0]
    assert synthetic == (rows_read, True)


def test_rows_without_a_required_value_are_rejected_with_their_lines(dossier_run):
    _, _, con = dossier_run
    path = "dossiers/22_2021-04.csv"
    assert _loaded(con, path, "dossier_id") == [("W1",), ("W4",)]
    rejects = con.execute("select line_number, reason, line_text from audit.record_rejects where file_path = ? order by 1", [path]).fetchall()
    assert rejects == [
        (3, "procedure_code is empty", "W2,,U1,province,online,2021-04-02 08:00,2021-04-09 08:00,,pending,false,b"),
        (4, "dossier_id is empty", "  ,P1,U1,province,online,2021-04-02 09:00,2021-04-09 09:00,,pending,false,c"),
    ]
    status, reason = _log_reason(con, path)
    assert status == "loaded" and "2 rows loaded, 2 rejected" in reason and "read as text" in reason
    assert "columns not in the contract ignored: note" in reason


def test_a_header_without_a_contract_column_is_rejected(dossier_run):
    _, _, con = dossier_run
    status, reason = _log_reason(con, "dossiers/22_2021-05.csv")
    assert status == "rejected" and reason.startswith("dossiers/22_2021-05.csv: line 1: the header has no column due_at")
    assert _loaded(con, "dossiers/22_2021-05.csv", "dossier_id") == []


def test_a_utf16_export_loads_and_a_blank_line_is_not_a_record(dossier_run):
    _, _, con = dossier_run
    path = "dossiers/22_2021-06.csv"
    assert _loaded(con, path, "dossier_id, status") == [("U1", "đang giải quyết"), ("U2", "pending")]
    status, reason = _log_reason(con, path)
    assert status == "loaded" and "2 rows loaded, 0 rejected" in reason and "read as text" not in reason


def test_records_contradicting_a_report_are_a_finding(dossier_run):
    _, _, con = dossier_run
    findings = con.execute(
        """select column_name, expected_value, actual_value from marts.data_quality_findings
           where check_code = 'records_vs_report' and source_file = 'dossier_results/22_2020.csv'"""
    ).fetchall()
    assert findings == [("resolved_early", "500", "499")]


def test_a_second_run_loads_nothing_twice(dossier_run):
    _, second, con = dossier_run
    assert second.ingest.count("duplicate") == 18 and second.ingest.count("loaded") == 0
    assert second.ingest.count("rejected") == 1  # the header without due_at, rejected again
    assert con.execute("select count(*) from raw.dossiers").fetchone() == (1209,)
    assert con.execute("select count(*) from audit.record_rejects").fetchone() == (8,)


def test_dossier_files_must_cover_one_month(tmp_path, prefect_server):
    from tthc.pipeline import run_pipeline

    (tmp_path / "raw" / "dossiers").mkdir(parents=True)
    (tmp_path / "raw" / "dossiers" / "22_2020.csv").write_text("dossier_id\nA\n", encoding="utf-8")
    outcome = run_pipeline(raw_dir=str(tmp_path / "raw"), warehouse=str(tmp_path / "tthc.duckdb"))
    [entry] = outcome.ingest.entries
    assert entry.status == "refused" and "one calendar month" in entry.reason


def _fct(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select * exclude (run_id, built_from_loaded_at) from marts.fct_dossiers_monthly order by all"
    ).fetchall()


def test_adding_a_month_equals_a_full_rebuild(prefect_server, tmp_path):
    """The incremental fact after adding a month and a revised month equals a full refresh."""
    import os

    from tthc.demo import write_demo_data
    from tthc.pipeline import run_pipeline
    from tthc.settings import DBT_PROJECT_DIR

    raw = tmp_path / "raw"
    write_demo_data(raw, ["22"], 2020, [1, 2, 3], seed=3, rows_per_year=900)
    warehouse = tmp_path / "tthc.duckdb"
    assert run_pipeline(raw_dir=str(raw), warehouse=str(warehouse)).published
    write_demo_data(tmp_path / "more", ["22"], 2020, [4], seed=3, rows_per_year=900)
    write_demo_data(tmp_path / "revised", ["22"], 2020, [3], seed=99, rows_per_year=500)
    shutil.copyfile(tmp_path / "more/dossiers/22_2020-04.csv", raw / "dossiers/22_2020-04.csv")
    shutil.copyfile(tmp_path / "revised/dossiers/22_2020-03.csv", raw / "dossiers/22_2020-03_r1.csv")
    again = run_pipeline(raw_dir=str(raw), warehouse=str(warehouse))
    assert again.published and again.ingest.count("loaded") == 2

    con = duckdb.connect(str(warehouse), read_only=True)
    incremental = _fct(con)
    months = dict(con.execute("select month, sum(received) from marts.fct_dossiers_monthly group by month").fetchall())
    con.close()

    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copyfile(warehouse, rebuilt)
    subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "build", "--select", "fct_dossiers_monthly", "--full-refresh",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(tmp_path / "t")],
        env={**os.environ, "TTHC_DBT_DATABASE": str(rebuilt)}, check=True, capture_output=True,
    )
    con = duckdb.connect(str(rebuilt), read_only=True)
    assert _fct(con) == incremental
    con.close()
    assert months["2020-03"] == sum(1 for _ in open(raw / "dossiers/22_2020-03_r1.csv")) - 1  # the revision replaced March
    assert set(months) == {"2020-01", "2020-02", "2020-03", "2020-04"}
