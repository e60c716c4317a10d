"""`tthc add`: take in a file with any name (an email attachment) under its canonical name."""

from __future__ import annotations

import os
from pathlib import Path

from tthc.contract.datasets import load_contract
from tthc.contract.limits import FORM_FILE_BYTES, megabytes
from tthc.ingest.decode import DecodeError
from tthc.ingest.discover import EXTENSIONS, parse_name
from tthc.ingest.header import HeaderError
from tthc.ingest.read import parse_report


class AddError(ValueError):
    """The file cannot be placed; the message says why and what to do."""


def canonical_name(province: str, period: str, revision: int, ext: str) -> str:
    return f"{province}_{period}" + (f"_r{revision}" if revision else "") + f".{ext}"


def add_file(
    source: Path, raw_dir: Path, dataset: str, province: str, period: str, revision: int = 0, ext: str | None = None
) -> Path:
    """Check `source` against the naming and layout rules, then copy it into `raw_dir`; never
    overwrites. `ext`: the file's kind when its own name does not say it (a saved attachment)."""
    contract = load_contract()
    ext = ext or source.suffix.lower().lstrip(".")
    if ext not in EXTENSIONS:
        raise AddError(f'{source.name}: extension ".{ext}" is not one of .csv, .xlsx, .xls')
    rel = f"{dataset}/{canonical_name(province, period, revision, ext)}"
    found = parse_name(rel, set(contract.datasets), contract.snapshots)
    if found.refusal:
        raise AddError(f"{source.name} as {rel}: {found.refusal}")
    siblings = [
        f"{dataset}/{canonical_name(province, period, revision, other)}" for other in EXTENSIONS
        if (raw_dir / dataset / canonical_name(province, period, revision, other)).exists()
    ]
    if siblings:
        raise AddError(
            f"{', '.join(siblings)} already holds this report and revision; "
            f"send a correction as the next revision (--revision {revision + 1})"
        )
    size = source.stat().st_size
    if size > FORM_FILE_BYTES:
        raise AddError(f"{source.name}: {megabytes(size)}, over the contract's {megabytes(FORM_FILE_BYTES)} for a form file")
    data = source.read_bytes()
    try:
        parse_report(data, found, contract)
    except (DecodeError, HeaderError) as err:
        raise AddError(f"{source.name}: {err}") from err
    target = raw_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two clerks adding at once cannot overwrite each other.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return target
