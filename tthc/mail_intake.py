"""The flow `tthc-intake`: the mailbox (TTHC_MAILBOX) to raw/. Each unseen letter's attachments go
through `tthc intake`; held ones wait in inbox/ beside the raw directory; the letter is recorded by
its Message-ID, then moved to the done folder. When something was filed, a run follows at once,
and then each sender gets a receipt (TTHC_SMTP_URL)."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from tthc.alerts.mail import send, smtp_of
from tthc.alerts.receipt import AfterRun, receipt
from tthc.contract.datasets import Contract, load_contract
from tthc.ingest.intake import intake_file, load_contacts
from tthc.ingest.ledger import Taken, awaiting_receipt, held_attachments, ledger, receipt_sent, record, set_run, taken
from tthc.ingest.mailbox import Letter, Mailbox, mailbox_from, move, opened, password_from, unseen
from tthc.pipeline import RunOutcome, run_name, run_pipeline
from tthc.report.site import write_site
from tthc.runs.runlog import latest_run_log
from tthc.settings import Settings, load_settings
from tthc.warehouse import connect_published

STATUSES_SQL = """
    select log.file_path, log.status, log.reason
    from audit.ingest_log as log
    inner join (
        select file_path, max(loaded_at) as loaded_at from audit.ingest_log where status <> 'duplicate' group by file_path
    ) as latest
        on log.file_path = latest.file_path and log.loaded_at = latest.loaded_at
    where log.status <> 'duplicate'
"""

FINDINGS_SQL = """
    select source_file, coalesce(cell, 'line ' || cast(line_number as varchar)) as place, message_vi, message
    from marts.data_quality_findings
    where severity = 'error' and in_current_version
    order by source_file, line_number
"""


@dataclass
class MailIntake:
    """What one pass over the mailbox did."""

    mailbox: str
    taken: list[str] = field(default_factory=list)  # Message-IDs taken in this pass
    moved_again: list[str] = field(default_factory=list)  # taken before, moved now (the flow had died before moving)
    filed: list[str] = field(default_factory=list)  # paths under the raw directory
    held: list[str] = field(default_factory=list)  # paths under the inbox folder
    run_id: str | None = None
    receipts: list[str] = field(default_factory=list)  # addresses a receipt went to
    receipt_errors: list[str] = field(default_factory=list)


def mailbox_of(settings: Settings) -> Mailbox:
    """The office's mailbox (TTHC_MAILBOX) with its password and done folder."""
    return mailbox_from(settings.mailbox_url, password_from(settings.mailbox_password, settings.mailbox_password_file),
                        settings.mailbox_done)


def _intake_name() -> str:
    return run_name("tthc-intake")


@flow(name="tthc-intake", flow_run_name=_intake_name)
def intake_mailbox(raw_dir: str | None = None, warehouse: str | None = None, target: str | None = None) -> MailIntake:
    """Take in the mailbox's unseen letters, run when something was filed, then send the receipts."""
    settings = load_settings(raw_dir, warehouse, target)
    box = mailbox_of(settings)
    outcome = take_letters(box, settings, load_contract())
    run = None
    with ledger(settings.intake_ledger) as con:
        waiting = awaiting_receipt(con)
    if any(a.status == "filed" for letter in waiting for a in letter.attachments):
        run = run_pipeline(raw_dir=str(settings.raw_dir), warehouse=str(settings.warehouse), target=settings.target,
                           wait_for_lock=True)
        outcome.run_id = run.run_id
        with ledger(settings.intake_ledger) as con:
            set_run(con, [letter.message_id for letter in waiting], run.run_id)
    send_receipts(settings, box, run, outcome)
    if outcome.held and run is None:  # no run to write the pages: the overview lists them now
        show_held(settings)
    return outcome


def show_held(settings: Settings) -> None:
    """The report site written again from the last run's record, with the attachments held now."""
    record = latest_run_log(settings)
    if record is not None:
        write_site({**record, "held": held_attachments(settings.inbox_dir, settings.intake_ledger)}, settings.report_dir)


@task(cache_policy=NONE)
def take_letters(box: Mailbox, settings: Settings, contract: Contract) -> MailIntake:
    """Each unseen letter: its attachments filed or held, the letter recorded, then moved. A
    letter recorded already (the flow died before moving it) is only moved."""
    log = get_run_logger()
    outcome = MailIntake(box.shown)
    contacts = load_contacts(settings.contacts_file)
    with opened(box) as session:
        for letter in unseen(session):
            with ledger(settings.intake_ledger) as con:
                done = taken(con, letter.message_id)
            if done:
                log.info("letter %s from %s was taken in before: moved to %s", letter.message_id, letter.sender, box.done_folder)
                move(session, letter.uid, box.done_folder)
                outcome.moved_again.append(letter.message_id)
                continue
            results = _take(letter, settings, contract, contacts)
            with ledger(settings.intake_ledger) as con:
                record(con, letter, results)
            for intake, name, inbox_path, _ in results:
                if intake is not None and intake.status == "filed" and intake.path:
                    outcome.filed.append(intake.path)
                if inbox_path:
                    outcome.held.append(inbox_path)
                log.info("%s: %s", name, intake.status if intake else "held")
            log.info("letter %s from %s recorded; moving it to %s", letter.message_id, letter.sender, box.done_folder)
            move(session, letter.uid, box.done_folder)
            outcome.taken.append(letter.message_id)
    return outcome


def _take(letter: Letter, settings: Settings, contract: Contract, contacts: dict[str, frozenset[str]]) -> list[Taken]:
    """The intake of each attachment, the inbox path of each held one, and the refusal of each
    that could not be opened (a nested archive, one over the size limit)."""
    results: list[Taken] = []
    with tempfile.TemporaryDirectory(prefix="tthc-mail-") as tmp:
        for i, attachment in enumerate(letter.attachments):
            saved = Path(tmp) / f"{i}{Path(attachment.name).suffix.lower()}"
            saved.write_bytes(attachment.data)
            intake = intake_file(saved, settings.raw_dir, contract, letter.sender, contacts, name=attachment.name)
            inbox_path = _to_inbox(settings, letter, attachment.name, attachment.data) if intake.status == "held" else None
            results.append(Taken(intake, attachment.name, inbox_path))
    for name, problem in letter.refused:
        results.append(Taken(None, name, refusal=(problem.en, problem.vi)))
    return results


def _to_inbox(settings: Settings, letter: Letter, name: str, data: bytes) -> str:
    """A held attachment into the inbox folder, under a name that says when and from whom, never
    over another file; its path there."""
    stamp = (letter.received.strftime("%Y%m%d-%H%M%S") if letter.received else "undated")
    sender = re.sub(r"[^\w.@-]+", "_", letter.sender)
    base = re.sub(r"[/\\]+", "__", name).lstrip(".") or "attachment"
    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    for n in range(1000):
        candidate = f"{stamp}_{sender}_{base}" if n == 0 else f"{stamp}_{sender}_{n}_{base}"
        try:
            fd = os.open(settings.inbox_dir / candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return candidate
    raise FileExistsError(f"no free name for {name} in {settings.inbox_dir}")


@task(cache_policy=NONE)
def send_receipts(settings: Settings, box: Mailbox, run: RunOutcome | None, outcome: MailIntake) -> None:
    """A receipt to each letter's sender whose receipt has not gone out (TTHC_SMTP_URL; without
    it, none is sent and the letters wait for one)."""
    log = get_run_logger()
    smtp = smtp_of(settings, box.user)
    if smtp is None:
        log.warning("TTHC_SMTP_URL is not set: no receipts sent")
        return
    after = _after_run(settings, run) if run is not None else None
    with ledger(settings.intake_ledger) as con:
        waiting = awaiting_receipt(con)
    for letter in waiting:
        filed = any(a.status == "filed" for a in letter.attachments)
        if filed and after is None:
            continue  # its files are loaded by a run first: the receipt says what that run made of them
        error = None
        try:
            send(smtp, receipt(letter, after if filed else None, box.shown))
            outcome.receipts.append(letter.sender)
        except Exception as err:  # noqa: BLE001 - a receipt that cannot go out never fails the intake
            error = f"{type(err).__name__}: {err}"
            outcome.receipt_errors.append(f"{letter.sender}: {error}")
            log.warning("receipt to %s not sent: %s", letter.sender, error)
        with ledger(settings.intake_ledger) as con:
            receipt_sent(con, letter.message_id, error)


def _after_run(settings: Settings, run: RunOutcome) -> AfterRun:
    """The run's status and reason of each file, and the error findings of the published warehouse."""
    statuses = {e.found.path: (e.status, e.reason) for e in run.ingest.entries}
    findings: dict[str, list[str]] = {}
    published = run.published or run.unchanged is not None  # nothing new: an earlier pass's run loaded them
    con = connect_published(settings) if published else None
    if con is not None:
        try:
            if run.unchanged is not None:  # what the earlier run made of them, as the warehouse keeps it
                statuses = {path: (status, reason) for path, status, reason in con.execute(STATUSES_SQL).fetchall()}
            for path, place, message_vi, message in con.execute(FINDINGS_SQL).fetchall():
                findings.setdefault(path, []).append(f"{place}: {message_vi} / {message}")
        finally:
            con.close()
    return AfterRun(run.run_id, published, statuses, findings)
