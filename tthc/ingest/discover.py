"""Files under the raw directory → report files (dataset, province, period, revision) or refusals."""

from __future__ import annotations

import os
import re
import stat
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from tthc.contract.datasets import Contract
from tthc.contract.periods import PERIOD_PATTERN, calendar_bounds, period_bounds
from tthc.contract.provinces import code_valid_on
from tthc.ingest.index766 import snapshot_groups

EXTENSIONS = ("csv", "xlsx", "xls")
# ASCII digits only: "22_２０２０.csv" (full-width digits) is not a name of the contract.
_NAME = re.compile(rf"(?P<province>[0-9]{{2}})_(?P<period>{PERIOD_PATTERN})(?:_r(?P<revision>\d+))?\.(?P<ext>[A-Za-z]+)")
# Index snapshots (contract §1.5): <scope>_<period>_<group>_<captured YYYY-MM-DD>.json
_SNAPSHOT_NAME = re.compile(
    rf"(?P<scope>[0-9]{{2}})_(?P<period>{PERIOD_PATTERN})_(?P<group>[a-z-]+)_(?P<captured>[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})\.json"
)
NATIONAL_SCOPE = "00"
# A province's units and their reports (contract §1.6): units/<province>/units.csv and
# units/<province>/<dataset>/<unit_code>_<period>[_r<revision>].<ext>
UNITS_DIR = "units"
UNITS_LIST = "units.csv"
UNITS_DATASET = "units"  # the dataset name a list of units is logged under
_UNIT_NAME = re.compile(rf"(?P<unit>[A-Za-z0-9.\-]+?)_(?P<period>{PERIOD_PATTERN})(?:_r(?P<revision>\d+))?\.(?P<ext>[A-Za-z]+)")
_UNIT_SHAPE = "raw/units/<province>/units.csv or raw/units/<province>/<dataset>/<unit_code>_<period>[_r<revision>].<ext>"
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
    snapshot_group: str | None = None  # index snapshots: the portal's group in the name
    captured_on: date | None = None  # index snapshots: the capture date in the name
    unit_code: str | None = None  # a unit's report (contract §1.6); None for the province's own

    @property
    def report_key(self) -> tuple:
        """What versions replace each other: a report, a unit's report, or one capture of an index snapshot."""
        return (self.dataset, self.province_code, self.period, self.snapshot_group, self.captured_on, self.unit_code)

    @property
    def is_units_list(self) -> bool:
        return self.dataset == UNITS_DATASET and self.period is None


def parse_name(
    path: str, datasets: set[str], snapshots: Collection[str], unit_datasets: Collection[str] = (),
) -> FoundFile:
    """Check one relative path against contract §1.1 (`datasets`: the folders known; `snapshots`:
    those of index snapshots, named by §1.5; `unit_datasets`: those a unit reports, §1.6)."""
    parts = path.split("/")
    if parts[0] == UNITS_DIR:
        return parse_unit_name(path, unit_datasets)
    if len(parts) != 2:
        return FoundFile(path, refusal="not in a dataset folder: expected raw/<dataset>/<province>_<period>.<ext>")
    dataset, name = parts
    if dataset not in datasets:
        return FoundFile(path, refusal=f'unknown dataset folder "{dataset}" (known: {", ".join(sorted(datasets))})')
    if dataset in snapshots:
        return parse_snapshot_name(path, dataset, name)
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


def parse_unit_name(path: str, unit_datasets: Collection[str]) -> FoundFile:
    """Check a path under units/ against contract §1.6: a province's list of units, or one of
    its units' reports. Whether the unit is in the list is checked when the lists are loaded."""
    parts = path.split("/")
    if len(parts) not in (3, 4) or not re.fullmatch("[0-9]{2}", parts[1]):
        return FoundFile(path, refusal=f"not where unit files go: expected {_UNIT_SHAPE}")
    province = parts[1]
    if len(parts) == 3:
        if parts[2] != UNITS_LIST:
            return FoundFile(path, refusal=f'"{parts[2]}": the only file beside the dataset folders is {UNITS_LIST}')
        return FoundFile(path, dataset=UNITS_DATASET, province_code=province)
    dataset, name = parts[2], parts[3]
    if dataset not in unit_datasets:
        return FoundFile(path, refusal=f'unknown dataset folder "{dataset}" for unit reports (known: {", ".join(sorted(unit_datasets))})')
    m = _UNIT_NAME.fullmatch(name)
    if not m:
        return FoundFile(path, dataset=dataset, province_code=province, refusal=(
            f'name "{name}" is not <unit_code>_<period>[_r<revision>].<csv|xlsx|xls>, e.g. SOTP_2021-Q3.xlsx'))
    if m["ext"].lower() not in EXTENSIONS:
        return FoundFile(path, dataset=dataset, refusal=f'extension ".{m["ext"]}" is not one of .csv, .xlsx, .xls')
    start, end = period_bounds(m["period"])
    found = FoundFile(path, dataset=dataset, province_code=province, period=m["period"], period_start=start,
                      period_end=end, revision=int(m["revision"] or 0), unit_code=m["unit"])
    if not code_valid_on(province, end):
        return replace(found, refusal=f"province code {province} did not exist on {end:%d/%m/%Y}, the end of period {found.period}")
    return found


def parse_snapshot_name(path: str, dataset: str, name: str) -> FoundFile:
    """Check the name of an index snapshot against contract §1.5. Its period is the portal's
    calendar period (tthc/contract/periods.py calendar_bounds), not a cut-off window."""
    m = _SNAPSHOT_NAME.fullmatch(name)
    if not m:
        return FoundFile(path, dataset=dataset, refusal=(
            f'name "{name}" is not <scope>_<period>_<group>_<captured YYYY-MM-DD>.json, '
            "e.g. 25_2026_dvc-progress-tree_2026-09-26.json or 00_2026_service-results_2026-09-17.json"
        ))
    try:
        start, end = calendar_bounds(m["period"])
        captured = date.fromisoformat(m["captured"])
    except ValueError as err:
        return FoundFile(path, dataset=dataset, refusal=f'name "{name}": {err}')
    found = FoundFile(path, dataset=dataset, province_code=m["scope"], period=m["period"], period_start=start,
                      period_end=end, revision=0, snapshot_group=m["group"], captured_on=captured)
    groups = snapshot_groups()
    if found.snapshot_group not in groups:
        return replace(found, refusal=f'group "{found.snapshot_group}" is not one of {", ".join(sorted(groups))}')
    national = groups[found.snapshot_group].shape == "national"
    if national != (found.province_code == NATIONAL_SCOPE):
        if national:
            return replace(found, refusal="the national file (service-results) has scope 00")
        return replace(found, refusal=f"scope 00 is the national file only ({found.snapshot_group} holds one province's tree)")
    if captured < start:
        return replace(found, refusal=f"captured on {captured:%d/%m/%Y}, before period {found.period} began ({start:%d/%m/%Y})")
    if not national and not code_valid_on(found.province_code, captured):
        return replace(found, refusal=f"province code {found.province_code} did not exist on {captured:%d/%m/%Y}, the capture date")
    return found


_NOT_REGULAR = {
    stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def _refusal(path: Path, name: str, is_dir: bool) -> str | None:
    """Why an entry cannot be read as a report whatever its name, or None; nothing is opened."""
    if path.is_symlink():
        return "symbolic link: files must be inside the raw directory"
    if name.startswith("."):
        what = "folder" if is_dir else "file"
        return f'hidden {what} "{name}" (its name starts with "."): not a report; move it out of the raw directory'
    if not is_dir:
        mode = os.lstat(path).st_mode
        if not stat.S_ISREG(mode):
            kind = _NOT_REGULAR.get(stat.S_IFMT(mode), "not a regular file")
            return f"{kind}, not a regular file: it is not opened"
    return None


def discover(raw_dir: Path, contract: Contract) -> list[FoundFile]:
    """Every entry below `raw_dir`, sorted by path. Links, hidden names (".x"), pipes, sockets
    and devices come back refused without being opened, as do odd names."""
    found: list[FoundFile] = []
    for here, dirs, files in os.walk(raw_dir, followlinks=False):
        rel_dir = Path(here).relative_to(raw_dir)
        kept = []
        for d in sorted(dirs):
            why = _refusal(Path(here) / d, d, is_dir=True)
            if why:
                found.append(FoundFile((rel_dir / d).as_posix(), refusal=why))
            else:
                kept.append(d)
        dirs[:] = kept
        for name in sorted(files):
            rel = (rel_dir / name).as_posix()
            if rel in DOC_FILES:
                continue
            try:
                why = _refusal(Path(here) / name, name, is_dir=False)
            except OSError as err:  # gone between the listing and the look
                why = f"unreadable: {err.strerror or err}"
            found.append(FoundFile(rel, refusal=why) if why else parse_name(rel, contract.all_datasets, contract.snapshots, contract.form_datasets))
    return sorted(_refuse_conflicts(found), key=lambda f: f.path)


def _refuse_conflicts(found: list[FoundFile]) -> list[FoundFile]:
    """Two files for the same report and revision (22_2020.csv and 22_2020.xlsx): refuse both."""
    by_version: dict[tuple, list[FoundFile]] = defaultdict(list)
    for f in found:
        if f.refusal is None and not f.is_units_list:
            by_version[(*f.report_key, f.revision)].append(f)
    out = [f for f in found if f.refusal is not None or f.is_units_list]
    for group in by_version.values():
        if len(group) == 1:
            out.append(group[0])
            continue
        names = ", ".join(f.path for f in group)
        out += [replace(f, refusal=f"conflict: {names} are the same report and revision; keep one") for f in group]
    return out
