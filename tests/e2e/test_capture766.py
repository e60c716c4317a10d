"""`tthc capture766` against a real HTTP server on loopback that answers like the portal."""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date

import duckdb
import pytest

from tests.conftest import PROJECT_ROOT, copy_warehouse
from tests.portal_server import SHIPPED, running_portal
from tthc.ingest.capture766 import CaptureError, Portal, Request, capture, national_request, province_requests, save

GROUPS = ["transparency", "dvc-progress-tree", "provide-online-tree", "formality-online-payment-tree",
          "handling-satisfaction", "dossier-digitized"]
PHU_THO = "019d2be3-6a88-732b-8b17-b68020c8553a"


def _shipped(group: str) -> bytes:
    return next(SHIPPED.glob(f"*_{group}_*.json")).read_bytes()


def _tthc(*args: str, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tthc.cli.main", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, env={**os.environ, **env}, timeout=timeout)


_INSPECTORATE = ('"departmentName":"Thanh tra tỉnh - Tỉnh Phú Thọ","departmentType":"PROVINCIAL_DEPARTMENT",'
                 '"departmentLevel":"PROVINCE","agencyLevel":"level_2","totalScore":{}')
# The next day's answers: Phú Thọ up 3.5 points on transparency (CKMB), the provincial inspectorate down one.
NEXT_DAY = {
    "service-results": [(b'"totalScore": 62.6,\n        "ratio": 62.6,', b'"totalScore": 66.1,\n        "ratio": 66.1,'),
                        (b'"CKMB": 7.96,\n          "TDGQ": 17.63', b'"CKMB": 11.46,\n          "TDGQ": 17.63')],
    "transparency": [(_INSPECTORATE.format(1.96).encode(), _INSPECTORATE.format(0.96).encode())],
}


@pytest.fixture(scope="module")
def captured(blank_warehouse, tmp_path_factory):
    """`tthc capture766 --province 25 --period 2026` into a warehouse in service, again the same
    day, and the next day when the portal's answers moved (with alerts to a webhook on loopback)."""
    root = tmp_path_factory.mktemp("capture")
    raw, warehouse = root / "raw", copy_warehouse(blank_warehouse, root / "wh")
    raw.mkdir()
    received: list[dict] = []

    class Webhook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the http.server name)
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    args = ["capture766", "--province", "25", "--period", "2026", "--raw-dir", str(raw), "--warehouse", str(warehouse)]
    try:
        with running_portal() as portal:
            env = {"TTHC_PORTAL_URL": portal.url, "TTHC_PORTAL_PACE_S": "0", "TTHC_AS_OF": "2026-09-26"}
            first = _tthc(*args, env=env)
            files = sorted(p.name for p in (raw / "index766").iterdir())
            again = _tthc(*args, env=env)
            again_files = sorted(p.name for p in (raw / "index766").iterdir())
            seen = list(portal.seen)
            portal.edits.update(NEXT_DAY)
            next_day = _tthc(*args, env={**env, "TTHC_AS_OF": "2026-09-27",
                                         "TTHC_NOTIFY": f"json://127.0.0.1:{hook.server_address[1]}/"})
    finally:
        hook.shutdown()
    return first, (again, again_files), files, raw, warehouse, seen, next_day, received


def test_a_capture_saves_the_national_file_and_the_provinces_groups_byte_exact(captured):
    first, _, files, raw, _, seen, *_ = captured
    assert first.returncode in (0, 3), first.stdout + first.stderr
    assert files == sorted(["00_2026_service-results_2026-09-26.json"] + [f"25_2026_{g}_2026-09-26.json" for g in GROUPS])
    for group in ["service-results", *GROUPS]:
        saved = next((raw / "index766").glob(f"*_2026_{group}_2026-09-26.json")).read_bytes()
        assert saved == _shipped(group), group
    assert {path for path, _ in seen} == {f"/api/v1/reporting/evaluation/{g}" for g in ["service-results", *GROUPS]}


def test_the_run_that_follows_puts_the_scores_and_ranks_in_the_marts(captured):
    first, _, _, _, warehouse, *_ = captured
    assert "Lần chạy" in first.stdout and "published" in first.stdout
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        score = con.execute(
            "select score from marts.index766_scores where scope = '25' and group_code = 'CKMB' "
            "and unit_level = 'province' and metric_code = 'TOTAL'"
        ).fetchone()
        ranks = con.execute("select count(distinct province_code) from marts.index766_province_ranks").fetchone()[0]
    finally:
        con.close()
    assert score == (7.96,) and ranks == 34


def test_a_second_capture_the_same_day_writes_nothing_new(captured):
    _, (again, again_files), files, *_ = captured
    assert again.returncode in (0, 3), again.stdout + again.stderr
    assert "saved 0 files, 7 identical to the last capture" in again.stdout
    assert again_files == files


def test_the_next_days_movement_is_said_in_words_on_the_page_and_in_an_alert(captured):
    *_, warehouse, _, next_day, received = captured
    assert next_day.returncode in (0, 3), next_day.stdout + next_day.stderr
    assert "saved 2 files, 5 identical" in next_day.stdout
    page = (warehouse.parent / "report" / "run.html").read_text(encoding="utf-8")
    assert "Thay đổi so với ảnh chụp trước" in page and "Change since the previous snapshot" in page
    assert "tổng điểm 66,10 (+3,50)" in page and "total 66.10 (+3.50) since the previous snapshot" in page
    assert "Công khai, minh bạch +3,50" in page and "Thanh tra tỉnh - Tỉnh Phú Thọ −1,00 (CKMB)" in page
    moved = [m for m in received if "Bộ chỉ số 766" in m["title"]]
    assert len(moved) == 1 and moved[0]["title"].startswith("TTHC: Phú Thọ (25)")
    assert "Units that lost most points: Thanh tra tỉnh - Tỉnh Phú Thọ −1.00 (CKMB)" in moved[0]["message"]


def test_a_short_list_is_asked_again_with_a_page_that_holds_every_unit():
    request = province_requests("25", PHU_THO, "2026", ["transparency"])[0]
    small = Request(request.scope, request.period, request.group, {**request.payload, "pageSize": 50})
    with running_portal() as portal:
        body = capture(Portal(base_url=portal.url, pace_s=0), small)
        sizes = [payload["pageSize"] for _, payload in portal.seen]
    assert sizes == [50, 163] and body == _shipped("transparency")


def test_a_list_the_portal_keeps_cutting_short_is_never_returned():
    request = province_requests("25", PHU_THO, "2026", ["dossier-digitized"])[0]
    with running_portal() as portal:
        portal.always_failing["dossier-digitized"] = "short"
        with pytest.raises(CaptureError, match="cut short"):
            capture(Portal(base_url=portal.url, pace_s=0), request)


def test_a_request_is_retried_after_a_bad_gateway_and_a_timeout():
    request = national_request("2026")
    with running_portal() as portal:
        portal.failures["service-results"] = ["fail502", "timeout"]
        waits: list[float] = []
        body = capture(Portal(base_url=portal.url, pace_s=0, timeout_s=1, backoff_s=0.5), request, sleep=waits.append)
    assert body == _shipped("service-results") and waits == [0.5, 1.0]  # backoff doubles


@pytest.mark.parametrize("failure, words", [
    ("html", "không phải JSON / not the portal's JSON ('<!doctype html>"),
    ("not_ok", "code 'UNAUTHORIZED', không phải OK / not OK"),
    ("fail502", "HTTP 502"),
])
def test_an_answer_that_is_not_the_portals_envelope_is_named_in_both_languages(failure, words):
    request = province_requests("25", PHU_THO, "2026-Q3", ["transparency"])[0]
    with running_portal() as portal:
        portal.always_failing["transparency"] = failure
        with pytest.raises(CaptureError) as refused:
            capture(Portal(base_url=portal.url, pace_s=0, retries=1, backoff_s=0), request, sleep=lambda s: None)
    message = str(refused.value)
    assert words in message and "cổng dịch vụ công không trả transparency (25, 2026-Q3)" in message
    assert '"quarter": 3' in message and '"rootDepartmentId"' in message  # the request, named


def test_a_group_that_keeps_failing_does_not_lose_the_others(tmp_path):
    from tthc.capture import capture766

    raw = tmp_path / "raw"
    raw.mkdir()
    with running_portal() as portal:
        portal.always_failing["handling-satisfaction"] = "fail502"
        os.environ.update({"TTHC_PORTAL_URL": portal.url, "TTHC_PORTAL_PACE_S": "0"})
        try:
            state = capture766(provinces=["25"], periods=["2026-08"], raw_dir=str(raw),
                               warehouse=str(tmp_path / "wh" / "tthc.duckdb"), run=False, return_state=True)
        finally:
            for name in ("TTHC_PORTAL_URL", "TTHC_PORTAL_PACE_S"):
                os.environ.pop(name, None)
    assert state.is_failed()
    saved = sorted(p.name.split("_")[2] for p in (raw / "index766").glob("*.json"))
    assert saved == sorted(["service-results", *[g for g in GROUPS if g != "handling-satisfaction"]])
    assert all(p.name.split("_")[1] == "2026-08" for p in (raw / "index766").glob("*.json"))


def test_a_capture_killed_half_way_leaves_no_partial_file(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    with running_portal() as portal:
        portal.delay_s = 0.5
        env = {**os.environ, "TTHC_PORTAL_URL": portal.url, "TTHC_PORTAL_PACE_S": "0"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "tthc.cli.main", "capture766", "--province", "25", "--period", "2026",
             "--raw-dir", str(raw), "--warehouse", str(tmp_path / "wh" / "tthc.duckdb")],
            cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list((raw / "index766").glob("*.json"))) < 3:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    saved = list((raw / "index766").glob("*.json"))
    assert 3 <= len(saved) < 7
    for path in saved:  # every file under a contract name is a whole answer
        assert json.loads(path.read_bytes())["code"] == "OK"
    (raw / "index766" / ".25_2026_transparency_2026-12-03.json.part").write_bytes(b'{"code":"OK","da')  # as a kill leaves it
    from tthc.ingest.capture766 import remove_unfinished

    assert [p.name for p in remove_unfinished(raw)] == [".25_2026_transparency_2026-12-03.json.part"]


def test_save_writes_once_per_distinct_answer(tmp_path):
    request = national_request("2026")
    body = _shipped("service-results")
    assert save(tmp_path, request, body, date(2026, 9, 17)).name == "00_2026_service-results_2026-09-17.json"
    assert save(tmp_path, request, body, date(2026, 9, 18)) is None  # the same answer a day later: not written
    assert save(tmp_path, request, body.replace(b"68.32", b"68.33"), date(2026, 9, 18)) is not None
