"""`tthc intake`: reports under any name filed from what they say, or held with the reason."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tthc.cli.words import both, say
from tthc.settings import load_settings

if TYPE_CHECKING:  # the ingest package is imported when a command needs it
    from tthc.ingest.intake import Intake

STATUS_WORDS = {"filed": both("đã lưu", "filed"), "duplicate": both("trùng", "duplicate"), "held": both("giữ lại", "held")}


def cmd_intake(args: argparse.Namespace) -> int:
    """Each file filed at its canonical path, left out as a duplicate, or held with what was
    recognised and why; exit 0 when none was held, 3 when one was."""
    from tthc.contract.datasets import load_contract
    from tthc.ingest.intake import intake_file, load_contacts

    settings = load_settings(raw_dir=args.raw_dir)
    if not settings.raw_dir.is_dir():
        say("intake", f"không có thư mục báo cáo {settings.raw_dir}", f"no raw directory at {settings.raw_dir}")
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
