"""Opening connections: the one place they are made (DuckDB files; the PostgreSQL target through
flows/postgres.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from flows.schema import quote_ident
from flows.settings import MEMORY_LIMIT, STORAGE_VERSION, Settings


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection to a working file, within the run's memory limit."""
    return duckdb.connect(str(path), config={"memory_limit": MEMORY_LIMIT})


INSERT_BATCH_ROWS = 20_000  # rows per statement: DuckDB holds each list parameter as values in memory


class DuckDBWriter:
    """A run's DuckDB working file, with the calls the flow's writers make on either target
    (flows/postgres.py PgConnection is the other): `execute`, `executemany`, `insert_columns`
    for bulk rows, `close`; `target` names the engine."""

    target = "duckdb"

    def __init__(self, path: Path) -> None:
        self.raw = connect(path)

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


def connect_writer(settings: Settings, work: Path | None) -> Any:
    """The connection a run writes through: a DuckDBWriter on its working file, or a
    PgConnection to the PostgreSQL database (flows/postgres.py); both take the same calls."""
    if settings.target == "postgres":
        from flows import postgres

        return postgres.connect(settings.postgres_url)
    return DuckDBWriter(work)


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


def connect_published(settings: Settings) -> Any | None:
    """A connection that reads the published warehouse: the DuckDB file read-only, or the
    PostgreSQL database; None when no DuckDB file has been published yet."""
    if settings.target == "postgres":
        return connect_writer(settings, None)
    return connect_read_only(settings.warehouse) if settings.warehouse.exists() else None


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse: no files outside it, no directory to
    write to (not even to spill: a query beyond the memory limit fails), settings locked."""
    con = duckdb.connect(str(path), read_only=True, config={"enable_external_access": False, "temp_directory": ""})
    con.execute("set lock_configuration = true")
    return con


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
