"""Loads no build took in: what a run killed after loading leaves for the next one to build."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb


def test_the_loads_after_the_last_build_by_other_runs_are_unbuilt(tmp_path):
    from tthc.contract.datasets import load_contract
    from tthc.runs.results import unbuilt_datasets
    from tthc.warehouse.schema import ensure_warehouse

    con = duckdb.connect(str(tmp_path / "tthc.duckdb"))
    ensure_warehouse(con, load_contract())
    now = datetime.now(UTC)

    def logged(run_id: str, dataset: str, status: str) -> None:
        con.execute("insert into audit.ingest_log (file_path, dataset, status, load_id, loaded_at) values (?, ?, ?, ?, ?)",
                    [f"{dataset}/22_2021.csv", dataset, status, run_id, now])

    logged("20261201T000000000000Z", "feedback", "loaded")  # built by its own run
    con.execute("insert into audit.builds values ('20261201T000000000000Z', 'p', ?, null)", [now])
    logged("20261202T000000000000Z", "dossier_results", "loaded")  # its run died before its build was recorded
    logged("20261202T000000000000Z", "online_services", "refused")
    logged("20261202T000000000000Z", "procedure_control", "redelivered")
    logged("20261203T000000000000Z", "procedure_inventory", "loaded")  # this run's own
    assert unbuilt_datasets(con, "20261203T000000000000Z") == ("dossier_results", "procedure_control")
    con.execute("insert into audit.builds values ('20261203T000000000000Z', 'p', ?, null)", [now])
    assert unbuilt_datasets(con, "20261204T000000000000Z") == ()
