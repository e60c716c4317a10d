"""Files under the raw directory → report files (dataset, province, period, revision) or refusals."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from flows.ingest.periods import PERIOD_PATTERN, period_bounds
from flows.ingest.provinces import code_valid_on

EXTENSIONS = ("csv", "xlsx", "xls")
_NAME = re.compile(rf"(?P<province>\d{{2}})_(?P<period>{PERIOD_PATTERN})(?:_r(?P<revision>\d+))?\.(?P<ext>[A-Za-z]+)")
# Documentation kept beside the reports; not a report, not refused.
DOC_FILES = frozenset({"README.md"})


@dataclass(frozen=True)
class FoundFile:
    path: str  # relative to the raw directory, with "/"
    dataset: str | None = None
    province_code: str | None = None
    period: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    revision: int | None = None
    refusal: str | None = None  # why it cannot be taken in, or None

    @property
    def report_key(self) -> tuple[str | None, str | None, str | None]:
        return (self.dataset, self.province_code, self.period)


def parse_name(path: str, datasets: set[str]) -> FoundFile:
    """Check one relative path against contract §1.1."""
    parts = path.split("/")
    if len(parts) != 2:
        return FoundFile(path, refusal="not in a dataset folder: expected raw/<dataset>/<province>_<period>.<ext>")
    dataset, name = parts
    if dataset not in datasets:
        return FoundFile(path, refusal=f'unknown dataset folder "{dataset}" (known: {", ".join(sorted(datasets))})')
    m = _NAME.fullmatch(name)
    if not m:
        return FoundFile(
            path, dataset=dataset,
            refusal=f'name "{name}" is not <province>_<period>[_r<revision>].<csv|xlsx|xls>, e.g. 22_2020.csv or 22_2021-Q3_r2.xlsx',
        )
    ext = m["ext"].lower()
    if ext not in EXTENSIONS:
        return FoundFile(path, dataset=dataset, refusal=f'extension ".{m["ext"]}" is not one of .csv, .xlsx, .xls')
    start, end = period_bounds(m["period"])
    found = FoundFile(
        path, dataset=dataset, province_code=m["province"], period=m["period"],
        period_start=start, period_end=end, revision=int(m["revision"] or 0),
    )
    if not code_valid_on(found.province_code, end):
        return replace(found, refusal=f'province code {found.province_code} did not exist on {end:%d/%m/%Y}, the end of period {found.period}')
    return found


def discover(raw_dir: Path, datasets: set[str]) -> list[FoundFile]:
    """Every file below `raw_dir`, sorted by path; links and odd names come back refused."""
    found: list[FoundFile] = []
    for here, dirs, files in os.walk(raw_dir, followlinks=False):
        rel_dir = Path(here).relative_to(raw_dir)
        for d in sorted(dirs):
            if (Path(here) / d).is_symlink():
                found.append(FoundFile((rel_dir / d).as_posix(), refusal="symbolic link: files must be inside the raw directory"))
        dirs[:] = sorted(d for d in dirs if not (Path(here) / d).is_symlink() and not d.startswith("."))
        for name in sorted(files):
            rel = (rel_dir / name).as_posix()
            if name.startswith(".") or rel in DOC_FILES:
                continue
            if (Path(here) / name).is_symlink():
                found.append(FoundFile(rel, refusal="symbolic link: files must be inside the raw directory"))
            else:
                found.append(parse_name(rel, datasets))
    return sorted(_refuse_conflicts(found), key=lambda f: f.path)


def _refuse_conflicts(found: list[FoundFile]) -> list[FoundFile]:
    """Two files for the same report and revision (22_2020.csv and 22_2020.xlsx): refuse both."""
    by_version: dict[tuple, list[FoundFile]] = defaultdict(list)
    for f in found:
        if f.refusal is None:
            by_version[(*f.report_key, f.revision)].append(f)
    out = [f for f in found if f.refusal is not None]
    for group in by_version.values():
        if len(group) == 1:
            out.append(group[0])
            continue
        names = ", ".join(f.path for f in group)
        out += [replace(f, refusal=f"conflict: {names} are the same report and revision; keep one") for f in group]
    return out
