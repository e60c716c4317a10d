"""One dbt project parse for every test that compiles SQL against the macros."""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.fixture(scope="session")
def dbt_show(tmp_path_factory) -> Callable[[str], list[tuple]]:
    """Rows of inline SQL compiled against the dbt project (no warehouse needed). Every call shares
    one target directory, so dbt parses the project once and then only what changed (nothing)."""
    from tthc.settings import DBT_PROJECT_DIR
    from tthc.transform.dbt import dbt_session
    from tthc.warehouse.duckdb import dbt_profile

    root = tmp_path_factory.mktemp("dbt-show")

    def rows(sql: str) -> list[tuple]:
        with dbt_session(dbt_profile(root / "scratch.duckdb", root / "target", "1GB"), DBT_PROJECT_DIR) as dbt:
            result = dbt.invoke("show", "--inline", sql, "--limit", "-1", "--quiet")
        assert result.success, result.exception
        return [tuple(row) for row in result.result.results[0].agate_table.rows]

    return rows
