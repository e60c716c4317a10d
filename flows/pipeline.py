"""The flow users run: ingest → transform → test → publish."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.runtime import flow_run

from flows.changes import Unchanged, known_hashes, project_hash, raw_files, record_raw_state, unchanged_since_publish
from flows.ingest.flow import IngestSummary, ingest
from flows.publish import discard, prepare_work_file, publish, publish_file, writer_lock
from flows.report import write_report_page
from flows.runlog import collect_marts, write_run_log
from flows.settings import load_settings
from flows.transform import (
    BuildOutcome,
    build_is_current,
    generate_docs,
    record_build,
    run_dbt_build,
    store_test_results,
)
from flows.warehouse import connect

HEADLINE_SQL = """
    select province_code, period, indicator_code, value, numerator, denominator, unit
    from marts.province_indicators
    where indicator_code in ('dossier_on_time_rate', 'national_portal_integration_rate', 'one_stop_coverage_rate',
                             'feedback_resolution_rate', 'dossiers_received')
    order by province_code, period, indicator_code
"""


@dataclass
class RunOutcome:
    run_id: str
    ingest: IngestSummary
    build: BuildOutcome
    published: bool
    warehouse: Path
    headline: list[tuple] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step of the flow
    unchanged: Unchanged | None = None  # nothing new since this published run: nothing done
    flow_run_id: str | None = None  # the Prefect flow run, where each file and dbt node is a task run

    @property
    def exit_code(self) -> int:
        """0: all files taken in; 3: published, but some refused or rejected; 1: failed."""
        if self.unchanged is not None:
            return self.unchanged.exit_code
        if not self.published:
            return 1
        return 3 if self.ingest.not_taken else 0


@task(cache_policy=NONE)
def settle_statuses(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, tuple[str, str | None]]:
    """Files this run loaded whose content has an error finding are rejected (with the first finding);
    those that are not the version in use are superseded. Returns {path: (status, reason)} of the changes."""
    rows = con.execute(
        """
        select
            log.file_path,
            v.is_rejected,
            first(
                coalesce('line ' || f.line_number || ': ', '') || f.message
                order by f.line_number nulls last, f.column_name
            ) as first_error
        from audit.ingest_log as log
        join intermediate.int_report_versions as v
            on v.file_path = log.file_path and v.file_sha256 = log.file_sha256
        left join intermediate.int_findings as f
            on f.file_path = v.file_path and f.file_sha256 = v.file_sha256 and f.severity = 'error'
        where log.load_id = ? and log.status = 'loaded' and not v.is_current
        group by log.file_path, v.is_rejected
        """,
        [run_id],
    ).fetchall()
    changes = {
        path: ("rejected", f"{path}, {first_error}") if rejected else ("superseded", "a newer revision of this report is in use")
        for path, rejected, first_error in rows
    }
    for path, (status, reason) in changes.items():
        con.execute(
            "update audit.ingest_log set status = ?, reason = ? where load_id = ? and file_path = ?",
            [status, reason, run_id, path],
        )
    return changes


def _summary_markdown(outcome: RunOutcome) -> str:
    ing, b = outcome.ingest, outcome.build
    lines = [
        f"# TTHC run {outcome.run_id}",
        f"**{'Published' if outcome.published else 'Not published'}** to `{outcome.warehouse}`",
        "",
        "| files loaded | duplicate | superseded | refused | rejected |",
        "|---|---|---|---|---|",
        f"| {ing.count('loaded')} | {ing.count('duplicate')} | {ing.count('superseded')} | {ing.count('refused')} | {ing.count('rejected')} |",
        "",
        "dbt build skipped: nothing new." if b.skipped else
        f"Tests: {b.count('pass')} passed, {b.count('warn')} warned, {b.count('fail') + b.count('error')} failed.",
        "",
        "| province | period | indicator | value |",
        "|---|---|---|---|",
    ]
    for province, period, code, value, num, den, unit in outcome.headline:
        shown = "—" if value is None else (f"{value:.2%} ({num:,}/{den:,})" if unit == "ratio" else f"{value:,.0f}")
        lines.append(f"| {province} | {period} | {code} | {shown} |")
    if ing.not_taken:
        lines += ["", "## Not taken in", *[f"- `{e.found.path}` ({e.status}): {e.reason}" for e in ing.not_taken]]
    if b.node_errors:
        lines += ["", "## Build failures", *[f"- {e}" for e in b.node_errors]]
    return "\n".join(lines)


@flow(name="tthc-run")
def run_pipeline(raw_dir: str | None = None, warehouse: str | None = None, wait_for_lock: bool = False) -> RunOutcome:
    """Load every report under the raw directory, build and test the marts, publish if they pass."""
    logger = get_run_logger()
    settings = load_settings(raw_dir, warehouse)
    run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    timings: dict[str, float] = {}
    with writer_lock(settings, wait=wait_for_lock):
        project, raw_now = project_hash(), raw_files(settings.raw_dir)
        if (unchanged := unchanged_since_publish(settings, raw_now, project)) is not None:
            logger.info("%s", unchanged.message())
            create_markdown_artifact(key="tthc-run-summary", markdown=f"# TTHC run {run_id}\n{unchanged.message()}")
            return RunOutcome(
                run_id, IngestSummary([]), BuildOutcome.not_needed(), False, settings.warehouse,
                unchanged=unchanged, flow_run_id=flow_run.id,
            )
        with _timed(timings, "copy"):
            work = prepare_work_file(settings)
        con = connect(work)
        try:
            with _timed(timings, "ingest"):
                summary = ingest(con, settings.raw_dir, run_id, known_hashes(con, raw_now))
            nothing_loaded = summary.count("loaded") == 0 and build_is_current(con, project)
        finally:
            con.close()
        with _timed(timings, "dbt build"):
            if nothing_loaded:
                logger.info("nothing new was loaded and the dbt project is unchanged: the published marts stand")
                build = BuildOutcome.not_needed()
            else:
                build = run_dbt_build(work, settings.dbt_target_dir, run_id)
        con = connect(work)
        try:
            with _timed(timings, "results"):
                if build.success and not build.skipped:
                    record_build(con, run_id, project)
                store_test_results(con, build)
                settled = settle_statuses(con, run_id) if build.success else {}
                summary = _settled(summary, settled)
                record_raw_state(con, raw_now, {e.found.path: (e.status, e.sha256) for e in summary.entries}, run_id)
                headline = con.execute(HEADLINE_SQL).fetchall() if build.success else []
                marts = collect_marts(con)
        finally:
            con.close()
        for path, (status, reason) in settled.items():
            logger.warning("%s: %s (%s)", path, status, reason)
        if build.success:
            docs = None
            with _timed(timings, "docs"):
                try:
                    if not build.skipped:
                        docs = generate_docs(work, settings.dbt_target_dir, run_id)
                except RuntimeError as err:  # the data passed its tests: publish it, without fresh docs
                    logger.error("%s; the docs page keeps the previous version", err)
            with _timed(timings, "publish"):
                publish(work, settings)
                if docs is not None:
                    publish_file(docs, settings.docs_page)
        else:
            discard(work)
    outcome = RunOutcome(run_id, summary, build, build.success, settings.warehouse, headline, timings, flow_run_id=flow_run.id)
    write_report_page(write_run_log(settings, outcome, marts), settings.report_page)
    create_markdown_artifact(key="tthc-run-summary", markdown=_summary_markdown(outcome), description="TTHC run summary")
    return outcome


@contextmanager
def _timed(timings: dict[str, float], step: str) -> Iterator[None]:
    """Record how long a step of the run took (the run log and `tthc run` show it)."""
    started = time.monotonic()
    try:
        yield
    finally:
        timings[step] = round(time.monotonic() - started, 2)


def _settled(summary: IngestSummary, settled: dict[str, tuple[str, str | None]]) -> IngestSummary:
    """The ingest summary with the statuses the build settled."""
    return IngestSummary([
        replace(e, status=settled[e.found.path][0], reason=settled[e.found.path][1]) if e.found.path in settled else e
        for e in summary.entries
    ])
