"""Record-level exports without a flow run: synthetic plans, the shape of older warehouses,
encodings turned away, and hashes started ahead."""

from __future__ import annotations

import os

import duckdb

from tthc.demo import Calibration, apportion, month_plan
from tthc.warehouse.duckdb import DuckDBWriter


def test_apportion_is_exact_and_proportional():
    assert sum(apportion(1_191_036, [0.85, 0.7, 1.0, 1.2])) == 1_191_036
    assert apportion(10, [1, 1]) == [5, 5]
    plan = month_plan(Calibration(1_191_036, 506_606, 616_726, 2_887), list(range(1, 13)))
    assert sum(p.received for p in plan.values()) == 1_191_036
    assert sum(p.early for p in plan.values()) == 506_606
    assert sum(p.on_time for p in plan.values()) == 616_726
    assert sum(p.late for p in plan.values()) == 2_887
    assert all(p.early + p.on_time + p.late <= p.received for p in plan.values())


def test_a_warehouse_from_before_file_ids_moves_to_them(tmp_path):
    """Dossier rows written with path, hash, line and load id on every row keep their file version."""
    from tthc.contract.datasets import load_contract
    from tthc.warehouse.schema import ensure_warehouse

    con = duckdb.connect(str(tmp_path / "tthc.duckdb"))
    con.execute("create schema raw")
    con.execute(
        """create table raw.report_files (
            file_path varchar not null, file_sha256 varchar not null, dataset varchar not null,
            province_code varchar not null, period varchar not null, period_start date not null,
            period_end date not null, revision integer not null, load_id varchar not null,
            loaded_at timestamptz not null, rows_read integer not null)"""
    )
    con.execute(
        """insert into raw.report_files values
           ('dossiers/22_2020-02.csv', 'bb', 'dossiers', '22', '2020-02', '2020-01-16', '2020-02-15', 0, 'L2', '2026-01-02', 1),
           ('dossiers/22_2020-01.csv', 'aa', 'dossiers', '22', '2020-01', '2019-12-16', '2020-01-15', 0, 'L1', '2026-01-01', 2)"""
    )
    con.execute(
        """create table raw.dossiers (
            _file_path varchar not null, _file_sha256 varchar not null, _line_number bigint not null,
            _load_id varchar not null, dossier_id varchar, procedure_code varchar, unit_code varchar, level varchar,
            channel varchar, received_at timestamp, due_at timestamp, resolved_at timestamp, status varchar,
            synthetic boolean)"""
    )
    con.execute(
        """insert into raw.dossiers (_file_path, _file_sha256, _line_number, _load_id, dossier_id) values
           ('dossiers/22_2020-01.csv', 'aa', 2, 'L1', 'A'), ('dossiers/22_2020-01.csv', 'aa', 3, 'L1', 'B'),
           ('dossiers/22_2020-02.csv', 'bb', 2, 'L2', 'C')"""
    )
    contract = load_contract()
    ensure_warehouse(con, contract)
    ensure_warehouse(con, contract)  # a second time changes nothing

    assert con.execute(
        """select f.file_id, f.file_path, d.dossier_id from raw.dossiers as d
           join raw.report_files as f on f.file_id = d._file_id order by all"""
    ).fetchall() == [(1, "dossiers/22_2020-01.csv", "A"), (1, "dossiers/22_2020-01.csv", "B"), (2, "dossiers/22_2020-02.csv", "C")]
    assert "_file_path" not in [c[0] for c in con.execute("describe raw.dossiers").fetchall()]
    con.close()


def test_an_export_in_another_encoding_is_refused_with_its_reason(tmp_path):
    """Dossier exports are UTF-8 or UTF-16 (contract §1.4): a Windows-1258 one is refused, not guessed."""
    from tthc.contract.datasets import load_contract
    from tthc.ingest.directory import load_record_file
    from tthc.ingest.discover import parse_name
    from tthc.warehouse.schema import ensure_warehouse

    (tmp_path / "raw" / "dossiers").mkdir(parents=True)
    (tmp_path / "raw" / "dossiers" / "22_2021-07.csv").write_bytes(
        "dossier_id,procedure_code,unit_code,level,channel,received_at,due_at,resolved_at,status\n"
        "A1,P1,U1,province,online,01/07/2021,08/07/2021,,Đơn đang\n".encode("cp1258")
    )
    contract = load_contract()
    con = DuckDBWriter(tmp_path / "tthc.duckdb", "1GB")  # the connection a run writes through
    ensure_warehouse(con, contract)
    found = parse_name("dossiers/22_2021-07.csv", contract.all_datasets, contract.snapshots)
    entry = load_record_file(con, contract, tmp_path / "raw", "L1", found, None, False)
    assert entry.status == "refused" and entry.reason.startswith("dossiers/22_2021-07.csv: not a readable dossiers export")
    assert con.execute("select status from audit.ingest_log").fetchall() == [("refused",)]
    assert con.execute("select count(*) from raw.dossiers").fetchone() == (0,)
    con.close()


def test_a_hash_started_ahead_serves_only_the_file_as_it_was(tmp_path):
    """`tthc run` starts hashing new exports before Prefect starts; ingestion uses that hash only
    while the file keeps its size and modification time (the rule audit.raw_state follows too)."""
    import hashlib

    from tthc.ingest import read

    export = tmp_path / "22_2020-01.csv"
    export.write_bytes(b"first\n")
    ahead = read.hash_ahead(tmp_path, [export.name])
    for started in ahead.started.values():
        started.result()
    stat = export.stat()
    export.write_bytes(b"other\n")  # same size; given back its modification time: the hash ahead stands
    os.utime(export, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert ahead.sha256(tmp_path, export.name) == hashlib.sha256(b"first\n").hexdigest()

    ahead = read.hash_ahead(tmp_path, [export.name])
    export.write_bytes(b"changed since\n")  # another size: hashed again
    assert ahead.sha256(tmp_path, export.name) == hashlib.sha256(b"changed since\n").hexdigest()
