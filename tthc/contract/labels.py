"""Label rules: how a label is normalised, and what a row label says (level, total or subtotal)."""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache

from tthc.settings import DBT_PROJECT_DIR

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
