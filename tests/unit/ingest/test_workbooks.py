"""Workbooks: the sheet holding the form is read, by its header; limits are checked before parsing."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tests.workbooks import cell_at_the_last_cell, excel_like_report, form_sheet, zip_bomb
from tthc.contract.datasets import load_contract
from tthc.ingest.decode import DecodeError
from tthc.ingest.discover import parse_name
from tthc.ingest.header import HeaderError
from tthc.ingest.read import parse_report

CONTRACT = load_contract()
FOUND = parse_name("dossier_results/22_2021.xlsx", set(CONTRACT.datasets), CONTRACT.snapshots)


def _saved(wb: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_the_form_sheet_is_read_and_the_others_are_named():
    table = parse_report(excel_like_report(), FOUND, CONTRACT)
    assert table.sheet == "Biểu II.06b"
    assert table.ignored_sheets == ["Bìa (no form header)", "Nháp (hidden)"]
    assert [r.cells["received_total"] for r in table.rows] == ["120", "200", "300", "620"]  # saved values


def test_a_hidden_form_is_never_read():
    wb = openpyxl.Workbook()
    wb.active.title = "Bìa"
    wb.active.append(["Báo cáo năm 2021"])
    form_sheet(wb.create_sheet("Cũ"))
    wb["Cũ"].sheet_state = "hidden"
    with pytest.raises(HeaderError, match=r"no visible sheet has the form's header \(sheets: Bìa \(no form header\), Cũ \(hidden\)\)"):
        parse_report(_saved(wb), FOUND, CONTRACT)


@pytest.mark.parametrize(
    "data, words",
    [
        (cell_at_the_last_cell(), "declares a used range 16,384 columns wide"),
        (zip_bomb(520), "unpacks to 520.0 MB, over the contract's 500.0 MB"),
        (b"PK\x03\x04 not really a zip", "not a readable .xlsx workbook"),
    ],
    ids=["last-cell", "zip-bomb", "not-a-zip"],  # the workbooks' bytes differ between processes (zip times)
)
def test_limits_are_checked_before_the_sheet_is_parsed(data, words):
    with pytest.raises(DecodeError, match=words.replace("(", r"\(").replace(")", r"\)")):
        parse_report(data, FOUND, CONTRACT)
