"""`tthc intake`: a report under any name filed at its canonical path from what it says, a
duplicate left out, or the file held with the reason; never written over another file."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from tthc.contract.datasets import Contract
from tthc.contract.limits import FORM_FILE_BYTES, megabytes
from tthc.ingest.add import AddError, add_file
from tthc.ingest.discover import EXTENSIONS, parse_name
from tthc.ingest.read import sha256_of
from tthc.ingest.recognise import Clue, Problem, Recognised, recognise, recognise_capture


@dataclass(frozen=True)
class Intake:
    """What became of one file: filed (at `path`), duplicate (of `path`) or held (with `problems`)."""

    file: str
    status: str  # filed | duplicate | held
    recognised: Recognised
    path: str | None = None  # relative to the raw directory
    revision: int | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def reason(self) -> str:
        return "; ".join(p.en for p in self.problems)

    @property
    def reason_vi(self) -> str:
        return "; ".join(p.vi for p in self.problems)

    def as_dict(self) -> dict:
        """The JSON object `tthc intake --format json` writes for the file."""
        r = self.recognised
        return {
            "file": self.file, "status": self.status, "path": self.path, "dataset": r.dataset,
            "province": r.province, "period": r.period, "revision": self.revision,
            "reason": self.reason or None, "reason_vi": self.reason_vi or None,
            "clues": [_clue(c) for c in r.clues],
        }


def _clue(clue: Clue) -> dict[str, str]:
    return {"what": clue.what, "value": clue.value, "where": clue.where, "text": clue.text}


def load_contacts(path: Path) -> dict[str, frozenset[str]]:
    """Province code → its offices' addresses, from a CSV of `province_code,email` lines (no file: none)."""
    if not path.is_file():
        return {}
    addresses: dict[str, set[str]] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            code, email = (row.get("province_code") or "").strip(), (row.get("email") or "").strip().lower()
            if code and email:
                addresses.setdefault(code, set()).add(email)
    return {code: frozenset(emails) for code, emails in addresses.items()}


def intake_file(
    source: Path, raw_dir: Path, contract: Contract, sender: str | None = None,
    contacts: dict[str, frozenset[str]] | None = None, name: str | None = None,
) -> Intake:
    """Recognise `source` (shown as `name`, its name as sent) and file it under `raw_dir`."""
    shown = name or source.name
    held = Recognised(None, None, None)
    ext = Path(shown).suffix.lower().lstrip(".")
    if ext not in (*EXTENSIONS, "json"):
        return Intake(shown, "held", held, problems=(Problem(
            f'phần mở rộng ".{ext}" không phải .csv, .xlsx, .xls, .json', f'extension ".{ext}" is not one of .csv, .xlsx, .xls, .json'),))
    size = source.stat().st_size
    if size > FORM_FILE_BYTES:
        return Intake(shown, "held", held, problems=(Problem(
            f"{megabytes(size)}, quá {megabytes(FORM_FILE_BYTES)} cho một tệp biểu mẫu",
            f"{megabytes(size)}, over the contract's {megabytes(FORM_FILE_BYTES)} for a form file"),))
    data = source.read_bytes()
    try:
        if ext == "json":
            return _file_capture(shown, data, raw_dir, contract, recognise_capture(data, shown))
        found = recognise(data, shown, contract, sender, contacts)
    except Exception as err:  # noqa: BLE001 - no file stops the others: an error nobody foresaw holds this one
        why = f"{type(err).__name__}: {err}"
        return Intake(shown, "held", held, problems=(Problem(f"không đọc được tệp ({why})", f"the file cannot be read ({why})"),))
    if found.problems or not (found.dataset and found.province and found.period):
        return Intake(shown, "held", found, problems=found.problems)
    versions = _versions(raw_dir, contract, found.dataset, found.province, found.period)
    sha = sha256_of(data)
    same = next((path for path, (_, digest) in versions.items() if digest == sha), None)
    if same is not None:
        return Intake(shown, "duplicate", found, path=same, revision=versions[same][0])
    revision = max((rev for rev, _ in versions.values()), default=-1) + 1
    try:
        target = add_file(source, raw_dir, found.dataset, found.province, found.period, revision, ext=ext)
    except (AddError, OSError) as err:
        return Intake(shown, "held", found, problems=(Problem(f"không lưu được: {err}", f"not filed: {err}"),))
    return Intake(shown, "filed", found, path=target.relative_to(raw_dir).as_posix(), revision=revision)


def _file_capture(shown: str, data: bytes, raw_dir: Path, contract: Contract, found: Recognised) -> Intake:
    """A 766 capture: a duplicate when a capture of that scope, period and group has its content;
    else written under its canonical name, never over another file."""
    if found.problems or not (found.province and found.period and found.snapshot_group and found.captured_on):
        return Intake(shown, "held", found, problems=found.problems)
    rel = f"index766/{found.province}_{found.period}_{found.snapshot_group}_{found.captured_on.isoformat()}.json"
    named = parse_name(rel, set(contract.all_datasets), contract.snapshots)
    if named.refusal:
        return Intake(shown, "held", found, problems=(Problem(f"không lưu được: {named.refusal}", f"not filed: {named.refusal}"),))
    sha = sha256_of(data)
    folder = raw_dir / "index766"
    for other in sorted(folder.glob(f"{found.province}_{found.period}_{found.snapshot_group}_*.json")) if folder.is_dir() else []:
        if other.is_file() and sha256_of(other.read_bytes()) == sha:
            return Intake(shown, "duplicate", found, path=f"index766/{other.name}", revision=0)
    target = raw_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: another capture of the same day is kept, not replaced
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:
        return Intake(shown, "held", found, problems=(Problem(
            f"{rel} đã có với nội dung khác (một lần lấy số liệu khác cùng ngày)",
            f"{rel} is already there with other content (another capture of the same day)"),))
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return Intake(shown, "filed", found, path=rel, revision=0)


def _versions(raw_dir: Path, contract: Contract, dataset: str, province: str, period: str) -> dict[str, tuple[int, str]]:
    """The files already in the raw directory for this report: path → (revision, SHA-256)."""
    folder = raw_dir / dataset
    versions: dict[str, tuple[int, str]] = {}
    for path in sorted(folder.glob(f"{province}_{period}*")) if folder.is_dir() else []:
        rel = f"{dataset}/{path.name}"
        named = parse_name(rel, set(contract.datasets), contract.snapshots)
        if named.refusal or named.province_code != province or named.period != period or not path.is_file():
            continue
        versions[rel] = (named.revision, sha256_of(path.read_bytes()))
    return versions
