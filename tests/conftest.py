"""Shared fixtures: a real Prefect test server, and the real pipeline run on the shipped raw/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_RAW = PROJECT_ROOT / "raw"
CORPUS = Path(__file__).resolve().parent / "corpus"  # odd files, described in corpus_manifest.yml
SMALL_FEEDBACK = CORPUS / "feedback" / "22_2021.csv"  # a small form report that loads: the file tests add


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[str]:
    """Flows run against a temporary Prefect server and database, started once per session (per
    xdist worker), offline as `tthc` runs (tthc/cli/console.py). Its URL is exported as
    PREFECT_API_URL, so that every `tthc` the tests start in a subprocess uses it rather than
    starting a temporary server of its own (7-8 s each)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        url = PREFECT_API_URL.value()
        previous = os.environ.get("PREFECT_API_URL")
        os.environ["PREFECT_API_URL"] = url
        try:
            yield url
        finally:
            if previous is None:
                os.environ.pop("PREFECT_API_URL", None)
            else:
                os.environ["PREFECT_API_URL"] = previous


@pytest.fixture(scope="session")
def shipped_run(prefect_server, tmp_path_factory):
    """The real flow on a copy of the shipped raw/ into a temporary warehouse."""
    from tthc.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("shipped")
    raw = root / "raw"
    shutil.copytree(SHIPPED_RAW, raw)
    warehouse = root / "warehouse" / "tthc.duckdb"
    outcome = run_pipeline(raw_dir=str(raw), warehouse=str(warehouse))
    return outcome


@pytest.fixture(scope="session")
def blank_warehouse(prefect_server, tmp_path_factory) -> Path:
    """A warehouse in service that holds no report: the real flow on an empty raw directory, every
    dbt node built. Tests of a few small files copy it (`copy_warehouse`) and build only what
    their files change, as a clerk's run does, rather than every node from nothing."""
    from tthc.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("blank")
    (root / "raw").mkdir()
    outcome = run_pipeline(raw_dir=str(root / "raw"), warehouse=str(root / "wh" / "tthc.duckdb"))
    assert outcome.published, outcome
    return outcome.warehouse


def copy_warehouse(warehouse: Path, to: Path) -> Path:
    """A private copy of a published DuckDB warehouse's directory (the file, its runs, pages and
    dbt artifacts) at `to`; the copy's --warehouse path."""
    shutil.copytree(warehouse.parent, to)
    return to / warehouse.name


@pytest.fixture(scope="session")
def corpus_run(prefect_server, tmp_path_factory):
    """The real flow on a copy of tests/corpus (odd and broken files) into a temporary warehouse:
    read-only for the tests that share it (their xdist group, SHARED_BUILDS, makes it once)."""
    from tthc.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(CORPUS, root / "raw", symlinks=True)
    return run_pipeline(raw_dir=str(root / "raw"), warehouse=str(root / "tthc.duckdb"))


@pytest.fixture()
def shipped_db(shipped_run) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(shipped_run.warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for the session (tests/postgres_server.py), its database's URL.
    Skipped, saying so, where PostgreSQL is not installed; never under CI (`.ci/run` installs it)."""
    from tests.postgres_server import running_postgres, server_binaries

    if server_binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; .ci/run installs Debian's postgresql package")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql): the PostgreSQL target is not tested")
    root = Path(tempfile.mkdtemp(prefix="tthc-pg-"))
    root.chmod(0o755)  # the server runs as the postgres user where tests run as root
    try:
        with running_postgres(root / "server") as url:
            yield url
    finally:
        shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class PublishedOnPostgres:
    """A warehouse published on PostgreSQL: its raw directory, its database's URL, and the
    directory its runs, pages and dbt artifacts are kept in (the `--warehouse` path's parent)."""

    raw: Path
    url: str
    warehouse: Path


@pytest.fixture(scope="session")
def postgres_shipped(prefect_server, postgres_url, tmp_path_factory) -> PublishedOnPostgres:
    """The shipped files published on PostgreSQL once per session, by `tthc run --target postgres`
    in a process of its own: the template that `copy_published` clones for each test that runs
    on top of it (`create database … template`, and a copy of the run's directory)."""
    from tests.postgres_server import fresh_database

    root = tmp_path_factory.mktemp("pg-shipped")
    shutil.copytree(SHIPPED_RAW, root / "raw")
    url = fresh_database(postgres_url, "tthc_shipped")
    warehouse = root / "wh" / "tthc.duckdb"
    run = subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", "run", "--target", "postgres", "--raw-dir", str(root / "raw"),
         "--warehouse", str(warehouse)],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=900, env={**os.environ, "TTHC_POSTGRES_URL": url},
    )
    assert run.returncode == 0 and "published to the PostgreSQL target" in run.stdout, run.stdout + run.stderr
    return PublishedOnPostgres(root / "raw", url, warehouse)


def copy_published(published: PublishedOnPostgres, tmp_path: Path, name: str) -> PublishedOnPostgres:
    """A private copy of a warehouse published on PostgreSQL: a database made from it as a
    template, its run directory and its raw files, under `tmp_path`."""
    from tests.postgres_server import fresh_database

    shutil.copytree(published.raw, tmp_path / "raw")
    shutil.copytree(published.warehouse.parent, tmp_path / "wh")
    url = fresh_database(published.url, name, template=published.url.rsplit("/", 1)[1])
    return PublishedOnPostgres(tmp_path / "raw", url, tmp_path / "wh" / published.warehouse.name)


def warehouse_rows(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    """The rows of one query on a published warehouse, opened read-only for it."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def mart_rows(warehouse: Path) -> dict[str, list[tuple]]:
    """Every mart table's rows, less run_id (every mart carries the id of the run that built it).
    The views of the runs' history (test_history, finding_history) are left out: runs differ in them."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' and table_type = 'BASE TABLE'"
        ).fetchall()
        return {t: con.execute(f'select * exclude (run_id) from marts."{t}" order by all').fetchall() for (t,) in tables}
    finally:
        con.close()


# Tests that run a sequence of pipeline runs of their own, or cross a process boundary on purpose
# (kills, a second writer, readers during a publish, workers): `-m "not slow"` leaves them out.
SLOW_MODULES = {
    "test_crash_safety", "test_operations", "test_alerts", "test_calendar", "test_incremental_runs", "test_history",
    "test_workers", "test_hostile_files", "test_raw_dir_truth",
}
# Modules whose tests share a build of the module's own (a module-scoped fixture): their tests run
# on one xdist worker, so that it is made once. Every other test is scheduled on its own, and a
# session build it needs (the shipped run, the PostgreSQL server) is made once per worker.
MODULE_BUILDS = {
    "test_site", "test_dossiers", "test_postgres_access", "test_trends", "test_history", "test_index766",
    "test_metrics", "test_hostile_files", "test_corpus", "test_capture766", "test_units",
}
# Session builds shared by tests of several modules: their tests on one worker, so that each is made once.
SHARED_BUILDS = {"dbt_show": "dbt-show", "corpus_run": "corpus", "postgres_shipped": "postgres-shipped"}


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> Iterator[None]:
    """Marks by what a test needs (e2e, postgres, browser, slow), and its xdist group (see
    MODULE_BUILDS). A wrapper, so that the groups are set before xdist reads them."""
    for item in items:
        path = item.path
        module = path.stem
        if "e2e" in path.parts:
            item.add_marker(pytest.mark.e2e)
        fixtures = set(getattr(item, "fixturenames", ()))
        if "postgres_url" in fixtures:
            item.add_marker(pytest.mark.postgres)
        code = getattr(getattr(item, "function", None), "__code__", None)
        if code is not None and "browser_page" in (*code.co_names, *code.co_varnames):
            item.add_marker(pytest.mark.browser)
        if module in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        group = next((g for f, g in SHARED_BUILDS.items() if f in fixtures), module if module in MODULE_BUILDS else None)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
    return (yield)
