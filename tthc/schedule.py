"""Scheduled runs: Prefect deployments, served by `tthc serve` on this machine, or registered on a
work pool by `tthc deploy --pool NAME` for `prefect worker start --pool NAME` to run anywhere
(both need a Prefect server: `prefect server start`)."""

from __future__ import annotations

from uuid import UUID

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from tthc.capture import capture766
from tthc.mail_intake import intake_mailbox
from tthc.pipeline import run_pipeline
from tthc.remind import remind
from tthc.settings import PROJECT_ROOT, Settings

TIMEZONE = "Asia/Ho_Chi_Minh"
RETRIES = 2
RETRY_DELAY_S = 600
TIMEOUT_S = 6 * 3600
ENTRYPOINT = "tthc/pipeline.py:run_pipeline"  # relative to the project directory
REMIND_ENTRYPOINT = "tthc/remind.py:remind"
REMIND_CRON = "0 8 * * 1-5"  # working days at 08:00; the flow skips public holidays
CAPTURE_ENTRYPOINT = "tthc/capture.py:capture766"
INTAKE_ENTRYPOINT = "tthc/mail_intake.py:intake_mailbox"
INTAKE_CRON = "*/15 * * * *"  # the mailbox every 15 minutes, when TTHC_MAILBOX is set


def deployments(settings: Settings, from_source: bool = False) -> list[RunnerDeployment]:
    """The nightly run and the run after each cut-off (one writer at a time, queued, not dropped),
    and the digest of overdue reports every working day at 08:00. `from_source`: the flows are
    loaded from the project directory when they run (a work pool's worker), not from this process."""
    run, digest, index = (
        (run_pipeline.from_source(source=str(PROJECT_ROOT), entrypoint=ENTRYPOINT),
         remind.from_source(source=str(PROJECT_ROOT), entrypoint=REMIND_ENTRYPOINT),
         capture766.from_source(source=str(PROJECT_ROOT), entrypoint=CAPTURE_ENTRYPOINT))
        if from_source else (run_pipeline, remind, capture766)
    )
    run = run.with_options(retries=RETRIES, retry_delay_seconds=RETRY_DELAY_S, timeout_seconds=TIMEOUT_S)
    parameters = {
        "raw_dir": str(settings.raw_dir), "warehouse": str(settings.warehouse), "target": settings.target,
    }
    one_writer = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)
    runs = [
        run.to_deployment(
            name=name,
            schedule=Cron(cron, timezone=TIMEZONE),
            parameters={**parameters, "wait_for_lock": True},
            concurrency_limit=one_writer,
            tags=["tthc", "writer"],
            description=description,
        )
        for name, cron, description in [
            ("nightly", settings.nightly_cron, "Load whatever arrived in the raw directory, build, test and publish."),
            ("after-cutoff", settings.cutoff_cron, "A run after each reporting cut-off (15 March, June, September, December)."),
        ]
    ]
    reminder = digest.to_deployment(
        name="remind",
        schedule=Cron(REMIND_CRON, timezone=TIMEZONE),
        parameters={**parameters, "skip_holidays": True},
        concurrency_limit=one_writer,
        tags=["tthc", "writer"],
        description="Every working day at 08:00: a run, then the digest of overdue and due-soon reports to TTHC_NOTIFY.",
    )
    capture = index.to_deployment(
        name="capture766",
        schedule=Cron(settings.capture_cron, timezone=TIMEZONE),
        parameters=parameters,
        concurrency_limit=one_writer,
        tags=["tthc", "writer"],
        description="Every working day at 07:00: the Decision 766 index from the national portal, then a run.",
    )
    mailbox = []
    if settings.mailbox_url:  # the office's mailbox: its attachments to raw/, then a run
        letters = (intake_mailbox.from_source(source=str(PROJECT_ROOT), entrypoint=INTAKE_ENTRYPOINT)
                   if from_source else intake_mailbox)
        mailbox.append(letters.to_deployment(
            name="intake",
            schedule=Cron(INTAKE_CRON, timezone=TIMEZONE),
            parameters=parameters,
            concurrency_limit=one_writer,
            tags=["tthc", "writer"],
            description="Every 15 minutes: the mailbox's reports filed in raw/, a run when something was, and receipts to the senders.",
        ))
    return [*runs, reminder, capture, *mailbox]


def deploy_to_pool(settings: Settings, pool: str) -> list[UUID]:
    """Register the same deployments on a work pool of type `process` (created if missing). A
    worker runs them from the project directory (it must exist at the same path on the worker's
    machine, with the raw directory and the warehouse, or the PostgreSQL target, in reach)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.deployments.runner import deploy
    from prefect.exceptions import ObjectNotFound
    from prefect.utilities.asyncutils import run_coro_as_sync

    async def ensure_pool() -> None:
        async with get_client() as client:
            try:
                existing = await client.read_work_pool(pool)
            except ObjectNotFound:
                await client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
                return
            if existing.type != "process":
                raise ValueError(f"work pool {pool!r} is of type {existing.type!r}, not process")

    run_coro_as_sync(ensure_pool())
    return deploy(
        *deployments(settings, from_source=True),
        work_pool_name=pool, build=False, push=False, print_next_steps_message=False,
    )
