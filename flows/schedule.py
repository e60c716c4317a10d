"""Scheduled runs: Prefect deployments served by `tthc serve` (needs `prefect server start`)."""

from __future__ import annotations

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.pipeline import run_pipeline
from flows.settings import CUTOFF_CRON, NIGHTLY_CRON, Settings

TIMEZONE = "Asia/Ho_Chi_Minh"
RETRIES = 2
RETRY_DELAY_S = 600
TIMEOUT_S = 6 * 3600


def deployments(settings: Settings, nightly_cron: str = NIGHTLY_CRON, cutoff_cron: str = CUTOFF_CRON) -> list[RunnerDeployment]:
    """The nightly run and the run after each cut-off; one writer at a time, queued, not dropped."""
    flow = run_pipeline.with_options(retries=RETRIES, retry_delay_seconds=RETRY_DELAY_S, timeout_seconds=TIMEOUT_S)
    parameters = {"raw_dir": str(settings.raw_dir), "warehouse": str(settings.warehouse), "wait_for_lock": True}
    one_writer = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)
    return [
        flow.to_deployment(
            name=name,
            schedule=Cron(cron, timezone=TIMEZONE),
            parameters=parameters,
            concurrency_limit=one_writer,
            tags=["tthc", "writer"],
            description=description,
        )
        for name, cron, description in [
            ("nightly", nightly_cron, "Load whatever arrived in the raw directory, build, test and publish."),
            ("after-cutoff", cutoff_cron, "A run after each reporting cut-off (15 March, June, September, December)."),
        ]
    ]
