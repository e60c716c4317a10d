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

from flows.settings import Settings

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


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    """Rows as dicts; empty when the marts were not built (a failed run)."""
    try:
        cur = con.execute(sql)
    except duckdb.Error:
        return []
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def collect_marts(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    """What the run log keeps of the marts the run built."""
    return {
        "findings": _rows(con, FINDINGS_SQL),
        "indicators": _rows(con, INDICATORS_SQL),
        "submissions": _rows(con, SUBMISSIONS_SQL),
        "reconciliation": _rows(con, RECONCILIATION_SQL),
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
    summary and the report page all read this. `outcome` is a flows.pipeline.RunOutcome."""
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
