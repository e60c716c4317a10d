"""The compiled report's layout reads back, by the loader's own reader, to the figures written:
for every form dataset, in both formats, with any mix of levels and missing units."""

from __future__ import annotations

import random
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit_reports import DATASETS, figures
from tthc.contract.datasets import load_contract
from tthc.contract.units import LEVELS
from tthc.ingest.discover import parse_name
from tthc.ingest.read import parse_report
from tthc.report.compiled import SUBTOTAL_LABELS, TOTAL_LABEL, Compiled, Line, write_csv, write_xlsx


def _compiled(dataset: str, units: list[tuple[str, bool]], seed: int) -> Compiled:
    """Units (level, has reported) in level order, each level's subtotal after them, the total."""
    rng = random.Random(seed)
    columns = list(figures(dataset, rng))
    lines: list[Line] = []
    total: dict[str, int] = dict.fromkeys(columns, 0)
    for level in LEVELS:
        mine = [(i, reported) for i, (lvl, reported) in enumerate(units) if lvl == level]
        if not mine:
            continue
        subtotal: dict[str, int | None] = dict.fromkeys(columns)
        for position, (i, reported) in enumerate(mine, start=1):
            values = figures(dataset, rng) if reported else dict.fromkeys(columns)
            lines.append(Line("unit", level, f"Đơn vị số {i + 1}", values, f"U{i}", position, missing=not reported))
            for c in columns:
                if values[c] is not None:
                    subtotal[c] = (subtotal[c] or 0) + values[c]
                    total[c] += values[c]
        lines.append(Line("level", level, SUBTOTAL_LABELS[level], subtotal))
    lines.append(Line("total", None, TOTAL_LABEL, dict(total)))
    units_in = sum(reported for _, reported in units)
    return Compiled(dataset, "22", "2021-Q3", date(2021, 6, 15), date(2021, 9, 14), columns, lines, units_in, len(units))


def _count(text: str) -> int | None:
    return int(text.replace(".", "")) if text.strip() else None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    dataset=st.sampled_from(DATASETS),
    units=st.lists(st.tuples(st.sampled_from(LEVELS), st.booleans()), min_size=1, max_size=12).filter(
        lambda us: any(reported for _, reported in us)),
    fmt=st.sampled_from(["xlsx", "csv"]),
    seed=st.integers(0, 10_000),
)
def test_the_written_report_reads_back_to_its_figures(tmp_path, dataset, units, fmt, seed):
    contract = load_contract()
    report = _compiled(dataset, units, seed)
    path = tmp_path / f"22_2021-Q3.{fmt}"
    (write_xlsx if fmt == "xlsx" else write_csv)(report, contract.datasets[dataset], path)

    found = parse_name(f"{dataset}/22_2021-Q3.{fmt}", contract.all_datasets, contract.snapshots)
    table = parse_report(path.read_bytes(), found, contract)

    assert table.unknown_columns == []
    assert set(table.columns.values()) == {"unit", *report.columns}
    written = [line for line in report.lines if not line.missing and any(v is not None for v in line.values.values())]
    kinds = {"unit": "data", "level": "subtotal", "total": "total"}
    assert [(r.row_kind, r.cells["unit"]) for r in table.rows] == [(kinds[x.kind], x.label) for x in written]
    for row, line in zip(table.rows, written):
        assert {c: _count(row.cells[c]) for c in report.columns} == line.values
        if line.kind != "total":  # a level's rows read as that level, as the loader keeps them
            assert contract_level(row.cells["level"]) == line.level


def contract_level(text: str) -> str | None:
    from tthc.contract.labels import level_of

    return level_of(text)


def test_a_period_after_the_merger_letters_its_levels_without_the_district(tmp_path):
    contract = load_contract()
    report = _compiled("feedback", [("province", True), ("commune", True)], 1)
    path = write_csv(report, contract.datasets["feedback"], tmp_path / "22_2026.csv")
    text = path.read_text(encoding="utf-8-sig")
    assert "A. Sở, ban, ngành" in text and "B. UBND cấp xã" in text and "cấp huyện" not in text
    assert "NGƯỜI LẬP BIỂU" in text and "(Ký, ghi rõ họ tên)" in text and "Kỳ báo cáo: Quý III năm 2021" in text
