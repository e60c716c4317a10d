"""The DuckDB target: the published file, a run's private working copy, its writer, the writer
lock and the atomic publish (write, audit, publish: only a run whose build passed replaces the
published file, checkpointed and renamed into place)."""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from tthc.settings import STORAGE_VERSION, Settings
from tthc.warehouse.base import DbtProfile, QueryInterrupted, QueryTimeout, Reader, Result, RunInProgress, Target, fetched
from tthc.warehouse.schema import quote_ident, stamp_run_id

INSERT_BATCH_ROWS = 20_000  # rows per statement: DuckDB holds each list parameter as values in memory


def connect(path: Path, memory_limit: str) -> duckdb.DuckDBPyConnection:
    """A read-write connection to a working file, within the run's memory limit."""
    return duckdb.connect(str(path), config={"memory_limit": memory_limit})


class DuckDBWriter:
    """A run's DuckDB working file, with the calls of `tthc.warehouse.base.Writer`."""

    target = "duckdb"

    def __init__(self, path: Path, memory_limit: str) -> None:
        self.memory_limit = memory_limit  # what DuckDB work beside the writer may use too
        self.raw = connect(path, memory_limit)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> duckdb.DuckDBPyConnection:
        return self.raw.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.raw.executemany(sql, rows)

    def insert_columns(self, table: str, names: Sequence[str], columns: Sequence[list]) -> None:
        """Rows given column by column into `table` (quoted by the caller; `names` plain), a batch of rows per statement:
        each column is one list parameter, unnested side by side (a 200k-row form in about a
        second; one insert per row took minutes)."""
        sql = f"insert into {table} ({', '.join(map(quote_ident, names))}) select {', '.join('unnest(?)' for _ in names)}"
        for start in range(0, len(columns[0]) if columns else 0, INSERT_BATCH_ROWS):
            self.raw.execute(sql, [column[start:start + INSERT_BATCH_ROWS] for column in columns])

    def close(self) -> None:
        self.raw.close()


def connect_read_only(path: Path, memory_limit: str = "25%", threads: int = 1) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse: no files outside it, no directory to
    write to (not even to spill: a query beyond `memory_limit` fails), `threads` at most; the
    configuration is locked after these are set, so no query can raise them."""
    config = {"enable_external_access": False, "temp_directory": "", "memory_limit": memory_limit, "threads": threads}
    con = duckdb.connect(str(path), read_only=True, config=config)
    con.execute("set lock_configuration = true")
    return con


# A statement DuckDB does not stop within this long after its interrupt is stopped from outside (`on_overrun`).
OVERRUN_GRACE_S = 2.0


class DuckDBReader(Reader):
    """The published file read-only, within the settings' query limits. DuckDB has no statement
    timeout: a timer interrupts the statement, reading included, past the limit; some operators
    see the interrupt only when they finish, so `on_overrun` (the command line ends the process)
    is called if the statement still runs OVERRUN_GRACE_S later."""

    errors = (duckdb.Error,)

    def __init__(self, settings: Settings, timeout_s: float, on_overrun: Callable[[], None] | None) -> None:
        self.con = connect_read_only(settings.warehouse, settings.query_memory, settings.query_threads)
        self.timeout_s, self.on_overrun, self.where = timeout_s, on_overrun, str(settings.warehouse)

    @contextmanager
    def result(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Result]:
        timed_out, finished = threading.Event(), threading.Event()

        def stop() -> None:
            timed_out.set()
            self.con.interrupt()
            if self.on_overrun is not None and not finished.wait(OVERRUN_GRACE_S):
                self.on_overrun()

        timer = threading.Timer(self.timeout_s, stop)
        timer.daemon = True
        timer.start()
        try:
            cursor = self.con.execute(sql, list(params) or None)
            description = cursor.description or []
            yield Result([d[0] for d in description], [str(d[1]) for d in description], fetched(cursor))
        except duckdb.InterruptException as err:
            if timed_out.is_set():
                raise QueryTimeout(f"the query ran longer than {self.timeout_s:g} s and was stopped") from err
            raise QueryInterrupted("the query was stopped") from err
        finally:
            finished.set()
            timer.cancel()

    def interrupt(self) -> None:
        self.con.interrupt()

    def close(self) -> None:
        self.con.close()


def create_empty(path: Path) -> None:
    """A new database file in the storage format DuckDB 1.4+ clients can open."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{_quoted(path)}' as new_warehouse (storage_version '{STORAGE_VERSION}')")
        con.execute("detach new_warehouse")
    finally:
        con.close()


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def dbt_profile(database: Path, target_dir: Path, memory_limit: str) -> DbtProfile:
    """dbt on one DuckDB file, within the run's memory limit, with its artifacts in `target_dir`."""
    output = {"type": "duckdb", "path": str(database), "threads": 1, "settings": {"memory_limit": memory_limit}}
    return DbtProfile(output, "", target_dir)


class DuckDBTarget(Target):
    """The warehouse as one DuckDB file. Each run builds in a private copy at a fixed path
    (`warehouse/work/<name>`: the catalog name dbt records is the one readers see, and dbt's
    profile is the same every run, so it parses only what changed)."""

    name = "duckdb"
    publishes_with_build = False
    missing_table = duckdb.CatalogException
    read_errors = (duckdb.Error,)

    @property
    def work_file(self) -> Path:
        return self.settings.work_dir / self.settings.warehouse.name

    @contextmanager
    def writer_lock(self, wait: bool = False) -> Iterator[None]:
        """An OS file lock beside the warehouse, across processes and terminals."""
        lock_file = self.settings.lock_file
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_file, "a+") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                f.seek(0)
                holder = f.read().strip() or "another process"
                raise RunInProgress(
                    f"another run is writing {self.settings.warehouse} ({holder}); wait for it to finish and run again"
                ) from None
            f.seek(0)
            f.truncate()
            f.write(f"pid {os.getpid()}")
            f.flush()
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def remove_work(self) -> None:
        shutil.rmtree(self.settings.work_dir, ignore_errors=True)

    def prepare_work(self) -> None:
        """A private copy of the published warehouse (or a new, empty one)."""
        self.remove_work()
        work = self.work_file
        work.parent.mkdir(parents=True)
        if self.settings.warehouse.exists():
            shutil.copyfile(self.settings.warehouse, work)
        else:
            create_empty(work)

    def connect_writer(self) -> DuckDBWriter:
        return DuckDBWriter(self.work_file, self.settings.memory_limit)

    def connect_published(self) -> duckdb.DuckDBPyConnection | None:
        if not self.settings.warehouse.exists():
            return None
        return connect_read_only(self.settings.warehouse, self.settings.query_memory, self.settings.query_threads)

    def may_be_published(self) -> bool:
        return self.settings.warehouse.exists()

    def reader(self, timeout_s: float, on_overrun: Callable[[], None] | None = None) -> DuckDBReader:
        return DuckDBReader(self.settings, timeout_s, on_overrun)

    def dbt_profile(self, building: bool) -> DbtProfile:
        """The working copy, for the build and for the docs (generated before it is published)."""
        return dbt_profile(self.work_file, self.settings.dbt_target_dir, self.settings.memory_limit)

    def after_build(self, success: bool, open_marts: Collection[str], run_id: str, selective: bool) -> None:
        """The marts and rows the build did not rebuild (an incremental mart's), stamped in the
        working copy: one file, read whole by whoever may open it, so no grants."""
        if success:
            with self.writer() as con:
                stamp_run_id(con, run_id)

    def publish(self) -> bool:
        """Checkpoint the working file and rename it over the published one; keep the previous."""
        work, published = self.work_file, self.settings.warehouse
        con = connect(work, self.settings.memory_limit)
        con.execute("checkpoint")
        con.close()
        if published.exists():
            previous = published.with_name(published.stem + ".previous.duckdb")
            previous.unlink(missing_ok=True)
            os.link(published, previous)
        os.replace(work, published)
        shutil.rmtree(work.parent, ignore_errors=True)
        return True

    def discard(self) -> None:
        shutil.rmtree(self.work_file.parent, ignore_errors=True)
