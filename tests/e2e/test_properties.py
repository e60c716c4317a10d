"""Property: generated reports load end to end, through the real flow, with the figures they were
written with."""

from __future__ import annotations

import shutil

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import copy_warehouse
from tests.report_writer import reports


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(reports(), min_size=6, max_size=6))
def test_generated_reports_load_end_to_end(blank_warehouse, tmp_path_factory, batch):
    """The whole pipeline on a batch of generated reports, into a warehouse in service (a copy of
    the blank one): loaded figures equal generated ones."""
    from tthc.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("generated")
    provinces = ["01", "02", "04", "06", "08", "10"]
    for province, report in zip(provinces, batch):
        path = root / "raw" / "dossier_results" / f"{province}_2021.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(report.data)
    warehouse = copy_warehouse(blank_warehouse, root / "wh")
    outcome = run_pipeline(raw_dir=str(root / "raw"), warehouse=str(warehouse))
    assert outcome.published
    con = duckdb.connect(str(outcome.warehouse), read_only=True)
    try:
        for province, report in zip(provinces, batch):
            expected = report.total or {c: sum(f[c] for f in report.figures) for c in report.columns}
            loaded = con.execute(
                "select numerator from marts.province_indicators where province_code = ? and indicator_code = 'dossiers_received'",
                [province],
            ).fetchone()
            assert loaded == (expected["received_total"],)
            rows = con.execute(
                f"select {', '.join(report.columns)} from marts.dossier_results where province_code = ? and row_kind = 'data' order by line_number",
                [province],
            ).fetchall()
            assert rows == [tuple(f[c] for c in report.columns) for f in report.figures]
    finally:
        con.close()
    shutil.rmtree(root)
