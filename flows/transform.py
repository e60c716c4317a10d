"""dbt build through PrefectDbtRunner (each dbt node a Prefect task); test results to audit.test_results."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from flows.settings import DBT_PROJECT_DIR

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


def run_dbt_build(database: Path, target_dir: Path, run_id: str) -> BuildOutcome:
    """`dbt build` on `database`, stamping the marts with `run_id`; closes dbt-duckdb's connection before returning."""
    from dbt_common.events.base_types import EventLevel
    from prefect_dbt import PrefectDbtRunner, PrefectDbtSettings

    os.environ["TTHC_DBT_DATABASE"] = str(database)
    os.environ["DBT_LOG_PATH"] = str(target_dir / "logs")
    # An explicit level: prefect-dbt derives it from PREFECT_LOGGING_LEVEL, and "WARNING" is no dbt level.
    settings = PrefectDbtSettings(
        project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=target_dir, log_level=EventLevel.INFO
    )
    runner = PrefectDbtRunner(settings=settings, raise_on_failure=False)
    try:
        runner.invoke(["build", "--vars", json.dumps({"run_id": run_id})])
    except ValueError as err:  # prefect-dbt raises it when dbt itself fails (a compilation error)
        return BuildOutcome(success=False, invocation_id="", tests=[], node_errors=[str(err)])
    finally:
        _close_dbt_connection()
    return read_build_results(target_dir)


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

    os.environ["TTHC_DBT_DATABASE"] = str(database)
    try:
        result = dbtRunner().invoke([
            "docs", "generate", "--static", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(target_dir), "--vars", json.dumps({"run_id": run_id}), "--quiet",
        ])
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


def project_hash() -> str:
    """SHA-256 of the dbt project's files: a build is needed when it changes."""
    digest = hashlib.sha256()
    for path in sorted(DBT_PROJECT_DIR.rglob("*")):
        parts = path.relative_to(DBT_PROJECT_DIR).parts
        if path.is_file() and parts[0] not in ("target", "logs", "dbt_packages"):
            digest.update(str(path.relative_to(DBT_PROJECT_DIR)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


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
