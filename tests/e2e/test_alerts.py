"""Alerts through Apprise to real servers on loopback: an SMTP server (aiosmtpd) and an HTTP
server that receives webhooks. A delivery error never fails a run."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading

import pytest

from tests.conftest import CORPUS, PROJECT_ROOT, SMALL_FEEDBACK, copy_warehouse
from tests.e2e.conftest import free_port

REJECTED = "online_services/27_2021-Q3_r2.csv"  # an error finding rejects it (corpus manifest)


@pytest.fixture()
def webhook():
    received: list[dict] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], received
    server.shutdown()


def _run(raw, warehouse, notify: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", "run", "--raw-dir", str(raw), "--warehouse", str(warehouse)],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=600,
        env={**os.environ, "TTHC_NOTIFY": notify, "TTHC_REPORT_URL": "http://kstt.tinh.gov.vn/tthc", **env},
    )


def test_a_rejected_file_is_named_with_its_reason_by_mail_and_webhook(blank_warehouse, tmp_path, smtp_server, webhook):
    smtp_port, mails = smtp_server
    hook_port, posts = webhook
    raw = tmp_path / "raw"
    (raw / "online_services").mkdir(parents=True)
    for name in ("27_2021-Q3.csv", "27_2021-Q3_r2.csv"):
        shutil.copyfile(CORPUS / "online_services" / name, raw / "online_services" / name)
    (raw / "feedback").mkdir()
    (raw / "feedback" / "22_２０２１.csv").write_bytes(SMALL_FEEDBACK.read_bytes())  # refused: its name
    (tmp_path / "contacts.csv").write_text("province_code,email\n27,kstt@bacninh.gov.vn\n", encoding="utf-8")
    notify = (f"mailto://127.0.0.1:{smtp_port}?from=tthc@tinh.gov.vn&to=kstt@tinh.gov.vn&mode=insecure "
              f"json://127.0.0.1:{hook_port}/hook")
    run = _run(raw, copy_warehouse(blank_warehouse, tmp_path / "wh"), notify, TTHC_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}")
    assert run.returncode == 3, run.stdout + run.stderr
    assert "Alerts: 2 message(s)" in run.stdout  # files turned away, new error findings
    assert "Alerts to the provinces' contacts: kstt@bacninh.gov.vn" in run.stdout

    # The province's own contact gets its own file and its findings, not the others' (22's refused file).
    own = [m for m in mails if m["to"] == "kstt@bacninh.gov.vn"]
    assert len(own) == 1 and "báo cáo cần sửa / reports to correct" in own[0]["subject"]
    body = own[0].get_body().get_content()
    assert REJECTED in body and "22_２０２１" not in body
    mails[:] = [m for m in mails if m["to"] != "kstt@bacninh.gov.vn"]

    subjects = [m["subject"] for m in mails]
    assert any("tệp bị từ chối" in s for s in subjects), subjects
    turned_away = next(m for m in mails if "tệp bị từ chối" in m["subject"]).get_body().get_content()
    assert REJECTED in turned_away and "feedback/22_２０２１.csv" in turned_away
    assert "is not <province>_<period>" in turned_away  # the reason, as logged
    assert "http://kstt.tinh.gov.vn/tthc/" in turned_away
    assert "files were refused or rejected" in turned_away or "file(s) were refused or rejected" in turned_away

    bodies = [p["message"] for p in posts]  # Apprise's JSON payload: version, title, message, …
    assert any(REJECTED in b for b in bodies), posts
    assert len(posts) == len(mails) == 2


def test_a_failed_run_names_its_failed_tests(tmp_path, smtp_server):
    smtp_port, mails = smtp_server
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT_ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs"))
    (project / "tests" / "assert_deliberately_failing.sql").write_text("select 1 as broken\n")
    raw = tmp_path / "raw"
    (raw / "feedback").mkdir(parents=True)
    shutil.copyfile(SMALL_FEEDBACK, raw / "feedback" / "22_2021.csv")
    run = subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", "run", "--raw-dir", str(raw), "--warehouse", str(tmp_path / "wh" / "tthc.duckdb")],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=600,
        env={**os.environ, "TTHC_DBT_PROJECT_DIR": str(project),
             "TTHC_NOTIFY": f"mailto://127.0.0.1:{smtp_port}?from=tthc@tinh.gov.vn&to=kstt@tinh.gov.vn&mode=insecure"},
    )
    assert run.returncode == 1
    failed = next(m for m in mails if "thất bại" in m["subject"])
    assert "assert_deliberately_failing" in failed.get_body().get_content()


def test_an_alert_that_cannot_be_delivered_never_fails_the_run(blank_warehouse, tmp_path):
    raw = tmp_path / "raw"
    (raw / "feedback").mkdir(parents=True)
    (raw / "feedback" / "22_２０２１.csv").write_bytes(SMALL_FEEDBACK.read_bytes())
    shutil.copyfile(SMALL_FEEDBACK, raw / "feedback" / "22_2021.csv")
    closed = free_port()  # nothing listens there
    warehouse = copy_warehouse(blank_warehouse, tmp_path / "wh")
    run = _run(raw, warehouse, f"json://127.0.0.1:{closed}/hook")
    assert run.returncode == 3, run.stdout + run.stderr  # published; one file refused
    assert "alert not delivered" in run.stdout
    results = subprocess.run([sys.executable, "-m", "tthc.cli.main", "results", "--warehouse", str(warehouse)],
                             capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert "alert not delivered" in results.stdout


def test_remind_sends_a_digest_naming_the_overdue_provinces(blank_warehouse, tmp_path, smtp_server, webhook):
    smtp_port, mails = smtp_server
    hook_port, posts = webhook
    raw = tmp_path / "raw"
    (raw / "feedback").mkdir(parents=True)
    shutil.copyfile(SMALL_FEEDBACK, raw / "feedback" / "22_2021-Q3.csv")  # Quảng Ninh sent its quarter
    remind = subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", "remind", "--raw-dir", str(raw), "--warehouse", str(copy_warehouse(blank_warehouse, tmp_path / "wh"))],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=600,
        env={**os.environ, "TTHC_AS_OF": "2021-09-22",
             "TTHC_NOTIFY": (f"mailto://127.0.0.1:{smtp_port}?from=tthc@tinh.gov.vn&to=kstt@tinh.gov.vn&mode=insecure "
                             f"json://127.0.0.1:{hook_port}/hook")},
    )
    assert remind.returncode == 0, remind.stdout + remind.stderr
    digest = next(m for m in mails if "quá hạn" in m["subject"])
    assert "22/09/2021" in digest["subject"]
    text = digest.get_body().get_content()
    line = next(ln for ln in text.splitlines() if ln.startswith("- feedback 2021-Q3"))
    assert "(hạn / due 2021-09-20)" in line
    overdue = line.split(": ", 1)[1].split(", ")
    assert "Thành phố Hà Nội (01)" in overdue and "Vĩnh Phúc (26)" in overdue and len(overdue) == 62
    assert not [p for p in overdue if p.endswith("(22)")]  # Quảng Ninh sent its report
    assert any("feedback 2021-Q3" in p["message"] for p in posts)


def test_failed_or_crashed_runs_are_reported_by_a_prefect_automation(prefect_server):
    from prefect.automations import Automation
    from prefect.client.orchestration import get_client
    from prefect.utilities.asyncutils import run_coro_as_sync

    from tthc.alerts.block import AUTOMATION_NAME, BLOCK_NAME, TthcAlerts, create_failure_automation

    urls = ["json://127.0.0.1:9/hook", "mailto://127.0.0.1:25?from=tthc@tinh.gov.vn&to=kstt@tinh.gov.vn"]
    first = create_failure_automation(urls)
    again = create_failure_automation(urls)  # tthc serve, run again, replaces it: still one
    automation = Automation.read(name=AUTOMATION_NAME)
    assert automation.id == again != first
    assert automation.trigger.expect == {"prefect.flow-run.Failed", "prefect.flow-run.Crashed"}
    assert automation.trigger.match_related["prefect.resource.name"] == ["tthc-run", "tthc-remind", "tthc-capture766"]
    (action,) = automation.actions

    async def block_id():
        async with get_client() as client:
            return (await client.read_block_document_by_name(BLOCK_NAME, block_type_slug="tthc-alerts")).id

    assert action.block_document_id == run_coro_as_sync(block_id())
    assert TthcAlerts.load(BLOCK_NAME).url.get_secret_value() == " ".join(urls)
