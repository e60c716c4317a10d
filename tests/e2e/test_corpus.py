"""The odd and broken files of tests/corpus, loaded as one raw directory, against the hand-written manifest."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import duckdb
import pytest
import yaml

from tests.conftest import CORPUS, PROJECT_ROOT
from tests.e2e.test_metrics import assert_metrics_match_province_indicators

MANIFEST = yaml.safe_load((CORPUS.parent / "corpus_manifest.yml").read_text(encoding="utf-8"))["files"]


def _report(path: str) -> tuple[str, str, str]:
    dataset, name = path.split("/")
    province, period = name.split(".")[0].split("_")[:2]
    return dataset, province, period


@pytest.fixture(scope="module")
def corpus(corpus_run):
    """The session's run on the corpus (tests/conftest.py), and a read-only connection to its warehouse."""
    con = duckdb.connect(str(corpus_run.warehouse), read_only=True)
    yield corpus_run, con
    con.close()


def test_a_rerun_with_nothing_new_stops_at_once_and_still_exits_3(corpus, tmp_path):
    outcome, _ = corpus
    warehouse = tmp_path / "tthc.duckdb"
    shutil.copyfile(outcome.warehouse, warehouse)
    run = subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", "run", "--raw-dir", str(outcome.warehouse.parent / "raw"), "--warehouse", str(warehouse)],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120,
    )
    assert run.returncode == 3, run.stdout + run.stderr
    assert f"Nothing new since run {outcome.run_id}" in run.stdout and "refused or rejected" in run.stdout
    assert "temporary server" not in run.stdout + run.stderr  # decided before starting Prefect


def test_manifest_covers_every_corpus_file():
    on_disk = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file() or p.is_symlink()}
    assert on_disk == set(MANIFEST)
    assert len(on_disk) >= 30


def test_run_publishes_and_exits_3_for_refusals(corpus):
    outcome, _ = corpus
    assert outcome.published
    assert outcome.exit_code == 3


@pytest.mark.parametrize("path", sorted(MANIFEST))
def test_file_outcome(corpus, path):
    outcome, con = corpus
    expected = MANIFEST[path]
    status, reason, rows_read = con.execute(
        "select status, reason, rows_read from audit.ingest_log where file_path = ?", [path]
    ).fetchone()
    assert status == expected["status"], reason
    for words in expected.get("reason", []):
        assert words in (reason or ""), f"{words!r} not in {reason!r}"
    if "rows" in expected:
        assert rows_read == expected["rows"]
    # the summary printed by `tthc run` carries the same status
    assert {e.found.path: e.status for e in outcome.ingest.entries}[path] == expected["status"]


@pytest.mark.parametrize("path", sorted(p for p, e in MANIFEST.items() if "figures" in e))
def test_loaded_figures(corpus, path):
    _, con = corpus
    _, province, period = _report(path)
    for code, (num, den) in MANIFEST[path]["figures"].items():
        row = con.execute(
            """select numerator, denominator, value, unit from marts.province_indicators
               where province_code = ? and period = ? and indicator_code = ?""",
            [province, period, code],
        ).fetchone()
        assert row is not None, code
        assert (row[0], row[1]) == (num, den), code
        if row[3] == "count":
            assert row[2] == (None if num is None else pytest.approx(num))
        elif num is None or not den:
            assert row[2] is None, code  # not computable: NULL, never 0
        else:
            assert row[2] == pytest.approx(num / den)


@pytest.mark.parametrize("path", sorted(p for p, e in MANIFEST.items() if "findings" in e))
def test_findings(corpus, path):
    _, con = corpus
    found = sorted(
        c for (c,) in con.execute("select check_code from marts.data_quality_findings where source_file = ?", [path]).fetchall()
    )
    assert found == sorted(MANIFEST[path]["findings"])


@pytest.mark.parametrize("path", sorted(p for p, e in MANIFEST.items() if "levels" in e))
def test_levels_from_level_rows(corpus, path):
    _, con = corpus
    levels = dict(con.execute(
        "select unit, level from marts.dossier_results where source_file = ? and row_kind = 'data'", [path]
    ).fetchall())
    assert levels == MANIFEST[path]["levels"]


@pytest.mark.parametrize("path", sorted(p for p, e in MANIFEST.items() if "reconciliation" in e))
def test_reconciliation(corpus, path):
    _, con = corpus
    statuses = dict(con.execute(
        "select indicator_code, status from marts.indicator_reconciliation where source_file = ?", [path]
    ).fetchall())
    assert statuses == MANIFEST[path]["reconciliation"]


def test_rejected_revision_leaves_the_previous_version_current(corpus):
    _, con = corpus
    current = con.execute(
        "select distinct source_file from marts.online_services where province_code = '27' and period = '2021-Q3'"
    ).fetchall()
    assert current == [("online_services/27_2021-Q3.csv",)]


def test_superseded_revision_is_kept_in_raw_but_not_in_marts(corpus):
    _, con = corpus
    assert con.execute("select count(*) from raw.dossier_results where _file_path = 'dossier_results/26_2021-Q3.csv'").fetchone() == (1,)
    assert con.execute(
        "select distinct source_file from marts.dossier_results where province_code = '26'"
    ).fetchall() == [("dossier_results/26_2021-Q3_r1.csv",)]


def test_post_merger_province_name(corpus):
    _, con = corpus
    path = "dossier_results/08_2026-01.csv"
    names = con.execute(
        "select distinct province_name from marts.province_indicators where source_file = ?", [path]
    ).fetchall()
    assert names == [(MANIFEST[path]["province_name"],)]


def test_physical_line_numbers(corpus):
    _, con = corpus
    path = "procedure_control/24_2021.csv"
    lines = [n for (n,) in con.execute("select line_number from marts.procedure_control where source_file = ?", [path]).fetchall()]
    assert lines == MANIFEST[path]["lines"]


def test_every_read_row_is_in_raw_or_in_the_notes(corpus):
    """Nothing lost: for each loaded file, table rows + skipped rows = the file's rows."""
    _, con = corpus
    path = "dossier_results/02_2021.csv"
    table_rows = con.execute("select count(*) from raw.dossier_results where _file_path = ?", [path]).fetchone()[0]
    notes = con.execute(
        "select count(*) from audit.ingest_notes where file_path = ? and line_number is not null", [path]
    ).fetchone()[0]
    assert table_rows + notes == 19  # physical lines of the file


def test_a_formula_without_a_saved_value_is_an_error_naming_its_sheet_and_cell(corpus):
    _, con = corpus
    messages = [m for (m,) in con.execute(
        "select message from marts.data_quality_findings where source_file = 'dossier_results/34_2022.xlsx' order by message"
    ).fetchall()]
    assert len(messages) == 6
    assert any("Biểu II.06b!H7" in m and "a formula with no saved value" in m for m in messages), messages
    cells = dict(con.execute(
        "select column_name, cell from marts.data_quality_findings where source_file = 'dossier_results/34_2022.xlsx'"
    ).fetchall())
    assert cells["received_total"] == "Biểu II.06b!C7" and cells["resolved_late"] == "Biểu II.06b!H7"


def test_a_finding_in_a_csv_file_names_its_line_and_column(corpus):
    _, con = corpus
    cells = {cell for (cell,) in con.execute(
        "select cell from marts.data_quality_findings where check_code = 'invalid_count' and source_file like '%.csv'"
    ).fetchall()}
    assert cells and all(re.fullmatch(r"line \d+, column \d+", c) for c in cells), cells


def test_the_metrics_layer_gives_every_provinces_indicators_exactly(corpus):
    outcome, _ = corpus
    assert assert_metrics_match_province_indicators(outcome.warehouse) > 50
