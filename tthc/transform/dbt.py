"""dbt: build the marts (each dbt node a Prefect task run), generate the docs, read what a build did."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.futures import wait

from tthc import progress
from tthc.transform.selection import EVERYTHING
from tthc.warehouse.base import DbtProfile

if TYPE_CHECKING:  # dbt is imported when a build or docs need it: a run with nothing new never does
    from dbt.cli.main import dbtRunnerResult

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
class NodeResult:
    unique_id: str
    status: str  # success | error | skipped | pass | warn | fail
    message: str | None
    seconds: float


@dataclass(frozen=True)
class BuildOutcome:
    success: bool
    invocation_id: str
    tests: list[TestResult]
    node_errors: list[str]  # models, seeds or tests that errored or failed at error severity
    nodes: tuple[NodeResult, ...] = ()
    selection: tuple[str, ...] = EVERYTHING  # what was built: dbt's --select/--exclude arguments, or every node
    skipped: bool = False  # nothing new was loaded and the dbt project is unchanged: the marts stand

    def count(self, status: str) -> int:
        return sum(t.status == status for t in self.tests)

    @classmethod
    def not_needed(cls) -> BuildOutcome:
        """No build: nothing new to build from, with the dbt project the marts were built by."""
        return cls(success=True, invocation_id="", tests=[], node_errors=[], skipped=True)


class Dbt:
    """dbt invoked in this process on one database file, with a profile of its own (no environment
    variables): `dbt_session` makes one and closes dbt's DuckDB connection when it ends."""

    def __init__(self, project_dir: Path, profiles_dir: Path, target_dir: Path, dbt_vars: dict[str, str] | None = None) -> None:
        self.project_dir = project_dir
        self.profiles_dir = profiles_dir
        self.target_dir = target_dir
        self.dbt_vars = dbt_vars or {}

    def invoke(self, *args: str) -> dbtRunnerResult:
        """dbt with these arguments; its events go to the logger `tthc.dbt` (the run's log file,
        the terminal with --verbose) and its nodes' progress to `tthc.progress`."""
        from dbt.cli.main import dbtRunner

        return dbtRunner(callbacks=[_forward_event]).invoke([
            *args,
            "--project-dir", str(self.project_dir),
            "--profiles-dir", str(self.profiles_dir),
            "--target-path", str(self.target_dir),
            "--log-path", str(self.target_dir / "logs"),
            *(["--vars", json.dumps(self.dbt_vars)] if self.dbt_vars else []),
        ])


def _forward_event(event: Any) -> None:
    """One dbt event: a node done (n of N) is the build's progress; info and above goes to the
    run's log at INFO (what a build did reaches the user once, in the run summary)."""
    data, info = event.data, event.info
    if info.name.endswith("Result") and getattr(data, "total", 0):
        node = getattr(getattr(data, "node_info", None), "unique_id", "") or ""
        progress.report("dbt build", int(data.index), int(data.total), node)
    if info.level in ("info", "warn", "error") and info.msg:
        logging.getLogger("tthc.dbt").info("%s%s", "" if info.level == "info" else f"[{info.level}] ", info.msg)


@contextmanager
def dbt_session(profile: DbtProfile, project_dir: Path) -> Iterator[Dbt]:
    """dbt on the project at `project_dir`, pointed at a target (its profile output, the suffix of
    the schemas it builds and the directory of its artifacts) for the duration of the block.

    The profile is written under the target directory. Its content is the same every run of a
    warehouse (a DuckDB run works on a copy at a fixed path), so dbt's partial parsing keeps its
    cache."""
    engine = profile.output["type"]
    profiles_dir = profile.target_dir / "profile"
    profiles_dir.mkdir(parents=True, exist_ok=True)
    written = {"tthc": {"target": engine, "outputs": {engine: profile.output}}}
    (profiles_dir / "profiles.yml").write_text(yaml.safe_dump(written), encoding="utf-8")
    try:
        yield Dbt(project_dir, profiles_dir, profile.target_dir, {"schema_suffix": profile.schema_suffix} if profile.schema_suffix else None)
    finally:
        _close_connections()


def _close_connections() -> None:
    """Close what dbt keeps open in this process: its connections, and dbt-duckdb's database,
    which it keeps open across nodes and invocations (opening the file for each node costs about
    0.2 s), so that the flow can open the file again. Nothing of the second is open after a run on
    another engine."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.adapters.factory import cleanup_connections

    cleanup_connections()
    try:
        DuckDBConnectionManager.env().close()
    except Exception:  # noqa: BLE001 - dbt-duckdb raises a bare Exception when no environment was created
        pass


def build(dbt: Dbt, selection: tuple[str, ...], full_refresh: bool = False, state: Path | None = None) -> BuildOutcome:
    """`dbt build` of the selected nodes (`selection`: --select/--exclude arguments; every node for
    EVERYTHING; incremental models from scratch with `full_refresh`), then one Prefect task run per
    node with its outcome. `state`: the directory of the manifest the nodes not built are read
    from (dbt's defer), where the working copy does not hold them."""
    get_run_logger().info("dbt build of %s", " ".join(selection) or "every node")
    # Unit tests check the models' code, which only a change of the dbt project (a full build) changes.
    options = [*selection, "--exclude-resource-type", "unit_test"] if selection else []
    options += ["--defer", "--favor-state", "--state", str(state)] if state is not None else []
    options += ["--full-refresh"] if full_refresh else []
    result = dbt.invoke("build", *options, "--log-level", "none", "--log-level-file", "info", "--no-use-colors")
    if not result.success and result.exception is not None:  # dbt itself failed (say, a compilation error)
        return BuildOutcome(False, "", [], [str(result.exception)], selection=selection)
    outcome = read_build_results(dbt.target_dir, selection)
    wait([dbt_node.submit(node) for node in outcome.nodes])
    return outcome


class DbtNodeFailed(Exception):
    """A dbt node ended in error or failure: its Prefect task run is marked Failed."""


@task(cache_policy=NONE, task_run_name="{node.unique_id}")
def dbt_node(node: NodeResult) -> str:
    """One dbt node of the build, with its status and time."""
    summary = f"{node.status} in {node.seconds:.2f} s" + (f": {node.message}" if node.message else "")
    if node.status in ("error", "fail"):
        raise DbtNodeFailed(summary)
    get_run_logger().info(summary)  # a warning reaches the user once: in the run summary
    return node.status


def generate_docs(dbt: Dbt) -> Path:
    """`dbt docs generate --static`: one self-contained HTML page. It overwrites run_results.json,
    so call it only after the build's results were read."""
    result = dbt.invoke("docs", "generate", "--static", "--quiet")
    if not result.success:
        raise RuntimeError(f"dbt docs generate failed: {result.exception}")
    return dbt.target_dir / "static_index.html"


def read_build_results(target_dir: Path, selection: tuple[str, ...] = EVERYTHING) -> BuildOutcome:
    """Nodes, tests and failures of the last dbt invocation, from run_results.json and manifest.json."""
    run_results = json.loads((target_dir / "run_results.json").read_text())
    manifest = json.loads((target_dir / "manifest.json").read_text())
    nodes = {**manifest["nodes"], **manifest.get("unit_tests", {})}
    invocation_id = run_results["metadata"]["invocation_id"]
    tests, errors, results = [], [], []
    for r in run_results["results"]:
        uid, status = r["unique_id"], r["status"]
        results.append(NodeResult(uid, status, r.get("message"), r.get("execution_time") or 0.0))
        node = nodes.get(uid, {})
        kind = node.get("resource_type", uid.split(".")[0])
        if kind in ("test", "unit_test"):
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
                executed_at=_completed_at(r),
            ))
        if status in ("error", "fail"):
            errors.append(f"{uid}: {status}" + (f" ({r['message']})" if r.get("message") else ""))
    return BuildOutcome(not errors, invocation_id, tests, errors, tuple(results), selection)


def declared_open(target_dir: Path) -> frozenset[str]:
    """The marts the project declares open to every reader (`+meta: {access: open}`), from the manifest."""
    manifest = json.loads((target_dir / "manifest.json").read_text())
    return frozenset(
        node["name"] for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and (node["config"].get("meta") or {}).get("access") == "open"
    )


def _completed_at(result: dict) -> datetime:
    done = [t.get("completed_at") for t in result.get("timing", []) if t.get("completed_at")]
    return datetime.fromisoformat(done[-1].replace("Z", "+00:00")) if done else datetime.now(UTC)


def _tested_model(node: dict) -> str | None:
    if node.get("resource_type") == "unit_test":
        return node.get("model")
    attached = node.get("attached_node")
    if attached:
        return attached.split(".")[-1]
    deps = node.get("depends_on", {}).get("nodes", [])
    return deps[0].split(".")[-1] if deps else None
