"""The run summary, written once: the terminal (`tthc run`), the Prefect artifact and the report page
all show these lines, rendered from the run record (tthc/runs/runlog.py)."""

from __future__ import annotations

from typing import Any

FILE_STATUSES = ("loaded", "duplicate", "redelivered", "missing", "superseded", "refused", "rejected")


def headline_value(row: dict[str, Any]) -> str:
    """33.38% (518 / 1,552) for a ratio, 1,126,219 for a count."""
    if row["value"] is None:
        return "not computable"
    if row["unit"] == "ratio":
        return f"{row['value']:.2%} ({row['numerator']:,} / {row['denominator']:,})"
    return f"{row['value']:,.0f}"


def summary_lines(record: dict[str, Any]) -> list[str]:
    """What a run did, in a few lines: files, tests, timings and headline indicators."""
    if record.get("unchanged"):
        return [record["unchanged"]]
    where = "the PostgreSQL target" if record.get("target") == "postgres" else record["warehouse"]
    published = f"published to {where}" if record["published"] else "NOT published"
    counts: dict[str, int] = {status: 0 for status in FILE_STATUSES}
    for f in record["files"]:
        counts[f["status"]] = counts.get(f["status"], 0) + 1
    lines = [f"Run {record['run_id']}: {published}"]
    if record.get("error"):
        lines.append(f"  failed: {record['error']}")
    lines += ["Files: " + ", ".join(f"{n} {s}" for s, n in counts.items())]
    if record.get("withdrawal"):
        lines.append(f"Withdrawn: {record['withdrawal']}")
    lines += [
        f"  {f['status']}: {f['path']}: {f['reason']}"
        for f in record["files"] if f["status"] in ("refused", "rejected", "missing", "redelivered")
    ]
    tests = [t["status"] for t in record["tests"]]
    if record.get("error") and not tests:
        lines.append("Tests: none ran (the run failed first)")
    elif record["build_skipped"]:
        lines.append("Tests: dbt build skipped (nothing new was loaded and the dbt project is unchanged)")
    else:
        failed = tests.count("fail") + tests.count("error")
        built = " ".join(record.get("build_selection") or []) or "every node"
        lines.append(f"Tests: {tests.count('pass')} passed, {tests.count('warn')} warned, {failed} failed (built: {built})")
    lines += [f"  failed: {err}" for err in record["build_errors"]]
    alerts = record.get("alerts") or {}
    if alerts.get("messages"):
        lines.append(f"Alerts: {len(alerts['messages'])} message(s) to TTHC_NOTIFY")
    lines += [f"  alert not delivered: {error}" for error in alerts.get("errors", [])]
    if record["timings"]:
        lines.append("Timings: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in record["timings"].items()))
    if record.get("headline"):
        lines.append("Headline indicators:")
        lines += [f"  {h['province_code']} {h['period']} {h['indicator_code']}: {headline_value(h)}" for h in record["headline"]]
    return lines


def summary_markdown(record: dict[str, Any]) -> str:
    """The Prefect artifact: the same lines under the run's title."""
    return f"# TTHC run {record['run_id']}\n\n```\n" + "\n".join(summary_lines(record)) + "\n```\n"
