"""Indicators over time and against peers (marts.indicator_trends): the previous period and the
same period a year before, changes as ratios, ranks with the late rate lowest first, the peers'
median and 75th percentile, and a merged province's series on the 2025 boundaries."""

from __future__ import annotations

import pytest

from tests.conftest import warehouse_rows

# feedback handled / received, by province and quarter (26 Vĩnh Phúc became part of 25 Phú Thọ in 2025)
FEEDBACK = {"22_2020-Q3": (4, 2), "22_2021-Q2": (10, 5), "22_2021-Q3": (20, 15), "26_2021-Q3": (8, 8), "24_2021-Q3": (10, 9)}


@pytest.fixture(scope="module")
def trends_warehouse(prefect_server, tmp_path_factory):
    from tthc.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("trends")
    (root / "raw" / "feedback").mkdir(parents=True)
    for name, (received, handled) in FEEDBACK.items():
        (root / "raw" / "feedback" / f"{name}.csv").write_text(
            f"Đơn vị,Số PAKN tiếp nhận,Đã xử lý\nTổng cộng,{received},{handled}\n", encoding="utf-8")
    outcome = run_pipeline(raw_dir=str(root / "raw"), warehouse=str(root / "tthc.duckdb"))
    assert outcome.published
    return outcome.warehouse


def _trend(warehouse, boundaries: str, province: str, period: str, indicator: str = "feedback_resolution_rate") -> tuple:
    return warehouse_rows(
        warehouse, "select value, previous_period, previous_value, change_from_previous, year_ago_period, year_ago_value, "
        "change_from_year_ago, rank, provinces_ranked, peer_median, peer_p75 from marts.indicator_trends "
        "where boundaries = ? and province_code = ? and period = ? and indicator_code = ?",
        [boundaries, province, period, indicator])[0]


def test_a_quarter_is_compared_with_the_quarter_before_and_a_year_before(trends_warehouse):
    value, previous, previous_value, change, year_ago, year_ago_value, year_change, *_ = _trend(
        trends_warehouse, "as_reported", "22", "2021-Q3")
    assert (value, previous, previous_value, year_ago, year_ago_value) == (0.75, "2021-Q2", 0.5, "2020-Q3", 0.5)
    assert change == pytest.approx(0.25) and year_change == pytest.approx(0.25)  # ratios as ratios, not % of %
    count = _trend(trends_warehouse, "as_reported", "22", "2021-Q3", "feedback_received")
    assert count[:4] == (20, "2021-Q2", 10, 10)  # counts as counts


def test_provinces_rank_with_ties_shared_and_peers_described(trends_warehouse):
    ranks = {p: _trend(trends_warehouse, "as_reported", p, "2021-Q3")[7:] for p in ("22", "24", "26")}
    assert {p: r[0] for p, r in ranks.items()} == {"26": 1, "24": 2, "22": 3}  # 1.0, 0.9, 0.75
    assert all(r[1] == 3 for r in ranks.values())
    assert ranks["22"][2] == pytest.approx(0.9) and ranks["22"][3] == pytest.approx(0.95)
    # the late rate is better lower: not reported here, so nothing is ranked for it
    assert warehouse_rows(trends_warehouse, "select count(*) from marts.indicator_trends "
                          "where indicator_code = 'dossier_late_rate'") == [(0,)]


def test_a_merged_province_has_one_series_on_the_2025_boundaries(trends_warehouse):
    # Phú Thọ (25) in 2021-Q3 is Vĩnh Phúc's report (26), recomputed from its sums
    assert _trend(trends_warehouse, "2025", "25", "2021-Q3")[0] == 1.0
    assert warehouse_rows(trends_warehouse, "select count(*) from marts.indicator_trends "
                          "where boundaries = '2025' and province_code = '26'") == [(0,)]
