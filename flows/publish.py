"""Write, audit, publish: each run builds in its own working file; only a run whose build
passed replaces the published warehouse, atomically (checkpointed, then renamed into place)."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.settings import Settings
from flows.warehouse import connect, create_empty


class RunInProgress(RuntimeError):
    """Another `tthc run` holds the writer lock."""


@contextmanager
def writer_lock(settings: Settings, wait: bool = False) -> Iterator[None]:
    """One writer at a time, across processes and terminals (an OS file lock; on the PostgreSQL
    target, an advisory lock in the database, across machines).

    By hand a second run stops with a message; a scheduled run (`wait`) queues behind the first."""
    if settings.target == "postgres":
        from flows import postgres

        with postgres.writer_lock(settings.postgres_url, wait=wait):
            yield
        return
    settings.lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(settings.lock_file, "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "another process"
            raise RunInProgress(
                f"another run is writing {settings.warehouse} ({holder}); wait for it to finish and run again"
            ) from None
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()}")
        f.flush()
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def remove_work(settings: Settings) -> None:
    """Remove the working copy: one left by a dead run (the caller holds the writer lock, so no
    live run owns it), or this run's after it failed, so that a full disk is freed again. On the
    PostgreSQL target, the working schemas."""
    shutil.rmtree(settings.work_dir, ignore_errors=True)
    if settings.target == "postgres":
        from flows import postgres

        con = postgres.connect(settings.postgres_url)
        try:
            postgres.drop_work_schemas(con)
        finally:
            con.close()


def prepare_work_file(settings: Settings) -> Path:
    """A private copy of the published warehouse (or a new, empty one) for this run to write.

    It keeps the published file's name, so that the catalog name dbt records, and the docs show,
    is the one readers see; and it is at the same path every run (the writer lock allows one
    run at a time), so that dbt's profile is unchanged and dbt parses only what changed."""
    remove_work(settings)
    work = settings.work_dir / settings.warehouse.name
    work.parent.mkdir(parents=True)
    if settings.warehouse.exists():
        shutil.copyfile(settings.warehouse, work)
    else:
        create_empty(work)
    return work


def publish(work: Path, settings: Settings) -> None:
    """Checkpoint the working file and rename it over the published one; keep the previous."""
    con = connect(work)
    con.execute("checkpoint")
    con.close()
    if settings.warehouse.exists():
        previous = settings.warehouse.with_name(settings.warehouse.stem + ".previous.duckdb")
        previous.unlink(missing_ok=True)
        os.link(settings.warehouse, previous)
    os.replace(work, settings.warehouse)
    shutil.rmtree(work.parent, ignore_errors=True)


def discard(work: Path) -> None:
    """Drop a working file that will not be published."""
    shutil.rmtree(work.parent, ignore_errors=True)


def publish_file(source: Path, target: Path) -> None:
    """Copy a page beside the warehouse atomically (a reader never sees half of it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)
