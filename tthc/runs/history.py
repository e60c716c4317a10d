"""Tests and findings over the published runs, as `tthc results --history` prints them: read from
marts.test_history and marts.finding_history (the report site reads the same queries)."""

from __future__ import annotations

from collections import Counter
from typing import Any

TEST_HISTORY_SQL = """
    select test_name, model, severity, history_status, latest_status, latest_failures,
           failing_since_run_id, failing_since, recent_statuses, recent_runs
    from marts.test_history
    order by case history_status when 'new' then 1 when 'chronic' then 2 when 'resolved' then 3 else 4 end,
             test_name
"""
FINDING_HISTORY_SQL = """
    select history_status, severity, check_code, province_code, period, source_file, line_number,
           column_name, message, first_run_id, first_seen_at, last_run_id, runs_held
    from marts.finding_history
    order by case history_status when 'new' then 1 when 'chronic' then 2 else 3 end,
             province_code, period, source_file, line_number
"""
HISTORY_STATUSES = ("new", "chronic", "resolved")


def history_lines(tests: list[dict[str, Any]], findings: list[dict[str, Any]]) -> list[str]:
    """Tests that fail or stopped failing, and every finding, each with when it started."""
    runs = max((t["recent_runs"] for t in tests), default=0)
    counts = Counter(t["history_status"] for t in tests)
    lines = [f"Test history over the last {runs} published run(s), oldest first: "
             + ", ".join(f"{counts[s]} {s}" for s in (*HISTORY_STATUSES, "passing"))]
    for t in tests:
        if t["history_status"] == "passing":
            continue
        since = f", failing since run {t['failing_since_run_id']}" if t["history_status"] != "resolved" else ""
        lines.append(f"  {t['history_status']}: {t['test_name']} on {t['model'] or '-'} "
                     f"({t['severity']}; {t['latest_status']}{since}): {t['recent_statuses']}")
    counts = Counter(f["history_status"] for f in findings)
    lines.append("Finding history: " + ", ".join(f"{counts[s]} {s}" for s in HISTORY_STATUSES))
    for f in findings:
        where = f["source_file"] + (f", line {f['line_number']}" if f["line_number"] is not None else "")
        seen = f"since run {f['first_run_id']}" if f["history_status"] != "resolved" else f"last in run {f['last_run_id']}"
        lines.append(f"  {f['history_status']}: {f['severity']} {f['check_code']}, {where} ({seen}): {f['message']}")
    return lines
