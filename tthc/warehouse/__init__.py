"""Where the warehouse lives: the engine (DuckDB or PostgreSQL) chosen once, here, and each
engine's writer, lock, working copy and publish; the raw and audit schema; access by province."""

from __future__ import annotations

from typing import Any

from tthc.settings import Settings
from tthc.warehouse.base import Target


def target_for(settings: Settings) -> Target:
    """The engine the settings name: the one place the choice is made."""
    if settings.target == "postgres":
        from tthc.warehouse.postgres import PostgresTarget

        return PostgresTarget(settings)
    from tthc.warehouse.duckdb import DuckDBTarget

    return DuckDBTarget(settings)


def connect_published(settings: Settings) -> Any | None:
    """A connection that reads the published warehouse (the DuckDB file read-only, or the
    PostgreSQL database); None when no DuckDB file has been published yet."""
    return target_for(settings).connect_published()
