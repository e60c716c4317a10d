"""The last published run as a reader sees it, read from the published warehouse itself: on a
shared server a reader has no run records beside it, and its role's grants and row security
decide which rows it reads (`tthc results` and `tthc report` on PostgreSQL)."""

from __future__ import annotations

from functools import partial
from typing import Any

from tthc.runs.runlog import as_json_data, collect_marts
from tthc.warehouse.base import Reader

# Every mart names the run that published it; dim_provinces is open to every granted role.
RUN_SQL = "select max(run_id) as run_id from marts.dim_provinces"
# Each test of the current project with the status of its latest run (a selective build runs
# only its nodes' tests: the others keep the status of the run that last ran them).
TESTS_SQL = """
    select test_name, model, latest_status as status, latest_failures as failures
    from marts.test_history
    order by test_name
"""


def _dicts(reader: Reader, sql: str) -> list[dict[str, Any]]:
    with reader.result(sql) as result:
        return [dict(zip(result.columns, row)) for row in result.rows()]


def published_record(reader: Reader, target: str) -> dict[str, Any] | None:
    """The fields of a run record that `tthc results` prints and the report site shows, for the
    run last published on `target`, as the reader's role reads them (not the files the run took
    in: those are the loader's); None before the first publish."""
    run_id = _dicts(reader, RUN_SQL)[0]["run_id"]
    if run_id is None:
        return None
    return as_json_data({
        "run_id": run_id,
        "target": target,
        "published": True,
        "build_skipped": False,
        "build_errors": [],
        "tests": _dicts(reader, TESTS_SQL),
        **collect_marts(partial(_dicts, reader)),
    })
