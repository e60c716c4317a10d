"""The metrics layer answers as the marts do: every indicator by province and period from
`tthc metrics` is marts.province_indicators' value, exactly; a ratio over several reports is
the ratio of the summed parts, never an average of ratios."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, PROJECT_ROOT, warehouse_rows

# Bắc Giang's 2021 report split by level, the levels adding up to its total row
BY_LEVEL = ("Đơn vị,Tổng số hồ sơ tiếp nhận,Trước hạn,Đúng hạn,Giải quyết quá hạn\nTổng cộng,100,30,50,10\n"
            "Cấp tỉnh,,,,\nSở Tư pháp,60,20,30,5\nCấp xã,,,,\nXã A,40,10,20,5\n")


def metrics(warehouse: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tthc.cli.main", "metrics", "--warehouse", str(warehouse), *args],
                          capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300)


def indicator_metrics(warehouse: Path) -> list[str]:
    listed = metrics(warehouse, "--list")
    assert listed.returncode == 0, listed.stderr
    names = listed.stdout.splitlines()[0].removeprefix("metrics: ").split(", ")
    return [n for n in names if n not in ("indicator_numerator", "indicator_denominator")]


def assert_metrics_match_province_indicators(warehouse: Path) -> int:
    """Every metric by province and period against the mart; returns the values compared."""
    names = indicator_metrics(warehouse)
    answered = metrics(warehouse, "--metrics", ",".join(names), "--group-by", "province,period", "--format", "json")
    assert answered.returncode == 0, answered.stderr
    from_layer = {(row["province"], row["period"], name): row[name]
                  for row in json.loads(answered.stdout) for name in names if row[name] is not None}
    from_mart = {(p, period, code): value for p, period, code, value in warehouse_rows(
        warehouse, "select province_code, period, indicator_code, value from marts.province_indicators where value is not null")}
    assert from_layer == from_mart
    return len(from_mart)


def test_every_indicator_of_every_province_and_period_is_the_marts(shipped_run):
    assert assert_metrics_match_province_indicators(shipped_run.warehouse) == 21  # every value the shipped reports give


def test_the_on_time_rate_by_province_and_period_as_the_issue_asks(shipped_run):
    answered = metrics(shipped_run.warehouse, "--metrics", "dossier_on_time_rate", "--group-by", "province,period",
                       "--format", "csv")
    assert answered.returncode == 0, answered.stderr
    lines = answered.stdout.lstrip("\ufeff").splitlines()
    assert lines[0] == "province,period,dossier_on_time_rate"
    assert lines[1] == "22,2020,0.9974365554124021"  # 1,123,332 / 1,126,219


def test_a_ratio_across_reports_is_the_ratio_of_the_summed_parts(shipped_run):
    answered = metrics(shipped_run.warehouse, "--metrics", "dossier_on_time_rate,dossiers_received", "--format", "json")
    assert answered.returncode == 0, answered.stderr
    (row,) = json.loads(answered.stdout)
    numerator, denominator, received = warehouse_rows(shipped_run.warehouse, """
        select sum(numerator) filter (where indicator_code = 'dossier_on_time_rate'),
               sum(denominator) filter (where indicator_code = 'dossier_on_time_rate'),
               sum(numerator) filter (where indicator_code = 'dossiers_received')
        from marts.province_indicators""")[0]
    assert row == {"dossier_on_time_rate": numerator / denominator, "dossiers_received": received}


def test_a_question_the_layer_cannot_answer_says_why(shipped_run):
    unknown = metrics(shipped_run.warehouse, "--metrics", "on_time", "--group-by", "province")
    assert unknown.returncode == 1 and "no metric on_time; the metrics are: announcement_decisions" in unknown.stderr
    wrong = metrics(shipped_run.warehouse, "--metrics", "dossier_on_time_rate", "--group-by", "provinces")
    assert wrong.returncode == 1 and "no dimension provinces; the dimensions are: dataset" in wrong.stderr


def test_the_layer_reads_the_warehouse_on_the_terms_of_tthc_query(shipped_run):
    """The SQL MetricFlow writes runs on `tthc query`'s connection: no files outside the warehouse."""
    where = "{{ Dimension('indicator_part__province') }} = '22' or (select count(*) from read_csv('/etc/passwd')) > 0"
    answered = metrics(shipped_run.warehouse, "--metrics", "dossier_on_time_rate", "--group-by", "province", "--where", where)
    assert answered.returncode == 1 and "disabled" in answered.stderr.lower(), answered.stderr


@pytest.fixture(scope="module")
def by_level(prefect_server, tmp_path_factory):
    """A report whose levels add up to its total, and one whose do not (the corpus's 46_2021)."""
    from tthc.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("levels")
    (root / "raw" / "dossier_results").mkdir(parents=True)
    (root / "raw" / "dossier_results" / "24_2021.csv").write_text(BY_LEVEL, encoding="utf-8")
    shutil.copyfile(CORPUS / "dossier_results" / "46_2021.csv", root / "raw" / "dossier_results" / "46_2021.csv")
    outcome = run_pipeline(raw_dir=str(root / "raw"), warehouse=str(root / "wh" / "tthc.duckdb"))
    assert outcome.published
    yield outcome.warehouse
    shutil.rmtree(root)


def test_a_figure_splits_by_level_only_where_the_levels_add_up_to_it(by_level):
    answered = metrics(by_level, "--metrics", "dossier_on_time_rate,dossiers_received", "--group-by", "province,level",
                       "--format", "json")
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout) == [
        {"province": "24", "level": "commune", "dossier_on_time_rate": 30 / 35, "dossiers_received": 40},
        {"province": "24", "level": "province", "dossier_on_time_rate": 50 / 55, "dossiers_received": 60},
        # Xã A and Xã B (50) do not add up to the total (60): the figure stays whole
        {"province": "46", "level": None, "dossier_on_time_rate": None, "dossiers_received": 60},
    ]
    assert_metrics_match_province_indicators(by_level)
