"""dbt build (each dbt node a Prefect task run) and docs; test results to audit.test_results."""

from __future__ import annotations

import json
import os
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.futures import wait

from flows.settings import DBT_PROJECT_DIR, MEMORY_LIMIT

if TYPE_CHECKING:  # dbt is imported when a build or docs need it: a run with nothing new never does
    from dbt.cli.main import dbtRunnerResult
    from dbt_common.events.base_types import EventMsg

TEST_RESULTS_DDL = """create table if not exists audit.test_results (
    invocation_id varchar not null, test_name varchar not null, unique_id varchar not null,
    test_type varchar not null, model varchar, severity varchar, status varchar not null,
    failures bigint, message varchar, executed_at timestamptz not null)"""


@dataclass(frozen=True)
class TestResult:
    invocation_id: str
    test_name: str
    unique_id: str
    test_type: str  # data | unit
    model: str | None
    severity: str | None
    status: str  # pass | warn | fail | error | skipped
    failures: int | None
    message: str | None
    executed_at: datetime


@dataclass(frozen=True)
class BuildOutcome:
    success: bool
    invocation_id: str
    tests: list[TestResult]
    node_errors: list[str]  # models, seeds or tests that errored or failed at error severity
    skipped: bool = False  # nothing new was loaded and the dbt project is unchanged: the marts stand

    def count(self, status: str) -> int:
        return sum(t.status == status for t in self.tests)

    @classmethod
    def not_needed(cls) -> BuildOutcome:
        """No build: nothing new to build from, with the dbt project the marts were built by."""
        return cls(success=True, invocation_id="", tests=[], node_errors=[], skipped=True)


def run_dbt_build(database: Path, target_dir: Path, run_id: str) -> BuildOutcome:
    """`dbt build` on `database`, stamping the marts with `run_id`; each dbt node shows as a Prefect task run.

    dbt runs in a thread of its own; its node events come back through a queue, and this (flow)
    thread opens a task run when dbt starts a node and closes it with the node's status. A task
    run costs Prefect a few milliseconds this way, against about 120 ms through prefect-dbt's
    `PrefectDbtRunner`, which rebuilds the Prefect settings and client for every node
    (docs/benchmarks.md). Closes dbt-duckdb's connection before returning.
    """
    from dbt.cli.main import dbtRunner

    events: queue.SimpleQueue[tuple[str, str, NodeResult | None] | None] = queue.SimpleQueue()
    outcome: list[dbtRunnerResult | BaseException] = []

    def on_event(event: EventMsg) -> None:  # called on dbt's threads
        if event.info.name == "NodeStart":
            events.put(("start", event.data.node_info.unique_id, None))
        elif event.info.name == "NodeFinished":
            r = event.data.run_result
            events.put(("finish", event.data.node_info.unique_id, NodeResult(r.status, r.message, r.execution_time)))

    def invoke() -> None:
        try:
            outcome.append(dbtRunner(callbacks=[on_event]).invoke(
                ["build", *_dbt_args(target_dir), "--log-level", "warn", "--log-level-file", "info", "--no-use-colors"]
            ))
        except BaseException as err:  # noqa: BLE001 - handed to the flow thread below
            outcome.append(err)
        finally:
            events.put(None)
            _close_dbt_connection()

    _dbt_environment(database, target_dir, run_id)
    get_run_logger().info("dbt build on %s", database)
    dbt = threading.Thread(target=invoke, name="dbt-build")
    dbt.start()
    running: dict[str, Future[NodeResult]] = {}
    task_runs = []
    while (event := events.get()) is not None:
        kind, unique_id, result = event
        if kind == "start":
            running[unique_id] = Future()
            task_runs.append(dbt_node.submit(unique_id, running[unique_id]))
        elif unique_id in running:
            running.pop(unique_id).set_result(result)
    dbt.join()
    for unfinished in running.values():
        unfinished.set_result(NodeResult("error", "dbt stopped before the node finished", 0.0))
    wait(task_runs)
    done = outcome[0]
    if isinstance(done, BaseException):
        raise done
    if not done.success and done.exception is not None:  # dbt itself failed (say, a compilation error)
        return BuildOutcome(success=False, invocation_id="", tests=[], node_errors=[str(done.exception)])
    return read_build_results(target_dir)


@dataclass(frozen=True)
class NodeResult:
    status: str  # success | error | skipped | pass | warn | fail
    message: str
    seconds: float


class DbtNodeFailed(Exception):
    """A dbt node ended in error or failure: its Prefect task run is marked Failed."""


@task(cache_policy=NONE, task_run_name="{unique_id}")
def dbt_node(unique_id: str, finished: Future[NodeResult]) -> str:
    """One dbt node as dbt runs it: starts with the node and ends with its status."""
    result = finished.result()
    summary = f"{result.status} in {result.seconds:.2f} s" + (f": {result.message}" if result.message else "")
    if result.status in ("error", "fail"):
        raise DbtNodeFailed(summary)
    (get_run_logger().warning if result.status == "warn" else get_run_logger().info)(summary)
    return result.status


def _dbt_args(target_dir: Path) -> list[str]:
    return ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target_dir)]


def _dbt_environment(database: Path, target_dir: Path, run_id: str) -> None:
    """What profiles.yml and the run_id() macro read, and where dbt writes its log."""
    os.environ["TTHC_DBT_DATABASE"] = str(database)
    os.environ["TTHC_RUN_ID"] = run_id
    os.environ["TTHC_MEMORY_LIMIT"] = MEMORY_LIMIT
    os.environ["DBT_LOG_PATH"] = str(target_dir / "logs")


def _close_dbt_connection() -> None:
    """dbt-duckdb keeps its connection open (keep_open); the flow must reopen the file itself."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV
    if env is not None:
        env.close()
    DuckDBConnectionManager.close_all_connections()


def generate_docs(database: Path, target_dir: Path, run_id: str) -> Path:
    """`dbt docs generate --static` on the built file: one self-contained HTML page.

    It overwrites run_results.json, so call it only after the build's results were read.
    """
    from dbt.cli.main import dbtRunner

    _dbt_environment(database, target_dir, run_id)
    try:
        result = dbtRunner().invoke(["docs", "generate", "--static", *_dbt_args(target_dir), "--quiet"])
    finally:
        _close_dbt_connection()
    if not result.success:
        raise RuntimeError(f"dbt docs generate failed: {result.exception}")
    return target_dir / "static_index.html"


def read_build_results(target_dir: Path) -> BuildOutcome:
    """Tests and failures of the last dbt invocation, from run_results.json and manifest.json."""
    run_results = json.loads((target_dir / "run_results.json").read_text())
    manifest = json.loads((target_dir / "manifest.json").read_text())
    nodes = {**manifest["nodes"], **manifest.get("unit_tests", {})}
    invocation_id = run_results["metadata"]["invocation_id"]
    tests, errors = [], []
    for r in run_results["results"]:
        uid, status = r["unique_id"], r["status"]
        node = nodes.get(uid, {})
        kind = node.get("resource_type", uid.split(".")[0])
        if kind in ("test", "unit_test"):
            done = [t.get("completed_at") for t in r.get("timing", []) if t.get("completed_at")]
            executed = datetime.fromisoformat(done[-1].replace("Z", "+00:00")) if done else datetime.now(timezone.utc)
            tests.append(TestResult(
                invocation_id=invocation_id,
                test_name=node.get("name", uid),
                unique_id=uid,
                test_type="unit" if kind == "unit_test" else "data",
                model=_tested_model(node),
                severity=(node.get("config") or {}).get("severity"),
                status=status,
                failures=r.get("failures"),
                message=r.get("message"),
                executed_at=executed,
            ))
        if status in ("error", "fail"):
            errors.append(f"{uid}: {status}" + (f" ({r['message']})" if r.get("message") else ""))
    return BuildOutcome(success=not errors, invocation_id=invocation_id, tests=tests, node_errors=errors)


def _tested_model(node: dict) -> str | None:
    if node.get("resource_type") == "unit_test":
        return node.get("model")
    attached = node.get("attached_node")
    if attached:
        return attached.split(".")[-1]
    deps = node.get("depends_on", {}).get("nodes", [])
    return deps[0].split(".")[-1] if deps else None


BUILDS_DDL = """create table if not exists audit.builds (
    run_id varchar not null, project_hash varchar not null, built_at timestamptz not null)"""


def build_is_current(con: duckdb.DuckDBPyConnection, project: str) -> bool:
    """The marts in this file were built by this very dbt project (so, with nothing new, they stand)."""
    con.execute(BUILDS_DDL)
    last = con.execute("select project_hash from audit.builds order by built_at desc limit 1").fetchone()
    return last is not None and last[0] == project


def record_build(con: duckdb.DuckDBPyConnection, run_id: str, project: str) -> None:
    con.execute(BUILDS_DDL)
    con.execute("insert into audit.builds values (?, ?, ?)", [run_id, project, datetime.now(timezone.utc)])


def store_test_results(con: duckdb.DuckDBPyConnection, outcome: BuildOutcome) -> None:
    """Append this invocation's tests to audit.test_results (history: never rewritten)."""
    con.execute(TEST_RESULTS_DDL)
    if outcome.tests:
        con.executemany(
            "insert into audit.test_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[t.invocation_id, t.test_name, t.unique_id, t.test_type, t.model, t.severity, t.status,
              t.failures, t.message, t.executed_at] for t in outcome.tests],
        )
