"""The mailbox to raw/ (flow tthc-intake) against a real IMAP server (Dovecot) and a real SMTP
server (aiosmtpd) on loopback: letters filed once, held attachments kept in inbox/, each sender
answered after the run, and a flow killed half-way finishing its work on the next pass."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests import imap_server
from tests.conftest import PROJECT_ROOT, copy_warehouse
from tthc.cli.main import main

pytestmark = pytest.mark.skipif(not imap_server.available(), reason="Dovecot is not installed (.ci/run installs dovecot-imapd)")

CORPUS = PROJECT_ROOT / "tests" / "intake_corpus"
QN = "kstt@quangninh.gov.vn"
DONE = "Đã xử lý"


@pytest.fixture()
def imap():
    with imap_server.running_imap() as server:
        yield server


@pytest.fixture()
def office(blank_warehouse, tmp_path: Path, imap, smtp_server, monkeypatch) -> tuple[Path, Path]:
    """A raw directory holding Quảng Ninh's August feedback, its contacts, the mailbox's settings,
    and a warehouse in service (a copy of the session's blank one)."""
    raw = tmp_path / "office" / "raw"
    (raw / "feedback").mkdir(parents=True)
    (raw / "feedback" / "22_2021-08.xlsx").write_bytes((CORPUS / "PAKN thang 8.xlsx").read_bytes())
    (raw.parent / "contacts.csv").write_text(f"province_code,email\n22,{QN}\n", encoding="utf-8")
    monkeypatch.setenv("TTHC_MAILBOX", imap.url())
    monkeypatch.setenv("TTHC_MAILBOX_PASSWORD", imap.password)
    monkeypatch.setenv("TTHC_SMTP_URL", f"smtp://127.0.0.1:{smtp_server[0]}")
    return raw, copy_warehouse(blank_warehouse, tmp_path / "office" / "wh")


def _letter(message_id: str, subject: str, attachments: list[tuple[str, bytes]]) -> bytes:
    letter = EmailMessage()
    letter["From"], letter["To"], letter["Subject"], letter["Message-ID"] = f"Sở Tư pháp <{QN}>", "kstt@tinh.gov.vn", subject, message_id
    letter.set_content("Kính gửi Văn phòng, xin gửi báo cáo.")
    for name, data in attachments:
        letter.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return letter.as_bytes()


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def _post(imap, *letters: bytes) -> None:
    from imap_tools import MailBoxUnencrypted

    with MailBoxUnencrypted(imap.host, imap.port).login(imap.user, imap.password, "INBOX") as box:
        for letter in letters:
            box.append(letter, "INBOX")


def _count(imap, folder: str) -> int:
    from imap_tools import MailBoxUnencrypted

    with MailBoxUnencrypted(imap.host, imap.port).login(imap.user, imap.password, "INBOX") as box:
        if not box.folder.exists(folder):
            return 0
        box.folder.set(folder)
        return len(box.uids())


def test_letters_are_filed_once_answered_after_the_run_and_moved(office, imap, smtp_server, capsys):
    from tthc.mail_intake import intake_mailbox

    raw, warehouse = office
    report = (CORPUS / "BC KSTT Q3.2021 - So Tu phap.csv").read_bytes()
    three = _letter("<l1@quangninh.gov.vn>", "Báo cáo quý III", [
        ("BC KSTT Q3.2021 - So Tu phap.csv", report),  # filed
        ("PAKN thang 8.xlsx", (CORPUS / "PAKN thang 8.xlsx").read_bytes()),  # already in raw/: a duplicate
        ("bao cao quy.csv", (CORPUS / "bao cao quy.csv").read_bytes()),  # no year: held
    ])
    archive = _letter("<l2@quangninh.gov.vn>", "Gửi kèm tệp nén", [("bao cao.zip", _zip([
        ("quy3/bc kiem soat.csv", (CORPUS / "bc kiem soat.csv").read_bytes()),  # no province in it: the sender's contacts
        ("cu/cu.zip", _zip([("a.csv", b"x")])),  # an archive inside an archive
        ("lon.csv", b"0" * (51 * 1024 * 1024)),  # unpacks past the contract's 50 MB
    ]))])
    _post(imap, three, archive, three)  # the first letter arrives twice

    done = intake_mailbox(raw_dir=str(raw), warehouse=str(warehouse))

    assert done.taken == ["<l1@quangninh.gov.vn>", "<l2@quangninh.gov.vn>"] and done.moved_again == ["<l1@quangninh.gov.vn>"]
    assert sorted(done.filed) == ["dossier_results/22_2021-Q3.csv", "procedure_control/22_2021-Q3.csv"]
    assert (raw / "dossier_results" / "22_2021-Q3.csv").read_bytes() == report
    assert not (raw / "dossier_results" / "22_2021-Q3_r1.csv").exists()
    assert len(done.held) == 1 and done.held[0].endswith("bao cao quy.csv")
    assert (raw.parent / "inbox" / done.held[0]).read_bytes() == (CORPUS / "bao cao quy.csv").read_bytes()
    assert (_count(imap, "INBOX"), _count(imap, DONE)) == (0, 3)
    assert done.run_id is not None and done.receipt_errors == []

    port, received = smtp_server
    assert [(m["To"], m["In-Reply-To"]) for m in received] == [(QN, "<l1@quangninh.gov.vn>"), (QN, "<l2@quangninh.gov.vn>")]
    first, second = (m.get_content() for m in received)
    assert "BC KSTT Q3.2021 - So Tu phap.csv: đã lưu thành dossier_results/22_2021-Q3.csv" in first
    assert "PAKN thang 8.xlsx: the same as feedback/22_2021-08.xlsx" in first
    assert "bao cao quy.csv: held: period: line 2 says 'Kỳ báo cáo: Quý III' with no year" in first
    assert f"After run {done.run_id}:" in first and "dossier_results/22_2021-Q3.csv: loaded" in first
    assert "bao cao.zip/quy3/bc kiem soat.csv: filed as procedure_control/22_2021-Q3.csv" in second
    assert "bao cao.zip/cu/cu.zip: held: an archive inside an archive is refused" in second
    assert "bao cao.zip/lon.csv: held: unpacks to 51.0 MB" in second

    again = intake_mailbox(raw_dir=str(raw), warehouse=str(warehouse))  # nothing new: no run, no receipt
    assert (again.taken, again.run_id, len(received)) == ([], None, 2)

    assert main(["intake", "--held", "--raw-dir", str(raw), "--warehouse", str(warehouse)]) == 0
    assert "bao cao quy.csv: kỳ báo cáo: dòng 2 ghi" in capsys.readouterr().out
    page = (warehouse.parent / "report" / "index.html").read_text(encoding="utf-8")
    assert "Attachments held</span> (1)" in page and "bao cao quy.csv" in page

    # A letter with nothing to file: no run, a receipt at once, and the page lists what it held.
    _post(imap, _letter("<l4@quangninh.gov.vn>", "Danh sách", [("danh sach.csv", (CORPUS / "danh sach.csv").read_bytes())]))
    held_only = intake_mailbox(raw_dir=str(raw), warehouse=str(warehouse))
    assert (held_only.run_id, len(held_only.held), len(received)) == (None, 1, 3)
    assert "danh sach.csv: held: dataset: no header row of a known form" in received[-1].get_content()
    page = (warehouse.parent / "report" / "index.html").read_text(encoding="utf-8")
    assert "Attachments held</span> (2)" in page and "danh sach.csv" in page


def test_a_flow_killed_after_filing_files_nothing_twice_on_its_next_pass(office, imap, smtp_server):
    raw, warehouse = office
    _post(imap, _letter("<l3@quangninh.gov.vn>", "Báo cáo", [
        ("BC KSTT Q3.2021 - So Tu phap.csv", (CORPUS / "BC KSTT Q3.2021 - So Tu phap.csv").read_bytes())]))
    command = [sys.executable, "-m", "tthc.cli.main", "intake", "--mailbox", "-v", "--raw-dir", str(raw), "--warehouse", str(warehouse)]

    killed = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    lines = []
    for line in killed.stdout:
        lines.append(line)
        if "recorded; moving it" in line:  # filed and recorded, about to move the letter
            os.killpg(killed.pid, signal.SIGKILL)
            break
    killed.wait(timeout=60)
    assert killed.returncode == -signal.SIGKILL, "".join(lines[-20:])
    assert (raw / "dossier_results" / "22_2021-Q3.csv").exists()

    again = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)

    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "was taken in before: moved to" in again.stdout + again.stderr  # recorded, so only moved
    assert sorted(p.name for p in (raw / "dossier_results").iterdir()) == ["22_2021-Q3.csv"]  # filed once, no _r1
    assert (_count(imap, "INBOX"), _count(imap, DONE)) == (0, 1)
    with sqlite3.connect(warehouse.parent / "intake.sqlite") as con:
        letters = con.execute("select message_id, run_id is not null, receipt_sent_at is not null from letters").fetchall()
    assert letters == [("<l3@quangninh.gov.vn>", 1, 1)]
    assert [m["In-Reply-To"] for m in smtp_server[1]] == ["<l3@quangninh.gov.vn>"]  # one receipt
