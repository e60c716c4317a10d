"""Opening connections: the one place they are made (DuckDB files; the PostgreSQL target through
flows/postgres.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from flows.settings import MEMORY_LIMIT, STORAGE_VERSION, Settings


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection to a working file, within the run's memory limit."""
    return duckdb.connect(str(path), config={"memory_limit": MEMORY_LIMIT})


def connect_writer(settings: Settings, work: Path | None) -> Any:
    """The connection a run writes through: its DuckDB working file, or the PostgreSQL database
    (flows/postgres.py: the same calls, with COPY for bulk rows)."""
    if settings.target == "postgres":
        from flows import postgres

        return postgres.connect(settings.postgres_url)
    return connect(work)


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
