"""The PostgreSQL target: its connection, run lock, working schemas and publish.

The raw and audit schemas are history, written file by file as on DuckDB. dbt builds each run
into working schemas (`marts__work`, …); a run whose tests pass swaps them in with one
transaction of `ALTER SCHEMA … RENAME`, keeping the previous ones as `*_previous`, so that a
reader never sees half a run. The run lock is an advisory lock held by a session of its own.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import psycopg

from tthc.warehouse import access
from tthc.warehouse.base import DbtProfile, QueryInterrupted, QueryTimeout, Reader, Result, RunInProgress, Target, fetched, transaction
from tthc.warehouse.schema import quote_ident

# The schemas dbt builds (seeds, staging, intermediate, marts), swapped in whole by a publish.
DBT_SCHEMAS = ("reference", "staging", "intermediate", "marts")
# dbt's stored test failures go to `audit` + suffix; a publish moves those tables into `audit`.
TEST_FAILURES = "audit"
WORK_SUFFIX = "__work"
PREVIOUS_SUFFIX = "_previous"
# The publish takes every published mart before it swaps the schemas; a reader holding one makes it
# give way (after this long) and try again, up to this many times.
SWAP_LOCK_TIMEOUT = "200ms"
SWAP_ATTEMPTS = 100
# Schemas a reader never reads: a run's working schemas and the previous publish.
UNPUBLISHED = tuple(f"{schema}{suffix}" for schema in DBT_SCHEMAS for suffix in (WORK_SUFFIX, PREVIOUS_SUFFIX))
LOCK_KEY = 7_263_371  # pg_advisory_lock key of the writer lock: one run at a time per database


class PgConnection:
    """A psycopg connection with the few DuckDB-style calls the flow makes: `execute(sql, params)`
    with `?` placeholders, `executemany`, explicit `begin transaction` / `commit` / `rollback`
    statements (autocommit between them), and `insert_columns` (COPY) for bulk rows."""

    target = "postgres"

    def __init__(self, url: str) -> None:
        self.raw = psycopg.connect(url, autocommit=True)

    @staticmethod
    def _sql(sql: str, params: Sequence[Any] | None) -> str:
        return sql.replace("%", "%%").replace("?", "%s") if params else sql

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> psycopg.Cursor:
        return self.raw.execute(self._sql(sql, params), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.raw.cursor() as cursor:
            cursor.executemany(self._sql(sql, rows[0] if rows else None), rows)

    def copy_rows(self, table: str, names: Sequence[str], rows: Iterator[Sequence[Any]]) -> None:
        """COPY rows into `table` (identifiers already quoted by the caller)."""
        with self.raw.cursor() as cursor, cursor.copy(f"copy {table} ({', '.join(names)}) from stdin") as copy:
            for row in rows:
                copy.write_row(row)

    def insert_columns(self, table: str, names: Sequence[str], columns: Sequence[list]) -> None:
        """Rows given column by column into `table` (quoted by the caller; `names` plain), through COPY."""
        self.copy_rows(table, [quote_ident(n) for n in names], zip(*columns))

    def copy_csv(self, table: str, names: Sequence[str], path: Path) -> None:
        """COPY a CSV file (no header; an unquoted empty field is NULL) into `table`, streamed."""
        with self.raw.cursor() as cursor, cursor.copy(f"copy {table} ({', '.join(names)}) from stdin (format csv)") as copy:
            with open(path, "rb") as f:
                while block := f.read(1 << 20):
                    copy.write(block)

    def close(self) -> None:
        self.raw.close()


def connect(url: str) -> PgConnection:
    return PgConnection(url)


def dbt_output(url: str) -> dict[str, Any]:
    """The dbt-postgres profile output for a libpq URL (its password, or PGPASSWORD)."""
    parts = urlparse(url)
    return {
        "type": "postgres", "host": parts.hostname or "localhost", "port": parts.port or 5432,
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or "") or os.environ.get("PGPASSWORD", ""),
        "dbname": unquote(parts.path.lstrip("/")) or "postgres", "schema": "public", "threads": 2,
    }


@contextmanager
def writer_lock(url: str, wait: bool = False) -> Iterator[None]:
    """One writer at a time on the database: an advisory lock held by a session of its own.
    A scheduled run (`wait`) queues behind the holder; a run by hand stops with a message."""
    with psycopg.connect(url, autocommit=True) as session:
        if wait:
            session.execute("select pg_advisory_lock(%s)", [LOCK_KEY])
        elif not session.execute("select pg_try_advisory_lock(%s)", [LOCK_KEY]).fetchone()[0]:
            holder = session.execute(
                "select pid from pg_locks where locktype = 'advisory' and objid = %s and granted", [LOCK_KEY]
            ).fetchone()
            raise RunInProgress(f"another run is writing the PostgreSQL warehouse (backend pid {holder[0] if holder else '?'})")
        try:
            yield
        finally:
            session.execute("select pg_advisory_unlock(%s)", [LOCK_KEY])


def _schemas(con: PgConnection) -> set[str]:
    return {name for (name,) in con.execute("select nspname from pg_namespace").fetchall()}


def drop_work_schemas(con: PgConnection) -> None:
    """Remove the working schemas of a run that died or failed (the caller holds the lock)."""
    for schema in (*DBT_SCHEMAS, TEST_FAILURES):
        con.execute(f'drop schema if exists "{schema}{WORK_SUFFIX}" cascade')


def publish_schemas(con: PgConnection, open_marts: Collection[str]) -> None:
    """Swap the working schemas in, in one transaction; the previous ones become *_previous, which
    no reader can read. The readers' grants and row policies (tthc/warehouse/access.py, with the
    marts the project declares open) are put on the new tables first, so that the swap itself only
    takes the published marts and renames schemas (_swap)."""
    present = _schemas(con)
    with transaction(con):
        access.declare_open(con, open_marts)
        access.apply_grants(con, "marts" + WORK_SUFFIX)
    for attempt in range(SWAP_ATTEMPTS):
        try:
            _swap(con, present)
            return
        except psycopg.errors.LockNotAvailable:  # a reader holds a published mart: let it finish
            if attempt == SWAP_ATTEMPTS - 1:
                raise
            time.sleep(0.1)


def _swap(con: PgConnection, present: set[str]) -> None:
    """One transaction. It first takes every published mart, waiting at most SWAP_LOCK_TIMEOUT
    for readers: a query resolves its tables one at a time, so one that could resolve some before
    the swap and some after would mix two runs. Holding them all, the swap makes a reader wait
    and then see only the new marts; a reader holding one makes the swap give way and retry."""
    marts = [name for (name,) in con.execute(
        "select c.relname from pg_class as c join pg_namespace as n on n.oid = c.relnamespace "
        "where n.nspname = 'marts' and c.relkind in ('r', 'v', 'p') order by c.relname"
    ).fetchall()]
    with transaction(con):
        con.execute(f"set local lock_timeout = '{SWAP_LOCK_TIMEOUT}'")
        if marts:
            con.execute("lock table " + ", ".join(f"marts.{quote_ident(m)}" for m in marts) + " in access exclusive mode")
        for schema in DBT_SCHEMAS:
            con.execute(f'drop schema if exists "{schema}{PREVIOUS_SUFFIX}" cascade')
            if schema in present:
                con.execute(f'alter schema "{schema}" rename to "{schema}{PREVIOUS_SUFFIX}"')
                access.close_schema(con, schema + PREVIOUS_SUFFIX)  # grants live on the published marts only
            con.execute(f'alter schema "{schema}{WORK_SUFFIX}" rename to "{schema}"')
        if TEST_FAILURES + WORK_SUFFIX in present:
            failures = con.execute(
                "select tablename from pg_tables where schemaname = ?", [TEST_FAILURES + WORK_SUFFIX]
            ).fetchall()
            for (table,) in failures:
                if not re.fullmatch(r"[a-z0-9_]+", table):
                    continue
                con.execute(f'drop table if exists "{TEST_FAILURES}"."{table}"')
                con.execute(f'alter table "{TEST_FAILURES}{WORK_SUFFIX}"."{table}" set schema "{TEST_FAILURES}"')
            con.execute(f'drop schema "{TEST_FAILURES}{WORK_SUFFIX}" cascade')


_QUERY_START = re.compile(r"\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*\(*\s*(select|with|values|table)\b", re.I | re.S)


def _is_query(sql: str) -> bool:
    """A statement a server-side cursor can run: SELECT, WITH, VALUES or TABLE (comments aside)."""
    return _QUERY_START.match(sql) is not None


class PostgresReader(Reader):
    """The database as the URL's own role, so that its grants and row security apply exactly as
    in psql: read-only, within a statement timeout, each result streamed through a cursor on the
    server (memory does not grow with it)."""

    errors = (psycopg.Error,)

    def __init__(self, url: str, timeout_s: float) -> None:
        options = f"-c default_transaction_read_only=on -c statement_timeout={max(int(timeout_s * 1000), 1)}"
        self.con = psycopg.connect(url, options=options)
        self.timeout_s, self.stopped = timeout_s, False
        parts = urlparse(url)
        self.where = f"PostgreSQL {parts.hostname}:{parts.port or 5432}/{parts.path.lstrip('/')} as {unquote(parts.username or '')}"

    @contextmanager
    def result(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Result]:
        self.stopped = False
        try:
            # a query streams from the server; anything else (a look-around with parameters, SHOW,
            # EXPLAIN, a write the read-only session refuses) runs as it is: DECLARE takes queries only
            cursor = self.con.cursor(name="tthc_query") if _is_query(sql) and not params else self.con.cursor()
            cursor.execute(PgConnection._sql(sql, params), list(params) or None)
            description = cursor.description or []
            types = [(self.con.adapters.types.get(d.type_code).name if self.con.adapters.types.get(d.type_code)
                      else str(d.type_code)).upper() for d in description]
            yield Result([d.name for d in description], types, fetched(cursor))
        except psycopg.errors.QueryCanceled as err:
            if self.stopped:
                raise QueryInterrupted("the query was stopped") from err
            raise QueryTimeout(f"the query ran longer than {self.timeout_s:g} s and was stopped") from err
        finally:
            self.con.rollback()  # read-only: each statement in a transaction of its own

    def interrupt(self) -> None:
        self.stopped = True
        self.con.cancel_safe()

    def close(self) -> None:
        self.con.close()


class PostgresTarget(Target):
    """The warehouse in a PostgreSQL database (TTHC_POSTGRES_URL): raw and audit written in place,
    file by file; dbt builds every node into working schemas, swapped in when its tests pass."""

    name = "postgres"
    builds_every_node = True
    publishes_with_build = True
    missing_table = psycopg.errors.UndefinedTable
    read_errors = (psycopg.Error,)

    @property
    def url(self) -> str:
        assert self.settings.postgres_url is not None  # load_settings requires it for this target
        return self.settings.postgres_url

    def writer_lock(self, wait: bool = False):
        return writer_lock(self.url, wait=wait)

    def remove_work(self) -> None:
        shutil.rmtree(self.settings.work_dir, ignore_errors=True)
        with self.writer() as con:
            drop_work_schemas(con)

    def prepare_work(self) -> None:
        self.remove_work()

    def connect_writer(self) -> PgConnection:
        return connect(self.url)

    def connect_published(self) -> PgConnection:
        return connect(self.url)

    def reader(self, timeout_s: float, on_overrun: Callable[[], None] | None = None) -> PostgresReader:
        return PostgresReader(self.url, timeout_s)  # the server stops a statement past its timeout

    def dbt_profile(self, building: bool) -> DbtProfile:
        """Building: into the working schemas. The docs read the published schemas by their names."""
        target_dir = self.settings.dbt_target_dir / ("postgres" if building else "postgres-docs")
        return DbtProfile(dbt_output(self.url), WORK_SUFFIX if building else "", target_dir)

    def after_build(self, success: bool, open_marts: Collection[str]) -> None:
        with self.writer() as con:
            if success:
                publish_schemas(con, open_marts)
            else:
                drop_work_schemas(con)

    def publish(self) -> bool:
        return False  # swapped in by after_build

    def discard(self) -> None:
        return None  # dropped by after_build
