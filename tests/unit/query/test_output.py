"""Query output: what a spreadsheet would run is neutralised, and piped tables stay plain text."""

from __future__ import annotations

import io

from tthc.query.sql import Result, write_csv, write_table


def _result() -> Result:
    return Result(["province", "value"], ["VARCHAR", "DOUBLE"], iter([[("=HYPERLINK(\"x\")", 0.5), ("Quảng Ninh", None)]]))


def test_csv_cells_that_a_spreadsheet_would_run_are_prefixed():
    out = io.StringIO()
    write_csv(_result(), out)
    assert "'=HYPERLINK" in out.getvalue() and "Quảng Ninh" in out.getvalue()


def test_a_piped_table_is_plain_aligned_text():
    out = io.StringIO()
    write_table(_result(), out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["province", "value"] and set(lines[1]) <= {"-", " "} and "NULL" in lines[3]
    assert "\x1b" not in out.getvalue()
