"""The run log: what each run did, kept outside the published warehouse so that a failed run's
tests and findings can be read too. One JSON file per run under warehouse/runs/."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import psycopg

from tthc.runs.history import FINDING_HISTORY_SQL, TEST_HISTORY_SQL
from tthc.settings import Settings
from tthc.warehouse.base import rows_as_dicts

FINDINGS_SQL = """
    select severity, check_code, dataset, province_code, period, source_file, line_number,
           column_name, cell, message, message_vi, expected_value, actual_value
    from marts.data_quality_findings
    order by province_code, period, severity, source_file, line_number
"""
INDICATORS_SQL = """
    select i.province_code, i.province_name, i.period, i.indicator_code, d.name_vi, d.name_en,
           i.numerator, i.denominator, i.value, i.unit
    from marts.province_indicators as i
    join marts.dim_indicators as d using (indicator_code)
    order by i.province_code, i.period, i.unit desc, i.indicator_code
"""
# The run's year only: the calendar expects every report since its first year, and the page shows this year's.
SUBMISSIONS_SQL = """
    select period, dataset, province_code, province_name, status, current_file, versions_delivered, files_turned_away,
           due_date, timeliness
    from marts.submissions
    where extract(year from period_end) = extract(year from (select as_of from audit.current_run))
    order by period, dataset, province_code
"""
RECONCILIATION_SQL = """
    select province_code, period, indicator_code, reported_text, reported_value, computed_value, status
    from marts.indicator_reconciliation
    order by province_code, period, indicator_code
"""

# The Decision 766 index, per province: each group's latest score (the province's own capture or
# the national file's, whichever is later), the rank over national snapshots, the ten weakest
# units of each group in the latest capture with the metric that loses them most points, and the
# portal against the reports.
INDEX766_GROUPS_SQL = """
    with candidates as (
        select province_code, group_code, period, snapshot_date, score, max_score
        from marts.index766_scores
        where unit_level = 'province' and scope <> '00' and metric_code = 'TOTAL'
        union all
        select province_code, group_code, period, snapshot_date, score, max_score
        from marts.index766_province_ranks
        where group_code <> 'TOTAL'
    ),
    latest as (
        select *, row_number() over (partition by province_code, group_code order by period desc, snapshot_date desc) as n
        from candidates
    )
    select latest.province_code, latest.group_code, g.name_vi, g.name_en, latest.period, latest.snapshot_date,
           latest.score, coalesce(latest.max_score, g.max_score) as max_score
    from latest
    join reference.index766_groups as g using (group_code)
    where latest.n = 1
    order by latest.province_code, g.position
"""
INDEX766_RANKS_SQL = """
    select province_code, unit_name, period, snapshot_date, rank, provinces_ranked, score
    from marts.index766_province_ranks
    where group_code = 'TOTAL'
    order by province_code, period, snapshot_date
"""
INDEX766_WEAKEST_SQL = """
    with latest as (
        select scope, group_code, max(snapshot_date) as snapshot_date
        from marts.index766_scores where scope <> '00' group by scope, group_code
    ),
    unit_rows as (
        select s.* from marts.index766_scores as s join latest using (scope, group_code, snapshot_date)
        where s.unit_level in ('department', 'commune')
    ),
    worst as (
        select unit_id, group_code, metric_code, metric_name, max_score - score as points_lost,
               row_number() over (partition by unit_id, group_code order by max_score - score desc, metric_code) as n
        from unit_rows
        where metric_kind = 'scored' and metric_code <> 'TOTAL' and score is not null
    ),
    ranked as (
        select *, row_number() over (partition by province_code, group_code order by score, unit_code) as n
        from unit_rows where metric_code = 'TOTAL' and score is not null
    )
    select ranked.province_code, ranked.group_code, ranked.snapshot_date, ranked.unit_code, ranked.unit_name,
           ranked.unit_level, ranked.score, ranked.max_score, worst.metric_code as worst_metric,
           worst.metric_name as worst_metric_name, worst.points_lost
    from ranked
    left join worst on worst.unit_id = ranked.unit_id and worst.group_code = ranked.group_code and worst.n = 1
    join reference.index766_groups as g on g.group_code = ranked.group_code
    where ranked.n <= 10
    order by ranked.province_code, g.position, ranked.n
"""
INDEX766_VS_REPORTS_SQL = """
    select province_code, period, snapshot_date, report_source, status, portal_received, portal_on_time,
           portal_ratio, report_received, report_resolved, report_on_time, report_ratio,
           portal_period_start, portal_period_end, report_period_start, report_period_end,
           portal_definition, report_definition
    from marts.index766_vs_reports
    order by province_code, period, report_source
"""

# Each province's indicators over its periods, with rank and changes (the site's overview and
# province pages), on the boundaries the reports were written on.
TRENDS_SQL = """
    select t.province_code, t.province_name, t.indicator_code, d.name_vi, d.name_en, t.unit, d.higher_is_better,
           t.period, t.period_type, p.period_end, t.value, t.previous_period, t.change_from_previous,
           t.year_ago_period, t.change_from_year_ago, t.rank, t.provinces_ranked, t.peer_median
    from marts.indicator_trends as t
    join marts.dim_indicators as d using (indicator_code)
    left join marts.dim_periods as p using (period)
    where t.boundaries = 'as_reported'
    order by t.province_code, t.indicator_code, p.period_end, t.period
"""


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    """Rows as dicts; empty when the marts were not built (a failed run, on either target)."""
    try:
        return rows_as_dicts(con, sql)
    except (duckdb.Error, psycopg.Error):
        return []


def collect_marts(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    """What the run log keeps of the marts the run built."""
    return {
        "findings": _rows(con, FINDINGS_SQL),
        "indicators": _rows(con, INDICATORS_SQL),
        "submissions": _rows(con, SUBMISSIONS_SQL),
        "reconciliation": _rows(con, RECONCILIATION_SQL),
        "index766_groups": _rows(con, INDEX766_GROUPS_SQL),
        "index766_ranks": _rows(con, INDEX766_RANKS_SQL),
        "index766_weakest": _rows(con, INDEX766_WEAKEST_SQL),
        "index766_vs_reports": _rows(con, INDEX766_VS_REPORTS_SQL),
        "trends": _rows(con, TRENDS_SQL),
        "test_history": _rows(con, TEST_HISTORY_SQL),
        "finding_history": _rows(con, FINDING_HISTORY_SQL),
    }


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


HEADLINE_COLUMNS = ("province_code", "period", "indicator_code", "value", "numerator", "denominator", "unit")


def run_record(outcome: Any) -> dict[str, Any]:
    """What a run did, as JSON-able data (dates as ISO text): the run log, `tthc results`, the
    summary and the report page all read this. `outcome` is a tthc.pipeline.RunOutcome."""
    record = {
        "run_id": outcome.run_id,
        "flow_run_id": outcome.flow_run_id,
        "published": outcome.published,
        "warehouse": str(outcome.warehouse),
        "target": outcome.target,
        "exit_code": outcome.exit_code,
        "error": outcome.error,
        "withdrawal": outcome.withdrawal.describe() if outcome.withdrawal is not None else None,
        "alerts": outcome.alerts,
        "unchanged": outcome.unchanged.message() if outcome.unchanged is not None else None,
        "files": [
            {"path": e.found.path, "status": e.status, "reason": e.reason, "rows_read": e.rows_read}
            for e in outcome.ingest.entries
        ],
        "build_errors": outcome.build.node_errors,
        "build_skipped": outcome.build.skipped,
        "build_selection": list(outcome.build.selection),
        "timings": outcome.timings,
        "invocation_id": outcome.build.invocation_id,
        "tests": [asdict(t) for t in outcome.build.tests],
        "headline": [dict(zip(HEADLINE_COLUMNS, row)) for row in outcome.headline],
        **outcome.marts,
    }
    return json.loads(json.dumps(record, ensure_ascii=False, default=_default))


def write_run_log(settings: Settings, record: dict[str, Any]) -> Path:
    """Write warehouse/runs/<run_id>.json atomically."""
    runs = settings.runs_dir
    runs.mkdir(parents=True, exist_ok=True)
    target = runs / f"{record['run_id']}.json"
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, target)
    return target


def latest_run_log(settings: Settings) -> dict[str, Any] | None:
    """The newest run's record, whatever its outcome (run ids sort by time)."""
    logs = sorted(settings.runs_dir.glob("*.json")) if settings.runs_dir.exists() else []
    return json.loads(logs[-1].read_text(encoding="utf-8")) if logs else None
