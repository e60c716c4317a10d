"""The flow users run: prepare → ingest → build → record results → settle → publish → report."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.runtime import flow_run

from tthc import progress
from tthc.alerts.mail import mail_provinces, smtp_of
from tthc.alerts.notify import province_messages, run_messages, send
from tthc.contract.datasets import Contract, load_contract
from tthc.ingest.directory import IngestSummary, ingest
from tthc.ingest.intake import load_contacts
from tthc.ingest.ledger import held_attachments
from tthc.ingest.load import retime_load
from tthc.ingest.read import HashesAhead
from tthc.report.site import write_site
from tthc.runs.calendar import TIMEZONE, as_of_date, as_of_time, write_calendar
from tthc.runs.changes import (
    FileStat,
    Unchanged,
    known_hashes,
    project_hash,
    raw_files,
    record_raw_state,
    unchanged_since_publish,
)
from tthc.runs.results import (
    docs_fingerprint,
    last_build,
    record_build,
    record_findings_seen,
    set_current_run,
    set_datasets_rebuilt,
    settle_statuses,
    store_test_results,
    unbuilt_datasets,
)
from tthc.runs.runlog import collect_marts, latest_run_log, logged_to, run_record, write_run_log
from tthc.runs.summary import summary_markdown
from tthc.runs.withdraw import Withdrawal, record_withdrawal
from tthc.settings import Settings, load_settings
from tthc.transform.dbt import BuildOutcome, build, dbt_session, declared_open, generate_docs
from tthc.transform.selection import EVERYTHING, build_selection, datasets_rebuilt
from tthc.warehouse import target_for
from tthc.warehouse.base import Target, publish_file, rows_as_dicts
from tthc.warehouse.schema import ensure_warehouse

HEADLINE_SQL = """
    select province_code, period, indicator_code, value, numerator, denominator, unit
    from marts.province_indicators
    where indicator_code in ('dossier_on_time_rate', 'national_portal_integration_rate', 'one_stop_coverage_rate',
                             'feedback_resolution_rate', 'dossiers_received')
    order by province_code, period, indicator_code
"""


@dataclass(frozen=True)
class Plan:
    """A run that has something to do: its id, its working copy, and what it found."""

    run_id: str
    settings: Settings
    target: Target  # where the run writes its working copy and publishes it
    project: str  # hash of the dbt project
    raw_now: dict[str, FileStat]  # the raw files as found before any was read
    built_by: tuple[str, str | None] | None  # (project hash, docs fingerprint) of the working copy's last build
    full_refresh: bool  # asked to build every node, incremental models from scratch
    contract: Contract  # the raw contract, read once for the run
    withdrawal: Withdrawal | None = None  # a report this run takes out of the marts
    as_of_changed: bool = True  # the run's date differs from the published run's: statuses by date change
    # datasets loaded by a run that died or failed before its build was recorded, or whose raw
    # table the engine reshaped (Target.ensure_raw): built as if this run had loaded them
    unbuilt: tuple[str, ...] = ()

    @property
    def project_changed(self) -> bool:
        """The working copy's marts were built by another dbt project (or were never built)."""
        return self.built_by is None or self.built_by[0] != self.project


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
    marts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # what the run log keeps of the marts
    error: str | None = None  # why the run stopped, when something failed outside the files and tests
    withdrawal: Withdrawal | None = None
    target: str = "duckdb"  # where the warehouse was published: duckdb (the file) or postgres
    alerts: dict[str, list[str]] = field(default_factory=dict)  # messages sent to TTHC_NOTIFY, delivery errors
    log_file: Path | None = None  # the run's log: Prefect's, dbt's and our INFO records
    raw_dir: Path | None = None  # the raw directory the run read (beside it, the mailbox's held attachments)

    @property
    def exit_code(self) -> int:
        """0: all files taken in; 3: published, but some refused, rejected or missing; 1: failed."""
        if self.unchanged is not None:
            return self.unchanged.exit_code
        if self.error is not None or not self.published:
            return 1
        return 3 if self.ingest.not_taken or self.ingest.missing else 0


def run_name(flow: str = "tthc-run") -> str:
    """A flow run named for what it is, in Vietnam's time: `tthc-run 2026-12-03 02:00 (nightly)`
    for a scheduled run (its deployment's name), `(manual)` for one started by hand."""
    from prefect.runtime import deployment

    return f"{flow} {datetime.now(TIMEZONE):%Y-%m-%d %H:%M} ({deployment.name or 'manual'})"


@flow(name="tthc-run", flow_run_name=run_name)
def run_pipeline(
    raw_dir: str | None = None,
    warehouse: str | None = None,
    wait_for_lock: bool = False,
    full_refresh: bool = False,
    ahead: HashesAhead | None = None,
    withdrawal: Withdrawal | None = None,
    target: str | None = None,
) -> RunOutcome:
    """Load every report under the raw directory, build and test what changed, publish if it passes.

    `ahead`: hashes of new record exports that `tthc run` started before Prefect did.
    `withdrawal`: a report to take out of the marts (`tthc withdraw`); every node is rebuilt.
    `target`: duckdb (the default, or TTHC_TARGET) or postgres (TTHC_POSTGRES_URL)."""
    settings = load_settings(raw_dir, warehouse, target)
    engine, contract = target_for(settings), load_contract()
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    timings: dict[str, float] = {}
    ingested, built = IngestSummary([]), BuildOutcome.not_needed()
    log_file = settings.runs_dir / f"{run_id}.log"
    with logged_to(log_file):
        with engine.writer_lock(wait=wait_for_lock), _failure_recorded(run_id, engine, timings, log_file) as so_far:
            with _timed(timings, "prepare"):
                plan = prepare(engine, contract, run_id, full_refresh, withdrawal)
            if isinstance(plan, Unchanged):
                log_file.unlink(missing_ok=True)  # nothing done, nothing to read, nothing written
                with suppress(OSError):
                    log_file.parent.rmdir()  # only when empty: the runs folder of a warehouse never run
                return report(RunOutcome(run_id, ingested, built, False, settings.warehouse,
                                         unchanged=plan, flow_run_id=flow_run.id))
            with _timed(timings, "ingest"):
                ingested = so_far.ingested = ingest_files(plan, ahead)
            with _timed(timings, "dbt build"):
                selection = build_selection(ingested.entries, plan.project_changed, plan.full_refresh,
                                            plan.contract.all_datasets, plan.as_of_changed, plan.unbuilt)
                built = build_marts(plan, selection, datasets_rebuilt(
                    selection, ingested.entries, plan.contract.all_datasets, plan.unbuilt))
                so_far.published = engine.publishes_with_build and built.success and not built.skipped
            with _timed(timings, "results"):
                marts, headline, docs_needed = record_results(plan, ingested, built)
                ingested = settle(plan, ingested) if built.success else ingested
            with _timed(timings, "publish"):
                published = publish_run(plan, built, docs_needed)
        return report(RunOutcome(run_id, ingested, built, published, settings.warehouse, headline, timings,
                                 flow_run_id=flow_run.id, marts=marts, withdrawal=withdrawal, target=settings.target,
                                 log_file=log_file, raw_dir=settings.raw_dir))


@task(cache_policy=NONE)
def prepare(
    target: Target, contract: Contract, run_id: str, full_refresh: bool, withdrawal: Withdrawal | None
) -> Plan | Unchanged:
    """Nothing new since the published run? Else a private working copy, at the current shape,
    with the withdrawal asked for. A dead run's working copy is removed first, whatever the run finds."""
    settings = target.settings
    target.remove_work()
    project, raw_now = project_hash(settings.dbt_project_dir), raw_files(settings.raw_dir, contract)
    # A withdrawal rebuilds every node: incremental marts cannot drop a report that left them.
    full_refresh = full_refresh or withdrawal is not None
    unchanged = None if full_refresh else unchanged_since_publish(settings, raw_now, project)
    if unchanged is not None:
        get_run_logger().info("%s", unchanged.message())
        return unchanged
    target.prepare_work()
    with target.writer() as con:
        ensure_warehouse(con, contract)
        reshaped = target.ensure_raw(con, contract)
        previous = con.execute("select as_of from audit.current_run").fetchone()
        as_of = as_of_date(settings.as_of)
        set_current_run(con, run_id, as_of)
        write_calendar(con, as_of)
        built_by, unbuilt = last_build(con), tuple(sorted({*unbuilt_datasets(con, run_id), *reshaped}))
        if withdrawal is not None:
            record_withdrawal(con, withdrawal, run_id)
    return Plan(run_id, settings, target, project, raw_now, built_by, full_refresh, contract,
                withdrawal, as_of_changed=previous is None or previous[0] != as_of, unbuilt=unbuilt)


@task(cache_policy=NONE)
def ingest_files(plan: Plan, ahead: HashesAhead | None) -> IngestSummary:
    """Every file under the raw directory loaded, logged as a duplicate, or turned away with its reason."""
    with plan.target.writer() as con:
        ingested = ingest(con, plan.contract, plan.settings.raw_dir, plan.run_id, known_hashes(con, plan.raw_now), ahead)
        if (arrived := as_of_time(plan.settings.as_of)) is not None:  # TTHC_AS_OF: the files this run saw arrived on that date
            retime_load(con, plan.run_id, arrived)
        return ingested


@task(cache_policy=NONE)
def build_marts(plan: Plan, selection: tuple[str, ...] | None, datasets: set[str]) -> BuildOutcome:
    """dbt build of the nodes downstream of what changed (None: nothing changed, the marts stand),
    with the rows of `datasets` replaced in the marts incremental by dataset; then the marts it did
    not rebuild stamped with the run's id. On PostgreSQL a build whose tests passed is swapped in
    at once (one transaction), since what the run records next reads the marts."""
    if selection is None:
        get_run_logger().info("nothing new was loaded and the dbt project is unchanged: the published marts stand")
        return BuildOutcome.not_needed()
    with plan.target.writer() as con:
        set_datasets_rebuilt(con, datasets)
    selection, state = plan.target.build_state(selection)
    with dbt_session(plan.target.dbt_profile(building=True), plan.settings.dbt_project_dir) as dbt:
        built = build(dbt, selection, plan.full_refresh, state)
    plan.target.after_build(built.success, declared_open(dbt.target_dir) if built.success else (), plan.run_id,
                            selective=selection != EVERYTHING)
    return built


@task(cache_policy=NONE)
def record_results(
    plan: Plan, ingested: IngestSummary, built: BuildOutcome
) -> tuple[dict[str, list[dict[str, Any]]], list[tuple], bool]:
    """Tests, the build, the findings the marts hold and the raw files as found, in the working file.
    Returns what the run log keeps of the marts, the headline indicators, and whether the docs
    must be generated again."""
    with plan.target.writer() as con:
        docs_needed = False
        if built.success:  # a failed run's tests and files are in its record, not the warehouse's history
            store_test_results(con, built, plan.run_id)
            record_raw_state(con, plan.raw_now, {e.found.path: (e.status, e.sha256) for e in ingested.entries}, plan.run_id)
        if built.success and not built.skipped:
            fingerprint = docs_fingerprint(con, plan.project)
            docs_needed = not plan.settings.docs_page.exists() or plan.built_by is None or plan.built_by[1] != fingerprint
            record_build(con, plan.run_id, plan.project, fingerprint)
            record_findings_seen(con, plan.run_id)
        headline = con.execute(HEADLINE_SQL).fetchall() if built.success else []
        return collect_marts(partial(rows_as_dicts, con)), headline, docs_needed


@task(cache_policy=NONE)
def settle(plan: Plan, ingested: IngestSummary) -> IngestSummary:
    """Files the build found rejected (an error finding) or superseded (a newer revision is in use)."""
    with plan.target.writer() as con:
        settled = settle_statuses(con, plan.run_id)
    for path, (status, reason) in settled.items():
        get_run_logger().warning("%s: %s (%s)", path, status, reason)
    return IngestSummary([
        replace(e, status=settled[e.found.path][0], reason=settled[e.found.path][1]) if e.found.path in settled else e
        for e in ingested.entries
    ])


@task(cache_policy=NONE)
def publish_run(plan: Plan, built: BuildOutcome, docs_needed: bool) -> bool:
    """Only a build whose tests passed replaces the published warehouse (and, when they changed, its
    docs); on DuckDB its metrics layer goes with it."""
    if not built.success:
        plan.target.discard()
        return False
    docs = None
    if docs_needed:
        try:
            with dbt_session(plan.target.dbt_profile(building=False), plan.settings.dbt_project_dir) as dbt:
                docs = generate_docs(dbt)
        except RuntimeError as err:  # the data passed its tests: publish it, without fresh docs
            get_run_logger().error("%s; the docs page keeps the previous version", err)
    plan.target.publish()
    # the metrics layer dbt parsed, beside the warehouse it describes (`tthc metrics`)
    if (semantic := plan.target.dbt_profile(building=True).target_dir / "semantic_manifest.json").exists():
        publish_file(semantic, plan.settings.semantic_manifest)
    if docs is not None:
        publish_file(docs, plan.settings.docs_page)
    return True


@task(cache_policy=NONE)
def report(outcome: RunOutcome) -> RunOutcome:
    """The run log, the report page, the alerts (TTHC_NOTIFY) and the Prefect artifact, whatever
    the outcome."""
    settings = load_settings(raw_dir=outcome.raw_dir, warehouse=outcome.warehouse)
    record = run_record(outcome)
    if outcome.unchanged is None:
        previous = latest_run_log(settings)
        messages = run_messages(record, previous, settings.report_url)
        errors = send(messages, settings.notify_urls)
        reached: list[str] = []
        if (smtp := smtp_of(settings)) is not None:  # each province's own files and findings, to its contacts
            by_province = {code: (m.title, m.body) for code, m in province_messages(record, previous, settings.report_url).items()}
            reached, mail_errors = mail_provinces(smtp, by_province, load_contacts(settings.contacts_file))
            errors += mail_errors
        for error in errors:
            get_run_logger().warning("alert not delivered: %s", error)
        outcome = replace(outcome, alerts={"messages": [m.title for m in messages], "errors": errors, "contacts": reached})
        record = run_record(outcome)
        write_run_log(settings, record)
        write_site({**record, "held": held_attachments(settings.inbox_dir, settings.intake_ledger)}, settings.report_dir)
    create_markdown_artifact(key="tthc-run-summary", markdown=summary_markdown(record), description="TTHC run summary")
    return outcome


@dataclass
class _SoFar:
    ingested: IngestSummary = field(default_factory=lambda: IngestSummary([]))
    published: bool = False  # on PostgreSQL, a passing build's schemas are swapped in before the results are recorded


@contextmanager
def _failure_recorded(run_id: str, target: Target, timings: dict[str, float], log_file: Path) -> Iterator[_SoFar]:
    """A run that fails for any reason frees its working copy and still writes its run record
    (with the files it had ingested), then fails."""
    settings = target.settings
    so_far = _SoFar()
    try:
        yield so_far
    except Exception as err:
        target.remove_work()
        report(RunOutcome(run_id, so_far.ingested, BuildOutcome.not_needed(), so_far.published, settings.warehouse,
                          timings=timings, flow_run_id=flow_run.id, error=f"{type(err).__name__}: {err}",
                          target=settings.target, log_file=log_file))
        raise


@contextmanager
def _timed(timings: dict[str, float], step: str) -> Iterator[None]:
    """Record how long a step of the run took (the run log and `tthc run` show it)."""
    started = time.monotonic()
    progress.report(step)
    try:
        yield
    finally:
        timings[step] = round(time.monotonic() - started, 2)
