"""The terminal of a run: quiet by default, with progress, and a Prefect server found if one runs.

Prefect's and dbt's INFO logs go to the run's log file and the Prefect UI, not the terminal
(`--verbose` brings them back); warnings and errors still show. On a terminal the stages show
as progress bars (rich); piped or under CI, one plain line per stage, no control characters.
"""

from __future__ import annotations

import logging
import os
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tthc.progress import LOGGER, STAGES

# Stages whose steps are counted (files, dbt nodes).
COUNTED = ("ingest", "dbt build")
# Where `prefect server start` listens unless told otherwise.
LOCAL_PREFECT_API = "http://127.0.0.1:4200/api"


def quiet_prefect(verbose: bool) -> None:
    """Before Prefect is imported: its console shows warnings and errors only (all with
    `verbose`), and the temporary server a run may start keeps its shutdown noise to itself
    (the events it has not flushed when it stops are the run's own task states, already final)."""
    # Offices run offline: a temporary server must not try to send telemetry (it would log an
    # error each run). Set the variable yourself to decide otherwise.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    for handler in ("CONSOLE", "CONSOLE_FLOW_RUNS", "CONSOLE_TASK_RUNS"):
        if verbose:  # asked for: whatever the environment says (a quiet parent process, say)
            os.environ[f"PREFECT_LOGGING_HANDLERS_{handler}_LEVEL"] = "INFO"
        else:
            os.environ.setdefault(f"PREFECT_LOGGING_HANDLERS_{handler}_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")


def use_local_prefect_server() -> str | None:
    """With PREFECT_API_URL unset and a Prefect server answering at the local default address,
    use it (no temporary server to start: about 7 s a run); its URL, or None."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    try:
        with urllib.request.urlopen(LOCAL_PREFECT_API + "/health", timeout=0.5) as answer:
            if answer.status != 200:
                return None
    except OSError:
        return None
    os.environ["PREFECT_API_URL"] = LOCAL_PREFECT_API
    return LOCAL_PREFECT_API


def interactive() -> bool:
    """A person at a terminal (not piped, not CI)."""
    return sys.stderr.isatty() and not os.environ.get("CI")


class _PlainProgress(logging.Handler):
    """One line per stage as it begins, with its size once known; nothing else."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.shown: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        stage, total = getattr(record, "stage", ""), getattr(record, "total", 0)
        if stage in self.shown or (stage in COUNTED and not total):  # a counted stage shows once its size is known
            return
        self.shown.add(stage)
        print(f"{STAGES.get(stage, stage)}{f' ({total})' if total else ''} …", file=sys.stderr, flush=True)


class _RichProgress(logging.Handler):
    """A bar per stage: n of N, with the current item."""

    def __init__(self, progress: Any) -> None:
        super().__init__(logging.INFO)
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def emit(self, record: logging.LogRecord) -> None:
        stage = getattr(record, "stage", "")
        done, total, item = getattr(record, "done", 0), getattr(record, "total", 0), getattr(record, "item", "")
        for earlier, task in self.tasks.items():  # a new stage ends the ones before it
            if earlier != stage:
                self.progress.update(task, completed=self.progress.tasks[task].total or 1, total=self.progress.tasks[task].total or 1)
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(STAGES.get(stage, stage), total=total or None, item="")
        self.progress.update(self.tasks[stage], completed=done, total=total or None, item=item[-30:])


@contextmanager
def shown_progress() -> Iterator[None]:
    """Render the run's progress records for the duration of the block."""
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.INFO)
    if interactive():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(
            TextColumn("{task.description}"), BarColumn(bar_width=20), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.fields[item]}"), transient=False, console=Console(stderr=True),
        )
        handler: logging.Handler = _RichProgress(progress)
        progress.start()
    else:
        progress, handler = None, _PlainProgress()
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        if progress is not None:
            progress.stop()
