"""The run summary, written once: the terminal (`tthc run`), the Prefect artifact and the report page
all show these lines, rendered from the run record (tthc/runs/runlog.py)."""

from __future__ import annotations

from typing import Any

from tthc.contract.provinces import named

FILE_STATUSES = ("loaded", "duplicate", "redelivered", "missing", "superseded", "refused", "rejected")
# The statuses in Vietnamese, as the report page writes them.
STATUS_VI = {"loaded": "đã nạp", "duplicate": "trùng", "redelivered": "gửi lại", "missing": "thiếu",
             "superseded": "bị thay", "refused": "từ chối", "rejected": "loại"}


def headline_value(row: dict[str, Any]) -> str:
    """33.38% (518 / 1,552) for a ratio, 1,126,219 for a count."""
    if row["value"] is None:
        return "không tính được / not computable"
    if row["unit"] == "ratio":
        return f"{row['value']:.2%} ({row['numerator']:,} / {row['denominator']:,})"
    return f"{row['value']:,.0f}"


def summary_lines(record: dict[str, Any]) -> list[str]:
    """What a run did, in a few lines: files, tests, timings and headline indicators."""
    if record.get("unchanged"):
        return [record["unchanged"]]
    where = "the PostgreSQL target" if record.get("target") == "postgres" else record["warehouse"]
    published = f"published to {where}" if record["published"] else "NOT published"
    vi = "đã công bố" if record["published"] else "CHƯA công bố"
    lines = [f"Lần chạy {record['run_id']}: {vi} / Run {record['run_id']}: {published}"]
    if record.get("error"):
        lines.append(f"  thất bại / failed: {record['error']}")
    if "files" in record:  # a record read from the published warehouse has no files: they are the loader's
        counts: dict[str, int] = {status: 0 for status in FILE_STATUSES}
        for f in record["files"]:
            counts[f["status"]] = counts.get(f["status"], 0) + 1
        lines += ["Tệp: " + ", ".join(f"{n} {STATUS_VI[s]}" for s, n in counts.items() if s in STATUS_VI)]
        lines += ["Files: " + ", ".join(f"{n} {s}" for s, n in counts.items())]
    if record.get("withdrawal"):
        lines.append(f"Đã rút / Withdrawn: {record['withdrawal']}")
    lines += [
        f"  {f['status']}: {f['path']}: {f['reason']}"
        for f in record.get("files", []) if f["status"] in ("refused", "rejected", "missing", "redelivered")
    ]
    tests = [t["status"] for t in record["tests"]]
    if record.get("error") and not tests:
        lines.append("Kiểm thử: không chạy (lần chạy thất bại trước) / Tests: none ran (the run failed first)")
    elif record["build_skipped"]:
        lines.append("Kiểm thử: không dựng lại (không có gì mới) / "
                     "Tests: dbt build skipped (nothing new was loaded and the dbt project is unchanged)")
    else:
        failed = tests.count("fail") + tests.count("error")
        built = " ".join(record.get("build_selection") or []) or "every node"
        lines.append(f"Kiểm thử: {tests.count('pass')} đạt, {tests.count('warn')} cảnh báo, {failed} lỗi / "
                     f"Tests: {tests.count('pass')} passed, {tests.count('warn')} warned, {failed} failed (built: {built})")
    lines += [f"  lỗi / failed: {err}" for err in record["build_errors"]]
    alerts = record.get("alerts") or {}
    if alerts.get("messages"):
        lines.append(f"Cảnh báo đã gửi / Alerts: {len(alerts['messages'])} message(s) to TTHC_NOTIFY")
    if alerts.get("contacts"):
        lines.append(f"Cảnh báo tới địa chỉ của tỉnh / Alerts to the provinces' contacts: {', '.join(alerts['contacts'])}")
    lines += [f"  không gửi được / alert not delivered: {error}" for error in alerts.get("errors", [])]
    if record.get("timings"):
        lines.append("Thời gian / Timings: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in record["timings"].items()))
    if record.get("headline"):
        lines.append("Chỉ tiêu chính / Headline indicators:")
        lines += [f"  {named(h['province_code'])} {h['period']} {h['indicator_code']}: {headline_value(h)}"
                  for h in record["headline"]]
    if record.get("log_file"):
        lines.append(f"Nhật ký / Log: {record['log_file']}")
    return lines


def summary_markdown(record: dict[str, Any]) -> str:
    """The Prefect artifact: the same lines under the run's title."""
    return f"# TTHC run {record['run_id']}\n\n```\n" + "\n".join(summary_lines(record)) + "\n```\n"
