"""What every engine offers: the calls a run writes through (`Writer`), where a run builds, locks
and publishes (`Target`), and the read-only session a user's query runs in (`Reader`).
`tthc.warehouse.target_for` picks the implementation."""

from __future__ import annotations

import os
import shutil
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tthc.contract.datasets import Contract
from tthc.settings import Settings


class RunInProgress(RuntimeError):
    """Another `tthc run` holds the writer lock."""


class QueryTimeout(RuntimeError):
    """The query ran past its time limit and was stopped."""


class QueryInterrupted(RuntimeError):
    """The query was stopped by its user (Ctrl-C in the shell)."""


BATCH_ROWS = 10_000  # rows fetched and written at a time: memory does not grow with the result


@dataclass(frozen=True)
class Result:
    """A query's columns and its rows, fetched in batches as they are read (once)."""

    columns: list[str]
    types: list[str]  # the engine's type of each column (BIGINT, DOUBLE, VARCHAR, …)
    batches: Iterator[list[tuple[Any, ...]]]

    def rows(self) -> list[tuple[Any, ...]]:
        """Every row at once: for the terminal's table, which sizes its columns to the widest."""
        return [row for batch in self.batches for row in batch]


def fetched(cursor: Any) -> Iterator[list[tuple[Any, ...]]]:
    """A cursor's rows, BATCH_ROWS at a time."""
    while batch := cursor.fetchmany(BATCH_ROWS):
        yield batch


class Reader(ABC):
    """A user's read-only session on the published warehouse: each statement within its time
    limit, read as it is fetched. `errors`: what the engine raises for a statement it refuses."""

    errors: tuple[type[Exception], ...]
    where: str  # what the session reads, as the shell names it

    @abstractmethod
    def result(self, sql: str, params: Sequence[Any] = ()) -> AbstractContextManager[Result]:
        """`sql` run, its result read within the block; QueryTimeout past the limit,
        QueryInterrupted after `interrupt()`."""

    @abstractmethod
    def interrupt(self) -> None:
        """Stop the statement running (from another thread or a signal handler)."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Writer(Protocol):
    """A run's connection on either engine: DuckDB-style `?` placeholders, explicit
    `begin transaction` / `commit` / `rollback`, bulk rows column by column; `target` names the engine,
    `memory_limit` what DuckDB work done for the run (the writer's own, or a scratch file's) may use."""

    target: str
    memory_limit: str

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def insert_columns(self, table: str, names: Sequence[str], columns: Sequence[list]) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class DbtProfile:
    """How dbt reaches a target: its profile output, the suffix of the schemas it builds (working
    schemas on PostgreSQL), and the directory of its artifacts."""

    output: dict[str, Any]
    schema_suffix: str
    target_dir: Path


class Target(ABC):
    """Where the warehouse lives. A run takes the writer lock, prepares its working copy, writes
    through `writer()`, has dbt build into it (`dbt_output`), and publishes it or discards it."""

    name: str
    # A passing build is published as soon as dbt is done (the swap is part of the build step).
    publishes_with_build: bool
    # The error a read raises on a table an older warehouse does not have yet.
    missing_table: type[Exception]
    # What the engine raises for a read it refuses (a connection, a statement).
    read_errors: tuple[type[Exception], ...]
    # Its readers are people on other machines, each with their own role: what a run did is read
    # from the published warehouse as that role, not from the run records beside the loader.
    readers_remote: bool = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @abstractmethod
    def writer_lock(self, wait: bool = False) -> AbstractContextManager[None]:
        """One writer at a time; by hand a second run stops with RunInProgress, a scheduled one (`wait`) queues."""

    @abstractmethod
    def remove_work(self) -> None:
        """Remove a dead or failed run's working copy (the caller holds the writer lock)."""

    @abstractmethod
    def prepare_work(self) -> None:
        """A fresh working copy for this run to write (after removing any left over)."""

    def ensure_raw(self, con: Writer, contract: Contract) -> tuple[str, ...]:
        """What the engine adds to the raw tables `ensure_warehouse` made (PostgreSQL partitions the
        record exports by month); the datasets whose table was reshaped and not yet published in
        its new shape, which the run rebuilds as if it had loaded them. Nothing by default."""
        return ()

    @abstractmethod
    def connect_writer(self) -> Writer:
        """A connection to the working copy (the caller closes it)."""

    @abstractmethod
    def connect_published(self) -> Any | None:
        """A connection that reads the published warehouse; None where nothing is published yet."""

    def may_be_published(self) -> bool:
        """Whether a reader may find a published warehouse: on a server, the server answers that
        (as the user's role); a file target says no when its file is not there."""
        return True

    @abstractmethod
    def reader(self, timeout_s: float, on_overrun: Callable[[], None] | None = None) -> Reader:
        """A read-only session on the published warehouse for the user (on PostgreSQL, as the
        role of TTHC_POSTGRES_URL or --url, so that its grants and row security apply).
        `on_overrun`: called when a statement does not stop within a grace after its limit."""

    @abstractmethod
    def dbt_profile(self, building: bool) -> DbtProfile:
        """How dbt reaches the working copy while `building`, else what the docs are generated from."""

    def build_state(self, selection: tuple[str, ...]) -> tuple[tuple[str, ...], Path | None]:
        """What dbt builds into the working copy for `selection` (dbt's node-selection arguments;
        () for every node), and the directory of the manifest it reads the nodes it does not build
        from (dbt's defer), after readying the working copy. By default the working copy holds
        every node (a copy of the published file): the selection as it is, no defer."""
        return selection, None

    @abstractmethod
    def after_build(self, success: bool, open_marts: Collection[str], run_id: str, selective: bool) -> None:
        """What the engine does once dbt is done: the marts (and an incremental mart's rows) the
        build did not rebuild get the run's id, and PostgreSQL swaps the working schemas in,
        carrying over what a `selective` build left out (with the marts the project declares open
        to every reader), or drops them."""

    @abstractmethod
    def publish(self) -> bool:
        """Make the working copy the published warehouse; True when it replaced a file beside
        which the metrics layer is published."""

    @abstractmethod
    def discard(self) -> None:
        """Drop a working copy that will not be published."""

    @contextmanager
    def writer(self) -> Iterator[Writer]:
        """`with target.writer() as con:` a connection to the working copy, closed after the block."""
        con = self.connect_writer()
        try:
            yield con
        finally:
            con.close()


def rows_as_dicts(con: Any, sql: str) -> list[dict[str, Any]]:
    """The rows of a query as {column: value}, on either target."""
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


@contextmanager
def transaction(con: Any) -> Iterator[None]:
    """What the block writes lands together or not at all (either target)."""
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def publish_file(source: Path, target: Path) -> None:
    """Copy a page beside the warehouse atomically (a reader never sees half of it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)
