"""The label rule (lower case, no diacritics, đ = d, punctuation as single spaces) is written twice:
in Python for headers and level rows, and as the dbt macro `normalize_label` for level text and
indicator names inside the warehouse. Both must give the same answer on Vietnamese text."""

from __future__ import annotations

import csv
import random

import pytest

from tthc.contract.labels import LEVELS_CSV, normalize_label

VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
ALPHABET = VIETNAMESE + VIETNAMESE.upper() + "bcdghklmnpqrstvx0123456789 ,.;:-–()/&'\"\t"


def _samples() -> list[str]:
    with open(LEVELS_CSV, encoding="utf-8") as f:
        labels = [row["label"] for row in csv.DictReader(f)]
    rng = random.Random(20261127)
    labels += ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 30))) for _ in range(400)]
    return labels + ["Số hồ sơ đã giải quyết: Trước hạn", "  UBND cấp huyện  ", "ĐƠN VỊ (1)", "Tỷ lệ %", "Lĩnh vực / đơn vị"]


def test_python_and_sql_label_rules_agree(dbt_show):
    labels = _samples()
    values = ", ".join("(" + str(i) + ", '" + label.replace("'", "''") + "')" for i, label in enumerate(labels))
    sql = f"select i, {{{{ normalize_label('label') }}}} as normalised from (values {values}) as t(i, label) order by i"
    sql_rule = [row[1] for row in dbt_show(sql)]
    mismatches = [(label, py, sq) for label, py, sq in zip(labels, map(normalize_label, labels), sql_rule) if py != sq]
    assert len(sql_rule) == len(labels)
    assert not mismatches, mismatches[:5]


@pytest.mark.parametrize("label, expected", [("Sở, ban, ngành", "so ban nganh"), ("ĐƠN VỊ (1)", "don vi 1")])
def test_label_rule_examples(label, expected):
    assert normalize_label(label) == expected
