"""A run pays for what changed: dbt builds the nodes downstream of the raw tables whose content
changed, the docs are generated only when the project or the catalog changed, and a run against a
running Prefect server starts no server of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb

from tests.conftest import CORPUS, PROJECT_ROOT, SHIPPED_RAW, copy_warehouse, mart_rows


def _run_ids(warehouse) -> set[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_name from information_schema.columns where table_schema = 'marts' and column_name = 'run_id'"
        ).fetchall()
        return {r for (t,) in tables for (r,) in con.execute(f'select distinct run_id from marts."{t}"').fetchall()}
    finally:
        con.close()


def test_a_new_form_file_rebuilds_only_what_depends_on_it_and_equals_a_full_rebuild(shipped_run, prefect_server, tmp_path):
    from tthc.pipeline import run_pipeline

    warehouse = copy_warehouse(shipped_run.warehouse, tmp_path / "wh")
    docs, pages = warehouse.parent / "docs" / "index.html", warehouse.parent / "report"
    docs_before = docs.stat().st_mtime_ns
    page_of_26 = (pages / "provinces" / "26.html").read_text(encoding="utf-8")
    raw = tmp_path / "raw"
    shutil.copytree(SHIPPED_RAW, raw)
    shutil.copyfile(CORPUS / "feedback" / "36_2021.csv", raw / "feedback" / "36_2021.csv")

    added = run_pipeline(raw_dir=str(raw), warehouse=str(warehouse))

    assert added.published and added.ingest.count("loaded") == 1
    assert "source:raw.feedback+" in added.build.selection and "source:raw.dossiers+" not in added.build.selection
    standing = added.build.selection[added.build.selection.index("--exclude") + 1:]
    assert {"tag:dataset:dossier_results", "tag:dataset:dossiers"} <= set(standing)  # other datasets' marts stand
    assert "tag:dataset:feedback" not in standing
    assert not any(t.test_type == "unit" for t in added.build.tests)  # unit tests run when the project changes
    full_build = {t.unique_id for t in shipped_run.build.tests}
    assert 0 < len(added.build.tests) < len(full_build)
    assert _run_ids(warehouse) == {added.run_id}  # marts not rebuilt carry this run's id too: one run per query
    assert docs.stat().st_mtime_ns == docs_before  # same project, same catalog: the docs stand
    # the site rewrites the pages whose data changed: Nam Định (36) is new, Vĩnh Phúc (26) shows what it showed
    assert added.run_id in (pages / "provinces" / "36.html").read_text(encoding="utf-8")
    assert (pages / "provinces" / "26.html").read_text(encoding="utf-8") == page_of_26
    assert added.run_id in (pages / "run.html").read_text(encoding="utf-8")
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select count(*) from marts.feedback where province_code = '36'").fetchone()[0] > 0
    # the trends replaced the feedback indicators' rows only (incremental by dataset), and equal a full rebuild below
    assert con.execute("select dataset from audit.current_run_datasets").fetchall() == [("feedback",)]
    con.close()

    selective = mart_rows(warehouse)
    rebuilt = run_pipeline(raw_dir=str(raw), warehouse=str(warehouse), full_refresh=True)
    assert rebuilt.published and rebuilt.build.selection == () and rebuilt.ingest.count("loaded") == 0
    assert mart_rows(warehouse) == selective


def test_a_run_against_a_running_prefect_server_starts_no_server_of_its_own(shipped_run, prefect_server, tmp_path):
    from prefect.settings import PREFECT_API_URL

    warehouse = tmp_path / "tthc.duckdb"
    shutil.copyfile(shipped_run.warehouse, warehouse)
    raw = tmp_path / "raw"
    shutil.copytree(SHIPPED_RAW, raw, copy_function=shutil.copyfile)  # new modification times: a run, not "nothing new"
    run = subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", "run", "--raw-dir", str(raw), "--warehouse", str(warehouse)],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=600,
        env={**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()},
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "published to" in run.stdout
    assert "temporary server" not in run.stdout + run.stderr
