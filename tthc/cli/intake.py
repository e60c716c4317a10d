"""`tthc intake`: reports under any name filed from what they say, or held with the reason."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tthc.cli.words import both, say
from tthc.settings import Settings, load_settings

if TYPE_CHECKING:  # the ingest package is imported when a command needs it
    from tthc.ingest.intake import Intake

STATUS_WORDS = {"filed": both("đã lưu", "filed"), "duplicate": both("trùng", "duplicate"), "held": both("giữ lại", "held")}


def cmd_intake(args: argparse.Namespace) -> int:
    """Each file filed at its canonical path, left out as a duplicate, or held with what was
    recognised and why; exit 0 when none was held, 3 when one was."""
    from tthc.contract.datasets import load_contract
    from tthc.ingest.intake import intake_file, load_contacts

    settings = load_settings(raw_dir=args.raw_dir, warehouse=args.warehouse)
    if not settings.raw_dir.is_dir():
        say("intake", f"không có thư mục báo cáo {settings.raw_dir}", f"no raw directory at {settings.raw_dir}")
        return 1
    if args.held:
        return _list_held(settings)
    if args.mailbox:
        return _read_mailbox(args)
    if not args.files:
        say("intake", "nêu tệp, hoặc --mailbox, hoặc --held", "name the files, or --mailbox, or --held")
        return 1
    if missing := [name for name in args.files if not Path(name).is_file()]:  # before any file is filed
        say("intake", f"không có tệp {', '.join(missing)}", f"no file {', '.join(missing)}")
        return 1
    contract = load_contract()
    contacts = load_contacts(Path(args.contacts) if args.contacts else settings.contacts_file)
    outcomes = [intake_file(Path(name), settings.raw_dir, contract, args.sender, contacts) for name in args.files]
    if args.format == "json":
        json.dump([o.as_dict() for o in outcomes], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for o in outcomes:
            print(_line(o))
    return 3 if any(o.status == "held" for o in outcomes) else 0


def _line(outcome: Intake) -> str:
    """One line per file, in Vietnamese with the English beside it."""
    head = f"{STATUS_WORDS[outcome.status]}: {outcome.file}"
    if outcome.status == "filed":
        return f"{head} → {outcome.path}"
    if outcome.status == "duplicate":
        return f"{head} = {outcome.path} " + both("(cùng nội dung, không ghi gì)", "(same content, nothing written)")
    r = outcome.recognised
    known = ", ".join(f"{k} {v}" for k, v in (("dataset", r.dataset), ("province", r.province), ("period", r.period)) if v)
    return f"{head}: {outcome.reason_vi} / {outcome.reason}" + (f" [{known}]" if known else "")


def _list_held(settings: Settings) -> int:
    """The attachments waiting in inbox/, each with its sender and why it was held."""
    from tthc.ingest.ledger import held_attachments

    held = held_attachments(settings.inbox_dir, settings.intake_ledger)
    if not held:
        print(both("Không có tệp nào đang giữ lại", "Nothing is held") + f" ({settings.inbox_dir})")
    for h in held:
        print(f"{settings.inbox_dir / h['file']}: {h['reason_vi'] or '?'} / {h['reason'] or '?'}"
              + (f" ({h['sender']})" if h["sender"] else ""))
    return 0


def _read_mailbox(args: argparse.Namespace) -> int:
    """One pass of the flow tthc-intake, now."""
    from tthc.cli.console import shown_progress, use_local_prefect_server
    from tthc.ingest.mailbox import MailboxError
    from tthc.mail_intake import intake_mailbox

    if url := use_local_prefect_server():
        print(f"Dùng máy chủ Prefect đang chạy / Using the running Prefect server: {url}", file=sys.stderr)
    try:
        with shown_progress():
            done = intake_mailbox(raw_dir=args.raw_dir, warehouse=args.warehouse)
    except (MailboxError, OSError) as err:
        say("intake", f"không đọc được hộp thư: {err}", f"the mailbox cannot be read: {err}")
        return 1
    print(both(f"Hộp thư {done.mailbox}: nhận {len(done.taken)} thư, lưu {len(done.filed)} tệp, giữ lại {len(done.held)}",
               f"mailbox {done.mailbox}: {len(done.taken)} letters taken in, {len(done.filed)} files filed, {len(done.held)} held"))
    if done.run_id:
        print(both(f"đã chạy {done.run_id}", f"run {done.run_id} loaded them"))
    if done.receipts or done.receipt_errors:
        print(both(f"thư báo nhận gửi tới {len(done.receipts)} người", f"receipts sent to {len(done.receipts)} senders")
              + "".join(f"\n  {e}" for e in done.receipt_errors))
    return 3 if done.held else 0
