"""Label matching: header cells → canonical columns, row labels → level, total or subtotal."""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from flows.settings import DBT_PROJECT_DIR

if TYPE_CHECKING:
    from flows.ingest.contract import Dataset

LEVELS_CSV = DBT_PROJECT_DIR / "seeds" / "level_labels.csv"

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
TOTAL_LABELS = frozenset({"tong cong", "tong so", "tong", "cong"})
_SUBTOTAL_PREFIXES = ("cong ", "tong ")


def normalize_label(text: str) -> str:
    """Lowercase, no diacritics (đ = d), punctuation as spaces, single spaces.

    The SQL macro `normalize_label` implements the same rule for labels inside dbt.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _PUNCT.sub(" ", stripped.lower()).strip()


@lru_cache(maxsize=1)
def level_vocabulary() -> dict[str, str]:
    """Normalised level label → province / district / commune, from the dbt seed."""
    with LEVELS_CSV.open(encoding="utf-8") as f:
        return {normalize_label(r["label"]): r["level"] for r in csv.DictReader(f)}


# A numbering prefix before a row label: "A. ", "II - ", "3) ", "(b) ".
_NUMBERING = re.compile(r"\s*(?:\(?(?:[A-Za-z]|[IVXLivxl]+|\d+)\)|(?:[A-Za-z]|[IVXLivxl]+|\d+)\s*[.:\-–]\s)\s*")


def without_numbering(label: str) -> str:
    """A row label without its numbering prefix ("A. CẤP TỈNH" → "CẤP TỈNH")."""
    m = _NUMBERING.match(label)
    return label[m.end():] if m and label[m.end():].strip() else label


def level_of(label: str) -> str | None:
    """The level a row label names, in any case and after a numbering prefix ("Cấp huyện",
    "A. CẤP TỈNH", "II - UBND cấp huyện"), or None."""
    vocabulary = level_vocabulary()
    return vocabulary.get(normalize_label(label)) or vocabulary.get(normalize_label(without_numbering(label)))


def total_kind(label: str) -> str | None:
    """'total' for "Tổng cộng"-like labels, 'subtotal' for "Cộng cấp huyện"-like, else None."""
    key = normalize_label(label)
    if key in TOTAL_LABELS:
        return "total"
    if key.startswith(_SUBTOTAL_PREFIXES):
        return "subtotal"
    return None


# The place-and-date line of a signature block: "Hải Phòng, ngày 20 tháng 12 năm 2022",
# "ngày 20/12/2022", "ngày … tháng … năm 2022" (matched on the normalised label).
_DATE_LINE = re.compile(r"(?:^| )ngay (?:.* )?(?:thang|\d)")


def is_date_line(text: str) -> bool:
    """A place-and-date line ("Quảng Ninh, ngày 20 tháng 12 năm 2022"): words, never a figure."""
    return bool(_DATE_LINE.search(normalize_label(text)))


class HeaderError(ValueError):
    """A header that cannot be mapped without guessing."""


def split_inline_group(label: str) -> list[str]:
    """ "Group: Label", "Group - Label" and "Group (Label)" in a one-row header → [group, label]."""
    m = re.fullmatch(r"\s*(.+?)\s*(?::|\s-\s|\()\s*(.+?)\)?\s*", label)
    return [m.group(1), m.group(2)] if m else [label]


def match_column(dataset: Dataset, path: list[str]) -> set[str]:
    """Canonical columns a header path (group labels …, leaf label) can mean.

    A leaf under a recognised group is read with it; otherwise the leaf's own labels count.
    """
    keys = [normalize_label(p) for p in path]
    keys = [k for k in keys if k and k not in dataset.transparent]
    if not keys:
        return set()
    leaf, ancestors = keys[-1], keys[:-1]
    groups = {g for g, labels in dataset.groups.items() for a in ancestors if a in labels}
    under = {c.name for c in dataset.columns for g in groups if leaf in c.under.get(g, ())}
    if under:
        return under
    own = {c.name for c in dataset.columns if leaf in c.labels}
    if own:
        return own
    if len(path) == 1:
        parts = split_inline_group(path[0])
        if len(parts) == 2 and (inline := match_column(dataset, parts)):
            return inline
    # A leaf that has a meaning only under a group nobody named ("Quá hạn" alone).
    return {c.name for c in dataset.columns if any(leaf in labels for labels in c.under.values())}


def map_header(dataset: Dataset, ignored: frozenset[str], paths: list[list[str]]) -> tuple[dict[int, str], list[str]]:
    """Map each header column (its path of labels) to a canonical column.

    Returns {column index: canonical name} and the unknown labels, as written.
    Raises HeaderError naming the labels when one could mean two columns or two mean one.
    """
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    written: dict[str, str] = {}
    for idx, path in enumerate(paths):
        shown = " / ".join(p for p in path if p.strip())
        if not shown or normalize_label(path[-1]) in ignored:
            continue
        candidates = match_column(dataset, path)
        if len(candidates) > 1:
            raise HeaderError(f'header "{shown}" could mean any of {", ".join(sorted(candidates))}')
        if not candidates:
            unknown.append(shown)
            continue
        name = candidates.pop()
        if name in written:
            raise HeaderError(f'headers "{written[name]}" and "{shown}" both mean {name}')
        written[name] = shown
        mapping[idx] = name
    return mapping, unknown
