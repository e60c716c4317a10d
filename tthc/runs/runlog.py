"""The run log: what each run did, kept outside the published warehouse so that a failed run's
tests and findings can be read too. One JSON file per run under warehouse/runs/."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import psycopg

from tthc.runs.history import FINDING_HISTORY_SQL, TEST_HISTORY_SQL
from tthc.settings import Settings

FINDINGS_SQL = """
    select severity, check_code, dataset, province_code, period, source_file, line_number,
           column_name, cell, message, message_vi, expected_value, actual_value
    from marts.data_quality_findings
    order by province_code, period, severity, source_file, line_number
"""
# The report models (dbt_project/models/marts/report/) hold the joins, filters and ranks; here only
# their order. Every mart's run_id is left out of the rows: the record names its run once.
INDICATORS_SQL = """
    select * from marts.report_indicators
    order by province_code, period, unit desc, indicator_code
"""
SUBMISSIONS_SQL = """
    select * from marts.report_submissions
    order by period, dataset, province_code
"""
RECONCILIATION_SQL = """
    select province_code, period, indicator_code, reported_text, reported_value, computed_value, status
    from marts.indicator_reconciliation
    order by province_code, period, indicator_code
"""

# The Decision 766 index, per province: each group's latest score, the rank over national
# snapshots, the ten weakest units of each group, and the portal against the reports.
INDEX766_GROUPS_SQL = """
    select * from marts.report_index766_groups
    order by province_code, group_position
"""
INDEX766_RANKS_SQL = """
    select province_code, unit_name, period, snapshot_date, rank, provinces_ranked, score
    from marts.index766_province_ranks
    where group_code = 'TOTAL'
    order by province_code, period, snapshot_date
"""
INDEX766_WEAKEST_SQL = """
    select * from marts.report_index766_weakest_units
    order by province_code, group_position, unit_position
"""
INDEX766_MOVEMENT_SQL = """
    select * from marts.report_index766_movement order by province_code, period, group_code
"""
INDEX766_LOSSES_SQL = """
    select * from marts.report_index766_unit_losses order by province_code, period, group_code, loss_position
"""
INDEX766_VS_REPORTS_SQL = """
    select province_code, period, snapshot_date, report_source, status, portal_received, portal_on_time,
           portal_ratio, report_received, report_resolved, report_on_time, report_ratio,
           portal_period_start, portal_period_end, report_period_start, report_period_end,
           portal_definition, report_definition
    from marts.index766_vs_reports
    order by province_code, period, report_source
"""

UNIT_SUBMISSIONS_SQL = """
    select * from marts.report_unit_submissions
    order by province_code, period, dataset, level, unit_code
"""
COMPILED_VS_SUBMITTED_SQL = """
    select dataset, province_code, period, column_name, submitted_file, submitted_value, compiled_value, status
    from marts.compiled_vs_submitted
    order by province_code, period, dataset, column_position
"""
TRENDS_SQL = """
    select * from marts.report_trends
    order by province_code, indicator_code, period_end, period
"""


def _rows(query: Callable[[str], list[dict[str, Any]]], sql: str) -> list[dict[str, Any]]:
    """Rows as dicts; empty when the marts were not built (a failed run, on either target) or the
    reader's role may not read them."""
    try:
        return [{k: v for k, v in row.items() if k != "run_id"} for row in query(sql)]
    except (duckdb.Error, psycopg.Error):
        return []


def collect_marts(query: Callable[[str], list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """What the run log keeps of the marts the run built. `query`: a statement's rows as dicts, on
    the run's own connection, or a reader's (as its role, under its row security)."""
    return {
        "findings": _rows(query, FINDINGS_SQL),
        "indicators": _rows(query, INDICATORS_SQL),
        "submissions": _rows(query, SUBMISSIONS_SQL),
        "reconciliation": _rows(query, RECONCILIATION_SQL),
        "index766_groups": _rows(query, INDEX766_GROUPS_SQL),
        "index766_ranks": _rows(query, INDEX766_RANKS_SQL),
        "index766_weakest": _rows(query, INDEX766_WEAKEST_SQL),
        "index766_vs_reports": _rows(query, INDEX766_VS_REPORTS_SQL),
        "index766_movement": _rows(query, INDEX766_MOVEMENT_SQL),
        "index766_unit_losses": _rows(query, INDEX766_LOSSES_SQL),
        "trends": _rows(query, TRENDS_SQL),
        "unit_submissions": _rows(query, UNIT_SUBMISSIONS_SQL),
        "compiled_vs_submitted": _rows(query, COMPILED_VS_SUBMITTED_SQL),
        "test_history": _rows(query, TEST_HISTORY_SQL),
        "finding_history": _rows(query, FINDING_HISTORY_SQL),
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
        "log_file": str(outcome.log_file) if outcome.log_file is not None else None,
        "invocation_id": outcome.build.invocation_id,
        "tests": [asdict(t) for t in outcome.build.tests],
        "headline": [dict(zip(HEADLINE_COLUMNS, row)) for row in outcome.headline],
        **outcome.marts,
    }
    return as_json_data(record)


def as_json_data(record: dict[str, Any]) -> dict[str, Any]:
    """A record as the run log keeps it: dates as ISO text, every value JSON's own."""
    return json.loads(json.dumps(record, ensure_ascii=False, default=_default))


@contextmanager
def logged_to(path: Path) -> Iterator[Path]:
    """Every INFO record of the run (Prefect's, dbt's, ours, the progress) also goes to `path`,
    the run's log file, for the duration of the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    ours = logging.getLogger("tthc")
    level = ours.level
    ours.setLevel(logging.INFO)
    logging.getLogger().addHandler(handler)
    try:
        yield path
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
        ours.setLevel(level)


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
