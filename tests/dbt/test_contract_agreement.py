"""Facts written once must agree where another layer names them: the indicator seed against the
formula macro, and the macros' list of form datasets against the contract."""

from __future__ import annotations

import csv

import pytest

from tthc.contract.datasets import load_contract
from tthc.settings import DBT_PROJECT_DIR

FORMULAS_SQL = """
{% for f in indicator_formulas() %}
select '{{ f.code }}' as indicator_code, '{{ f.dataset }}' as dataset,
       '{{ 'count' if f.denominator is none else 'ratio' }}' as unit
{{ 'union all' if not loop.last }}
{% endfor %}
"""
DATASETS_SQL = """
{% for d in form_datasets() %}
select '{{ d }}' as dataset {{ 'union all' if not loop.last }}
{% endfor %}
"""


@pytest.fixture()
def show(dbt_show):
    return lambda sql: set(dbt_show(sql))


def test_indicator_seed_and_formulas_agree_on_dataset_and_unit(show):
    with open(DBT_PROJECT_DIR / "seeds" / "indicators.csv", encoding="utf-8") as f:
        seed = {(r["indicator_code"], r["dataset"], r["unit"]) for r in csv.DictReader(f)}
    computed = {row for row in seed if row[1]}  # the others are only ever reported, never computed
    assert show(FORMULAS_SQL) == computed


def test_every_form_dataset_of_the_contract_has_indicators_and_findings(show):
    """form_datasets() (dbt, written out for parse time) names the forms of the contract, which
    indicator_datasets(), the compiled reports and the units' reports read."""
    assert {d for (d,) in show(DATASETS_SQL)} == set(load_contract().form_datasets)


def test_every_computed_indicator_is_a_metric_of_its_kind():
    """The metrics layer (_marts__metrics.yml) names each computed indicator of the seed: a ratio
    as a ratio of the indicator's summed parts, a count as a sum, labelled with its English name."""
    import yaml

    with open(DBT_PROJECT_DIR / "seeds" / "indicators.csv", encoding="utf-8") as f:
        computed = {r["indicator_code"]: r for r in csv.DictReader(f) if r["dataset"]}
    layer = yaml.safe_load((DBT_PROJECT_DIR / "models" / "marts" / "_marts__metrics.yml").read_text(encoding="utf-8"))
    metrics = {m["name"]: m for m in layer["metrics"] if m["name"] not in ("indicator_numerator", "indicator_denominator")}
    assert set(metrics) == set(computed)
    for code, metric in metrics.items():
        names_the_indicator = f"{{{{ Dimension('indicator_part__indicator') }}}} = '{code}'"
        assert metric["label"] == computed[code]["name_en"]
        if computed[code]["unit"] == "ratio":
            assert metric["type"] == "ratio"
            assert metric["type_params"]["numerator"] == {"name": "indicator_numerator", "filter": names_the_indicator}
            assert metric["type_params"]["denominator"] == {"name": "indicator_denominator", "filter": names_the_indicator}
        else:
            assert (metric["type"], metric["type_params"], metric["filter"]) == (
                "simple", {"measure": "numerator_sum"}, names_the_indicator)
