"""`tthc intake`: reports under any name filed from what they say, or held with the reason."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tthc.cli.words import both, say
from tthc.settings import load_settings

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
    contract = load_contract()
    contacts = load_contacts(Path(args.contacts) if args.contacts else settings.contacts_file)
    outcomes = []
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            say("intake", f"không có tệp {name}", f"no file {name}")
            return 1
        outcomes.append(intake_file(path, settings.raw_dir, contract, args.sender, contacts))
    if args.format == "json":
        json.dump([o.as_dict() for o in outcomes], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for o in outcomes:
            print(_line(o))
    return 3 if any(o.status == "held" for o in outcomes) else 0


def _line(outcome) -> str:  # noqa: ANN001 - tthc.ingest.intake.Intake, imported late
    """One line per file, in Vietnamese with the English beside it."""
    head = f"{STATUS_WORDS[outcome.status]}: {outcome.file}"
    if outcome.status == "filed":
        return f"{head} → {outcome.path}"
    if outcome.status == "duplicate":
        return f"{head} = {outcome.path} " + both("(cùng nội dung, không ghi gì)", "(same content, nothing written)")
    r = outcome.recognised
    known = ", ".join(f"{k} {v}" for k, v in (("dataset", r.dataset), ("province", r.province), ("period", r.period)) if v)
    return f"{head}: {outcome.reason_vi} / {outcome.reason}" + (f" [{known}]" if known else "")
