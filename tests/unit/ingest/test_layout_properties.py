"""Property: a report written in any allowed layout, encoding and number format, with level rows,
a header repeated at a page break and a signature block, reads back with the figures and levels
it was written with."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings

from tests.report_writer import read_count, reports
from tthc.contract.datasets import load_contract
from tthc.contract.labels import level_of
from tthc.ingest.discover import parse_name
from tthc.ingest.read import parse_report

CONTRACT = load_contract()
FOUND = parse_name("dossier_results/22_2021.csv", set(CONTRACT.datasets), CONTRACT.snapshots)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports())
def test_any_allowed_layout_reads_back_the_written_figures(report):
    table = parse_report(report.data, FOUND, CONTRACT)
    assert sorted(c for c in table.columns.values() if c != "unit") == sorted(report.columns)
    data_rows = [r for r in table.rows if r.row_kind == "data"]
    assert [unicodedata.normalize("NFC", r.cells["unit"]) for r in data_rows] == report.units
    assert [{c: read_count(r.cells[c]) for c in report.columns} for r in data_rows] == report.figures
    assert [level_of(r.cells.get("level", "")) for r in data_rows] == report.levels
    totals = [r for r in table.rows if r.row_kind == "total"]
    if report.total is None:
        assert totals == []
    else:
        assert [{c: read_count(totals[0].cells[c]) for c in report.columns}] == [report.total]
        assert len(totals) == 1
