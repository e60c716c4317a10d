"""Warehouses written before test results named their run take the first build recorded after them."""

from __future__ import annotations

import duckdb


def test_test_results_from_before_run_ids_take_the_build_after_them(tmp_path):
    from tthc.contract.datasets import load_contract
    from tthc.warehouse.schema import ensure_warehouse

    con = duckdb.connect(str(tmp_path / "tthc.duckdb"))
    con.execute("create schema audit")
    con.execute(
        """create table audit.test_results (
            invocation_id varchar not null, test_name varchar not null, unique_id varchar not null,
            test_type varchar not null, model varchar, severity varchar, status varchar not null,
            failures bigint, message varchar, executed_at timestamptz not null)"""
    )
    con.execute(
        """create table audit.builds (run_id varchar not null, project_hash varchar not null,
            built_at timestamptz not null, docs_fingerprint varchar)"""
    )
    con.execute("insert into audit.builds values ('R1', 'p', '2026-01-01 10:05+00', null), ('R2', 'p', '2026-01-02 10:05+00', null)")
    con.execute(
        """insert into audit.test_results values
           ('i1', 't', 'test.t', 'data', 'm', 'ERROR', 'pass', 0, null, '2026-01-01 10:04+00'),
           ('i2', 't', 'test.t', 'data', 'm', 'ERROR', 'pass', 0, null, '2026-01-02 10:04+00')"""
    )
    contract = load_contract()
    ensure_warehouse(con, contract)
    ensure_warehouse(con, contract)  # a second time changes nothing
    assert con.execute("select invocation_id, run_id from audit.test_results order by 1").fetchall() == [
        ("i1", "R1"), ("i2", "R2")]
    con.close()
