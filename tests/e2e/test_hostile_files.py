"""Files no office meant to send, and runs that fail: no file stops the others from being
published, every entry gets a reason, and a failed run leaves its record and no working copy."""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import zipfile

import duckdb
import openpyxl
import pytest

from tests.conftest import PROJECT_ROOT, SMALL_FEEDBACK, copy_warehouse
from tests.workbooks import cell_at_the_last_cell, excel_like_report, zip_bomb

GOOD = "feedback/22_2021.csv"


def tthc(*args: str, timeout: float = 600, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", *args], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def _past_the_last_row() -> bytes:
    """A sheet whose second row sits past Excel's last row (1,048,576)."""
    wb = openpyxl.Workbook()
    wb.active.append(["Đơn vị", "Tổng số hồ sơ tiếp nhận"])
    wb.active.append(["Sở Tư pháp", 1])
    buffer = io.BytesIO()
    wb.save(buffer)
    return _patch_sheet(buffer.getvalue(), lambda xml: xml.replace('r="2"', 'r="1048577"').replace('r="A2"', 'r="A1048577"')
                        .replace('r="B2"', 'r="B1048577"').replace('ref="A1:B2"', 'ref="A1:B1048577"'))


def _damaged_sheet() -> bytes:
    """A workbook whose form sheet's XML is cut off in the middle: an error nobody foresaw."""
    return _patch_sheet(excel_like_report(), lambda xml: xml[: len(xml) // 2], part="xl/worksheets/sheet3.xml")


def _patch_sheet(data: bytes, patch, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info, patch(content.decode("utf-8")).encode("utf-8") if info.filename == part else content)
    return out.getvalue()


# path → words its reason must contain; every one is refused or rejected
HOSTILE = {
    "dossier_results/40_2022.csv": "a named pipe, not a regular file",
    "dossier_results/42_2022.csv": "a socket, not a regular file",
    "dossier_results/.~lock.44_2022.csv#": 'hidden file ".~lock.44_2022.csv#"',
    ".git": 'hidden folder ".git"',
    "dossier_results/22_２０２０.csv": "is not <province>_<period>",
    "dossier_results/44_2022.csv": "line 2, column 2: a field of 1,048,577 characters, over the contract's 1 MB",
    "dossier_results/45_2022.csv": "line 2: 1,001 columns, over the contract's 1,000",
    "dossier_results/46_2022.csv": "over the contract's 50.0 MB for a form file",
    "online_services/48_2022.xlsx": "declares a used range 16,384 columns wide (to column XFD)",
    "online_services/49_2022.xlsx": "the workbook unpacks to 600.0 MB, over the contract's 500.0 MB",
    "online_services/51_2022.xlsx": "past Excel's last row",
    "dossier_results/49_2022.xlsx": "could not be read (ParseError",
    # numbers the warehouse cannot hold: a rejection naming the place, never a failed build
    "index766/25_2026_transparency_2026-09-26.json": "data.overview.totalScore: 1E+400 is beyond the numbers the warehouse holds",
    "dossier_results/22_2022.csv": 'Cell "1234567890123456789012345" in column received_total is not a count (more than 18 digits',
}
NOTIFY = "smtp://kstt:Secret9@mail.vn"
CAPTURE = PROJECT_ROOT / "raw" / "index766" / "25_2026_transparency_2026-09-26.json"


@pytest.fixture(scope="module")
def hostile_run(blank_warehouse, tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    raw = root / "raw"
    (raw / "feedback").mkdir(parents=True)
    (raw / "dossier_results").mkdir()
    (raw / "online_services").mkdir()
    shutil.copyfile(SMALL_FEEDBACK, raw / GOOD)
    os.mkfifo(raw / "dossier_results/40_2022.csv")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(raw / "dossier_results/42_2022.csv"))
    (raw / "dossier_results/.~lock.44_2022.csv#").write_text("root,host,01.12.2026 10:00,\n")
    (raw / ".git").mkdir()
    (raw / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (raw / "dossier_results/22_２０２０.csv").write_bytes(SMALL_FEEDBACK.read_bytes())
    header = "Đơn vị,Tổng số hồ sơ tiếp nhận\n"
    (raw / "dossier_results/44_2022.csv").write_text(header + "Sở Tư pháp," + "9" * (1024 * 1024 + 1) + "\n")
    (raw / "dossier_results/45_2022.csv").write_text(header + ",".join(["1"] * 1001) + "\n")
    with open(raw / "dossier_results/46_2022.csv", "wb") as f:
        f.write(header.encode())
        f.truncate(51 * 1024 * 1024)  # sparse: 51 MB on paper, nothing on disk
    (raw / "online_services/48_2022.xlsx").write_bytes(cell_at_the_last_cell())
    (raw / "online_services/49_2022.xlsx").write_bytes(zip_bomb(600))
    (raw / "online_services/51_2022.xlsx").write_bytes(_past_the_last_row())
    (raw / "dossier_results/49_2022.xlsx").write_bytes(_damaged_sheet())
    (raw / "index766").mkdir()
    (raw / "index766" / CAPTURE.name).write_bytes(CAPTURE.read_bytes().replace(b'"totalScore":7.96', b'"totalScore":1e400', 1))
    (raw / "dossier_results/22_2022.csv").write_text(header + "Sở Tư pháp,1234567890123456789012345\n")
    warehouse = copy_warehouse(blank_warehouse, root / "warehouse")  # a warehouse in service
    try:
        # an alert address Apprise does not take, with a password in it (TTHC_NOTIFY)
        run = tthc("run", "--raw-dir", str(raw), "--warehouse", str(warehouse), timeout=600, env={"TTHC_NOTIFY": NOTIFY})
    finally:
        server.close()
    return run, raw, warehouse


def test_no_hostile_file_stops_the_others_from_being_published(hostile_run):
    run, _, warehouse = hostile_run
    assert run.returncode == 3, run.stdout + run.stderr  # published, with refusals
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from marts.feedback where source_file = ?", [GOOD]).fetchone()[0] > 0
    finally:
        con.close()


@pytest.mark.parametrize("path", sorted(HOSTILE))
def test_each_hostile_entry_is_turned_away_with_its_reason(hostile_run, path):
    _, _, warehouse = hostile_run
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute("select status, reason from audit.ingest_log where file_path = ?", [path]).fetchone()
    finally:
        con.close()
    assert row is not None, path
    status, reason = row
    assert status in ("refused", "rejected")
    assert HOSTILE[path] in reason, reason


def test_a_password_in_the_alert_addresses_never_reaches_disk(hostile_run):
    run, _, warehouse = hostile_run
    written = [p for p in warehouse.parent.rglob("*") if p.is_file() and p.suffix in (".json", ".html", ".log", ".md")]
    assert any(p.parent.name == "runs" for p in written) and any(p.parent.name == "report" for p in written)
    for path in written:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert "Secret9" not in text and "kstt" not in text, path
    assert "Secret9" not in run.stdout + run.stderr
    results = tthc("results", "--warehouse", str(warehouse))
    assert "alert not delivered: not an Apprise URL: smtp://mail.vn" in results.stdout, results.stdout


@pytest.mark.parametrize("as_of", ["9999-01-01", "2019-12-31", "2021-13-01"])
def test_a_run_date_outside_the_calendar_is_refused_in_one_line_before_prefect_starts(tmp_path, as_of):
    done = tthc("run", "--raw-dir", str(tmp_path), "--warehouse", str(tmp_path / "wh" / "tthc.duckdb"),
                env={"TTHC_AS_OF": as_of, "PREFECT_API_URL": "http://127.0.0.1:9/api"}, timeout=60)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(f'tthc run: TTHC_AS_OF="{as_of}"'), done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "wh").exists()


def test_a_run_that_fails_keeps_its_record_and_frees_its_working_copy(tmp_path):
    raw = tmp_path / "raw"
    (raw / "feedback").mkdir(parents=True)
    shutil.copyfile(SMALL_FEEDBACK, raw / GOOD)
    warehouse = tmp_path / "warehouse" / "tthc.duckdb"
    warehouse.parent.mkdir()
    (warehouse.parent / "dbt_target").write_text("a file where dbt's directory should be\n")  # the build cannot start
    run = tthc("run", "--raw-dir", str(raw), "--warehouse", str(warehouse))
    assert run.returncode == 1
    assert "the run failed" in run.stderr
    assert not (warehouse.parent / "work").exists()
    assert not warehouse.exists()
    results = tthc("results", "--warehouse", str(warehouse))
    assert "NOT published" in results.stdout
    assert re.search(r"failed: \w+Error", results.stdout), results.stdout


def test_every_run_removes_a_dead_runs_working_copy_first(blank_warehouse, tmp_path):
    raw = tmp_path / "raw"
    (raw / "feedback").mkdir(parents=True)
    shutil.copyfile(SMALL_FEEDBACK, raw / GOOD)
    warehouse = copy_warehouse(blank_warehouse, tmp_path / "warehouse")
    assert tthc("run", "--raw-dir", str(raw), "--warehouse", str(warehouse)).returncode == 0
    dead = warehouse.parent / "work" / "tthc.duckdb"
    dead.parent.mkdir()
    dead.write_bytes(b"\0" * (1024 * 1024))  # what a killed run, or a full disk, leaves behind
    again = tthc("run", "--raw-dir", str(raw), "--warehouse", str(warehouse))
    assert again.returncode == 0 and "Nothing new" in again.stdout, again.stdout + again.stderr
    assert not dead.parent.exists()
