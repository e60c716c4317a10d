"""The PostgreSQL target: its connection, run lock, working schemas and publish.

The raw and audit schemas are history, written file by file as on DuckDB. dbt builds each run
into working schemas (`marts__work`, …); a run whose tests pass swaps them in with one
transaction of `ALTER SCHEMA … RENAME`, keeping the previous ones as `*_previous`, so that a
reader never sees half a run. The run lock is an advisory lock held by a session of its own.

A run builds only the nodes downstream of what it changed, as on DuckDB. dbt reads the others
from the published schemas (its defer, with the last published manifest renamed to them); the
published incremental marts are copied into the working schemas first, so that they grow rather
than rebuild; and the swap moves every published relation the build did not rebuild into the
working schemas (`ALTER … SET SCHEMA`: no row is copied) before it renames them, stamping the
moved marts with the run's id. A view binds to the relations it reads, not to their names, so a
view is rebuilt whenever anything it reads is (tthc/transform/selection.py): a view carried over
reads only relations carried over with it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import psycopg

from tthc.contract.datasets import Contract, RecordDataset
from tthc.warehouse import access
from tthc.warehouse.base import DbtProfile, QueryInterrupted, QueryTimeout, Reader, Result, RunInProgress, Target, fetched, transaction
from tthc.warehouse.schema import quote_ident, stamp_run_id

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
# What ALTER … SET SCHEMA names each kind of relation a build leaves (pg_class.relkind).
KINDS = {"r": "table", "p": "table", "v": "view", "m": "materialized view"}
# A record table made before its partitioning keeps this name, and its rows, until the next publish:
# the published views read it till then.
UNPARTITIONED_SUFFIX = "_unpartitioned"


class PgConnection:
    """A psycopg connection with the few DuckDB-style calls the flow makes: `execute(sql, params)`
    with `?` placeholders, `executemany`, explicit `begin transaction` / `commit` / `rollback`
    statements (autocommit between them), and `insert_columns` (COPY) for bulk rows."""

    target = "postgres"

    def __init__(self, url: str, memory_limit: str = "80%") -> None:
        self.memory_limit = memory_limit  # DuckDB's, where a record file is typed before COPY
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


def _relkind(con: PgConnection, schema: str, name: str) -> str | None:
    row = con.execute(
        "select c.relkind from pg_class as c join pg_namespace as n on n.oid = c.relnamespace "
        "where n.nspname = ? and c.relname = ?", [schema, name],
    ).fetchone()
    return row[0] if row else None


def month_partition(table: str, month: date) -> str:
    """The name of a record table's partition for one calendar month: dossiers_2024_03."""
    return f"{table}_{month:%Y_%m}"


def add_month_partitions(con: PgConnection, spec: RecordDataset, months: Iterable[date]) -> None:
    """A partition of raw.<spec> for each calendar month not partitioned yet (inside the file's
    transaction, before its rows are copied in)."""
    for month in sorted({m.replace(day=1) for m in months}):
        following = (month + timedelta(days=32)).replace(day=1)
        con.execute(
            f"create table if not exists raw.{quote_ident(month_partition(spec.name, month))} "
            f"partition of raw.{quote_ident(spec.name)} for values from ('{month}') to ('{following}')"
        )


def partition_by_month(con: PgConnection, spec: RecordDataset) -> bool:
    """raw.<spec> as a table partitioned by the month of its month column (declarative range
    partitioning), one partition a month, a default one for a value no month holds, and an index on
    `_file_id`, the file version the incremental build reads its rows by. A table made before
    (unpartitioned) is copied into that shape and kept, as raw.<spec>_unpartitioned, until the next
    publish drops it (the published views read it till then). True while that copy waits for its
    publish: the run rebuilds what reads the table."""
    table, kept = spec.name, spec.name + UNPARTITIONED_SUFFIX
    if _relkind(con, "raw", table) == "r":
        with transaction(con):
            con.execute(f"alter table raw.{quote_ident(table)} rename to {quote_ident(kept)}")
            con.execute(f"create table raw.{quote_ident(table)} (like raw.{quote_ident(kept)}) "
                        f"partition by range ({quote_ident(spec.month_column)})")
            con.execute(f"create table raw.{quote_ident(table + '_default')} partition of raw.{quote_ident(table)} default")
            con.execute(f"create index on raw.{quote_ident(table)} (_file_id)")
            months = con.execute(f"select distinct cast(date_trunc('month', {quote_ident(spec.month_column)}) as date) "
                                 f"from raw.{quote_ident(kept)} where {quote_ident(spec.month_column)} is not null").fetchall()
            add_month_partitions(con, spec, [m for (m,) in months])
            con.execute(f"insert into raw.{quote_ident(table)} select * from raw.{quote_ident(kept)}")
    return _relkind(con, "raw", kept) is not None


def _drop_unpartitioned(con: PgConnection) -> None:
    """The record tables kept from before their partitioning, with the views of the schemas just
    swapped out that still read them (inside the swap)."""
    kept = con.execute(
        "select tablename from pg_tables where schemaname = 'raw' and tablename like ?", [f"%{UNPARTITIONED_SUFFIX}"]
    ).fetchall()
    for (table,) in kept:
        con.execute(f"drop table raw.{quote_ident(table)} cascade")


def _schemas(con: PgConnection) -> set[str]:
    return {name for (name,) in con.execute("select nspname from pg_namespace").fetchall()}


def drop_work_schemas(con: PgConnection) -> None:
    """Remove the working schemas of a run that died or failed (the caller holds the lock)."""
    for schema in (*DBT_SCHEMAS, TEST_FAILURES):
        con.execute(f'drop schema if exists "{schema}{WORK_SUFFIX}" cascade')


def _relations(con: PgConnection, schema: str) -> dict[str, str]:
    """The relations dbt builds in `schema`, by name, with their kind (pg_class.relkind)."""
    return dict(con.execute(
        "select c.relname, c.relkind from pg_class as c join pg_namespace as n on n.oid = c.relnamespace "
        f"where n.nspname = ? and c.relkind in ({', '.join(repr(k) for k in KINDS)})", [schema],
    ).fetchall())


def carry_over(con: PgConnection) -> list[str]:
    """Move every published relation the build did not rebuild into its working schema (inside
    the swap's transaction); returns the marts moved."""
    moved = []
    for schema in DBT_SCHEMAS:
        work = schema + WORK_SUFFIX
        con.execute(f"create schema if not exists {quote_ident(work)}")
        rebuilt = _relations(con, work)
        for name, kind in sorted(_relations(con, schema).items()):
            if name not in rebuilt:
                con.execute(f"alter {KINDS[kind]} {quote_ident(schema)}.{quote_ident(name)} set schema {quote_ident(work)}")
                moved += [name] if schema == "marts" else []
    return moved


def copy_incremental(con: PgConnection, marts: Collection[tuple[str, str]]) -> None:
    """The published incremental marts (schema, name), copied into the working schemas with their
    rows, so that a build adds to them as on DuckDB rather than building them from scratch."""
    for schema, name in sorted(marts):
        if name not in _relations(con, schema):
            continue
        published, work = f"{quote_ident(schema)}.{quote_ident(name)}", f"{quote_ident(schema + WORK_SUFFIX)}.{quote_ident(name)}"
        con.execute(f"create schema if not exists {quote_ident(schema + WORK_SUFFIX)}")
        con.execute(f"create table {work} (like {published} including all)")
        con.execute(f"insert into {work} select * from {published}")


def published_manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    """dbt's manifest of a build into the working schemas, with each node named where the swap
    put it (the published schemas): the state a later build defers to."""
    def published(node: dict[str, Any]) -> dict[str, Any]:
        schema = node.get("schema") or ""
        if not schema.endswith(WORK_SUFFIX):
            return node
        bare = schema.removesuffix(WORK_SUFFIX)
        relation = (node.get("relation_name") or "").replace(f'"{schema}"', f'"{bare}"') or None
        return {**node, "schema": bare, "relation_name": relation}

    return {**manifest, "nodes": {uid: published(node) for uid, node in manifest["nodes"].items()}}


def state_database(manifest: dict[str, Any]) -> str | None:
    """The database a kept manifest's models were built in (dbt names every relation by it)."""
    return next((node.get("database") for node in manifest["nodes"].values() if node["resource_type"] == "model"), None)


def incremental_marts(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """The incremental models of a manifest, as (schema, name) where they are published."""
    return [(node["schema"], node["alias"]) for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["config"].get("materialized") == "incremental"]


def views_rebuilt(selection: tuple[str, ...]) -> tuple[str, ...]:
    """dbt's selection with what it leaves standing (`--exclude`, last) narrowed to tables and
    tests: a view reads the very relations it was created on, so one carried over while something
    it reads was rebuilt would go on reading the schema swapped out (and be dropped with it)."""
    if "--exclude" not in selection:
        return selection
    at = selection.index("--exclude")
    narrowed = [f"{kept},{kind}" for kept in selection[at + 1:]
                for kind in ("config.materialized:table", "config.materialized:incremental", "resource_type:test")]
    return (*selection[:at], "--exclude", *narrowed)


def publish_schemas(con: PgConnection, open_marts: Collection[str], run_id: str, selective: bool,
                    grown: Collection[str] = ()) -> None:
    """Swap the working schemas in, in one transaction; the previous ones become *_previous, which
    no reader can read. The readers' grants and row policies (tthc/warehouse/access.py, with the
    marts the project declares open) are put on the new tables first, so that the swap itself only
    takes the published marts, moves in what a `selective` build left out and renames schemas
    (_swap). Every mart ends with the run's id: `grown`, the incremental marts copied in before
    the build, have rows it did not rebuild."""
    present = _schemas(con)
    with transaction(con):
        stamp_run_id(con, run_id, "marts" + WORK_SUFFIX, only=grown)
        access.declare_open(con, open_marts)
        access.apply_grants(con, "marts" + WORK_SUFFIX)
    for attempt in range(SWAP_ATTEMPTS):
        try:
            _swap(con, present, run_id if selective else None)
            return
        except psycopg.errors.LockNotAvailable:  # a reader holds a published mart: let it finish
            if attempt == SWAP_ATTEMPTS - 1:
                raise
            time.sleep(0.1)


def _swap(con: PgConnection, present: set[str], carry_for: str | None) -> None:
    """One transaction. It first takes every published mart, waiting at most SWAP_LOCK_TIMEOUT
    for readers: a query resolves its tables one at a time, so one that could resolve some before
    the swap and some after would mix two runs. Holding them all, the swap makes a reader wait
    and then see only the new marts; a reader holding one makes the swap give way and retry.
    `carry_for`: the id of a run whose build was selective; what it did not rebuild is moved in
    and its marts stamped with that id."""
    marts = [name for (name,) in con.execute(
        "select c.relname from pg_class as c join pg_namespace as n on n.oid = c.relnamespace "
        "where n.nspname = 'marts' and c.relkind in ('r', 'v', 'p') order by c.relname"
    ).fetchall()]
    with transaction(con):
        con.execute(f"set local lock_timeout = '{SWAP_LOCK_TIMEOUT}'")
        if marts:
            con.execute("lock table " + ", ".join(f"marts.{quote_ident(m)}" for m in marts) + " in access exclusive mode")
        if carry_for is not None:
            stamp_run_id(con, carry_for, "marts" + WORK_SUFFIX, only=carry_over(con))
        for schema in DBT_SCHEMAS:
            con.execute(f'drop schema if exists "{schema}{PREVIOUS_SUFFIX}" cascade')
            if schema in present:
                con.execute(f'alter schema "{schema}" rename to "{schema}{PREVIOUS_SUFFIX}"')
                access.close_schema(con, schema + PREVIOUS_SUFFIX)  # grants live on the published marts only
            con.execute(f'alter schema "{schema}{WORK_SUFFIX}" rename to "{schema}"')
        _drop_unpartitioned(con)
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
    file by file; dbt builds what changed into working schemas, swapped in when its tests pass."""

    name = "postgres"
    publishes_with_build = True
    missing_table = psycopg.errors.UndefinedTable
    read_errors = (psycopg.Error,)
    readers_remote = True

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

    def ensure_raw(self, con: PgConnection, contract: Contract) -> tuple[str, ...]:
        return tuple(spec.name for spec in contract.records.values() if partition_by_month(con, spec))

    def connect_writer(self) -> PgConnection:
        return PgConnection(self.url, self.settings.memory_limit)

    def connect_published(self) -> PgConnection:
        return connect(self.url)

    def reader(self, timeout_s: float, on_overrun: Callable[[], None] | None = None) -> PostgresReader:
        return PostgresReader(self.url, timeout_s)  # the server stops a statement past its timeout

    def dbt_profile(self, building: bool) -> DbtProfile:
        """Building: into the working schemas. The docs read the published schemas by their names."""
        target_dir = self.settings.dbt_target_dir / ("postgres" if building else "postgres-docs")
        return DbtProfile(dbt_output(self.url), WORK_SUFFIX if building else "", target_dir)

    @property
    def state_dir(self) -> Path:
        """Where the manifest of the published schemas is kept (what a selective build defers to)."""
        return self.settings.dbt_target_dir / "postgres-state"

    def build_state(self, selection: tuple[str, ...]) -> tuple[tuple[str, ...], Path | None]:
        """A selective build defers to the published schemas, its incremental marts copied into
        the working ones first; every node when nothing was published by this project's manifest
        in this database."""
        if not selection or not (self.state_dir / "manifest.json").exists():
            return (), None
        if state_database(self._state()) != dbt_output(self.url)["dbname"]:
            return (), None  # the state names another database's relations (a copy, a restore under another name)
        with self.writer() as con:
            copy_incremental(con, incremental_marts(self._state()))
        return views_rebuilt(selection), self.state_dir

    def _state(self) -> dict[str, Any]:
        return json.loads((self.state_dir / "manifest.json").read_text(encoding="utf-8"))

    def after_build(self, success: bool, open_marts: Collection[str], run_id: str, selective: bool) -> None:
        """Swap a passing build in (with what a selective one left out) and keep its manifest,
        renamed to the published schemas, for the next build to defer to; drop a failed one."""
        with self.writer() as con:
            if not success:
                drop_work_schemas(con)
                return
            grown = [name for schema, name in incremental_marts(self._state()) if schema == "marts"] if selective else []
            publish_schemas(con, open_marts, run_id, selective, grown)
        built = json.loads((self.dbt_profile(building=True).target_dir / "manifest.json").read_text(encoding="utf-8"))
        self.state_dir.mkdir(parents=True, exist_ok=True)
        kept = self.state_dir / "manifest.json"
        (tmp := kept.with_suffix(".tmp")).write_text(json.dumps(published_manifest(built)), encoding="utf-8")
        os.replace(tmp, kept)

    def publish(self) -> bool:
        return False  # swapped in by after_build

    def discard(self) -> None:
        return None  # dropped by after_build
