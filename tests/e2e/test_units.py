"""From the units to the Government Office (contract §1.6): Quảng Ninh's units send their reports,
the warehouse compiles the province's report, `tthc compile` writes it in the forms' layout, and
that workbook, loaded back as the province's report, gives the same figures with no finding.

One sequence of two runs for the module: the units' reports (with the shipped files), then the
five compiled workbooks placed in raw/ as the province's reports for 2021.
"""

from __future__ import annotations

import random
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import SHIPPED_RAW, copy_warehouse, warehouse_rows
from tests.unit_reports import DATASETS, figures, unit_report_csv
from tthc.cli.main import main

UNITS_CSV = """unit_code,unit_name,level,parent_code,valid_from,valid_to,portal_id,emails
STP,Sở Tư pháp,province,,,,,stp@quangninh.example.vn
SYT,Sở Y tế,province,,,,,
SXD,Sở Xây dựng,province,,,,,
HTY,UBND huyện Tiên Yên,district,,,30/06/2025,,
HBC,UBND huyện Bình Liêu,district,,,30/06/2025,,
XDN,UBND xã Đông Ngũ,commune,HTY,,,,
"""
UNITS = ("STP", "SYT", "SXD", "HTY", "HBC", "XDN")
PERIOD = "2021"  # no province report of 2021 is shipped: the compiled ones become it
MISSING = ("feedback", "SXD")  # one unit has not sent one report


def _unit_files(raw: Path) -> None:
    rng = random.Random(25)
    units = raw / "units" / "22"
    units.mkdir(parents=True)
    (units / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    for dataset in DATASETS:
        (units / dataset).mkdir()
        for unit in UNITS:
            if (dataset, unit) == MISSING:
                continue
            rows = [(f"Lĩnh vực {i}", figures(dataset, rng)) for i in range(1, 4)]
            # Bình Liêu sends its communes' rows with no total: its figure is their sum.
            data = unit_report_csv(dataset, rows, total=unit != "HBC")
            (units / dataset / f"{unit}_{PERIOD}.csv").write_bytes(data)
    # 2020: two units' feedback, against the shipped province report (which differs), a unit not
    # in the list, and a unit's report with an error finding (a negative count).
    (units / "feedback" / "STP_2020.csv").write_bytes(unit_report_csv("feedback", [("Đất đai", figures("feedback", rng))]))
    (units / "feedback" / "HTY_2020.csv").write_bytes(unit_report_csv("feedback", [("Xây dựng", figures("feedback", rng))]))
    (units / "feedback" / "ZZZ_2020.csv").write_bytes(unit_report_csv("feedback", [("Đất đai", figures("feedback", rng))]))
    bad = figures("procedure_control", rng) | {"units_inspected": -3}
    (units / "procedure_control" / "SYT_2020.csv").write_bytes(unit_report_csv("procedure_control", [("Y tế", bad)]))


@pytest.fixture(scope="module")
def units_run(blank_warehouse, tmp_path_factory):
    """Into a warehouse in service, run 1 on the shipped files and the units' reports; the five
    2021 reports compiled (.xlsx, the feedback one with --allow-missing) into raw/ as the
    province's own; run 2."""
    from tthc.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("units")
    raw, warehouse = root / "raw", copy_warehouse(blank_warehouse, root / "warehouse")
    shutil.copytree(SHIPPED_RAW, raw)
    _unit_files(raw)
    first = run_pipeline(raw_dir=str(raw), warehouse=str(warehouse))
    compiled = {d: root / f"compiled_{d}.xlsx" for d in DATASETS}
    codes = {}
    for dataset, path in compiled.items():
        args = ["compile", dataset, PERIOD, "--province", "22", "--output", str(path), "--warehouse", str(warehouse)]
        codes[dataset] = (main(args), main([*args, "--allow-missing"]) if dataset == MISSING[0] else None)
        shutil.copyfile(path, raw / dataset / f"22_{PERIOD}.xlsx")
    compiled_before = warehouse_rows(warehouse, "select * exclude (run_id) from marts.compiled_reports order by all")
    second = run_pipeline(raw_dir=str(raw), warehouse=str(warehouse))
    return first, second, warehouse, codes, compiled_before


def test_a_unit_not_in_the_list_is_refused_naming_the_unit_and_the_list(units_run):
    _, _, warehouse, *_ = units_run
    [(status, reason)] = warehouse_rows(
        warehouse, "select distinct status, reason from audit.ingest_log where file_path = 'units/22/feedback/ZZZ_2020.csv'")
    assert status == "refused"
    assert "unit ZZZ is not in raw/units/22/units.csv on 14/12/2020" in reason


def test_every_expected_unit_report_has_its_status_and_its_due_date(units_run):
    _, _, warehouse, *_ = units_run
    rows = warehouse_rows(warehouse, """
        select unit_code, dataset, status, due_date, timeliness from marts.unit_submissions
        where province_code = '22' and period = '2021' order by dataset, unit_code""")
    # The districts were units until 30/06/2025: in 2021 all six are expected, for each dataset.
    assert len(rows) == len(UNITS) * len(DATASETS)
    statuses = {(unit, dataset): status for unit, dataset, status, *_ in rows}
    assert statuses[("SXD", "feedback")] == "missing"
    assert {s for key, s in statuses.items() if key != ("SXD", "feedback")} == {"current"}
    # The period ends on Tuesday 14/12/2021: the cut-off is Wednesday 15/12, due two working days after.
    assert {due for *_, due, _ in rows} == {date(2021, 12, 17)}
    # The 2026 quarter has no district left to expect.
    levels = warehouse_rows(warehouse, "select distinct level from marts.unit_submissions where period = '2026-Q1'")
    assert sorted(lv for (lv,) in levels) == ["commune", "province"]


def test_the_compiled_report_adds_units_up_by_level_with_coverage(units_run):
    _, _, warehouse, *_ = units_run
    rows = warehouse_rows(warehouse, """
        select row_kind, level, unit_code, figure_source, value, units_in, units_expected
        from marts.compiled_reports
        where dataset = 'feedback' and province_code = '22' and period = '2021' and column_name = 'received_total'""")
    units = {r[2]: r for r in rows if r[0] == "unit"}
    levels = {r[1]: r for r in rows if r[0] == "level"}
    [total] = [r for r in rows if r[0] == "total"]
    assert units["SXD"][3:5] == ("missing", None)  # listed, not guessed
    assert units["HBC"][3] == "data_rows_summed" and units["STP"][3] == "total_row"
    for level, row in levels.items():
        assert row[4] == sum(u[4] or 0 for u in units.values() if u[1] == level)
    assert levels["province"][5:] == (2, 3) and levels["district"][5:] == (2, 2)
    assert total[4] == sum(u[4] or 0 for u in units.values()) and total[5:] == (5, 6)


def test_a_units_report_with_an_error_is_compiled_flagged_and_named_in_the_findings(units_run):
    _, _, warehouse, *_ = units_run
    [(flagged, value)] = warehouse_rows(warehouse, """
        select has_error_findings, value from marts.compiled_reports
        where dataset = 'procedure_control' and period = '2020' and unit_code = 'SYT' and column_name = 'units_inspected'""")
    assert flagged is True and value is None  # a negative count is no figure (contract §1.3)
    findings = warehouse_rows(warehouse, """
        select severity, unit_code, cell from marts.data_quality_findings
        where source_file = 'units/22/procedure_control/SYT_2020.csv'""")
    assert ("error", "SYT", "line 2, column 5") in findings


def test_a_hand_compiled_province_report_is_compared_figure_by_figure(units_run):
    _, _, warehouse, *_ = units_run
    rows = warehouse_rows(warehouse, """
        select column_name, submitted_value, compiled_value, status from marts.compiled_vs_submitted
        where dataset = 'feedback' and province_code = '22' and period = '2020'""")
    assert rows, "the shipped 22_2020 feedback report is compared with its units' compiled one"
    for _, submitted, compiled, status in rows:
        expected = ("not_in_submitted" if submitted is None else "not_in_compiled" if compiled is None
                    else "match" if submitted == compiled else "mismatch")
        assert status == expected
    assert any(status == "mismatch" for *_, status in rows)


def test_compile_refuses_while_units_are_missing_unless_told(units_run):
    _, _, _, codes, _ = units_run
    assert codes["feedback"] == (3, 0)
    assert {codes[d][0] for d in DATASETS if d != "feedback"} == {0}


def test_the_compiled_workbooks_load_back_with_no_finding_to_the_same_figures(units_run):
    first, second, warehouse, _, compiled_before = units_run
    assert first.published and second.published  # both exit 3: the unit not in the list is still refused
    findings = warehouse_rows(warehouse, """
        select source_file, check_code, message from marts.data_quality_findings
        where province_code = '22' and period = '2021' and unit_code is null""")
    assert findings == []
    compared = warehouse_rows(warehouse, """
        select dataset, column_name, submitted_value, compiled_value, status from marts.compiled_vs_submitted
        where province_code = '22' and period = '2021'""")
    assert {row[0] for row in compared} == set(DATASETS)
    assert {row[4] for row in compared} == {"match"}, [row for row in compared if row[4] != "match"]
    # The second run compiled the same report from the same units.
    assert warehouse_rows(warehouse, "select * exclude (run_id) from marts.compiled_reports order by all") == compiled_before


def test_the_province_page_shows_its_units_by_period_and_the_compiled_figures_against_its_own(units_run):
    _, _, warehouse, *_ = units_run
    page = (warehouse.parent / "report" / "provinces" / "22.html").read_text(encoding="utf-8")
    section = re.sub(r"<[^>]+>", "", page[page.index("Báo cáo của các đơn vị"):])
    assert "Kỳ / Period 2021" in section and "Kỳ / Period 2020" in section
    assert "Sở Xây dựng (SXD)" in section and "Chưa gửi / missing" in section
    assert "5/6" in section  # feedback 2021: five of the six units in
    assert "Lệch / mismatch" in section and "Khớp / match" in section


def test_remind_writes_to_each_unit_with_an_address_about_its_own_reports(units_run, smtp_server, monkeypatch):
    from tthc.remind import remind

    port, received = smtp_server
    monkeypatch.setenv("TTHC_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.delenv("TTHC_NOTIFY", raising=False)
    _, _, warehouse, *_ = units_run
    assert remind(raw_dir=str(warehouse.parent.parent / "raw"), warehouse=str(warehouse)) == []
    # Only Sở Tư pháp has an address in units.csv: one letter, to it, about its own reports.
    assert [m["To"] for m in received] == ["stp@quangninh.example.vn"]
    body = received[0].get_content()
    assert "Sở Tư pháp" in body and "quá hạn / overdue" in body and "Sở Xây dựng" not in body
