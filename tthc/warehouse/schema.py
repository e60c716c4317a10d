"""Every table the flow writes (schemas raw and audit), and the migrations of older warehouses.

`ensure_warehouse` brings any warehouse, new or from an earlier version, to the current shape:
first the migrations in order (each applied once, and recorded in audit.migrations), then the
tables, then the columns the contract gained. dbt owns every other schema.

Identifiers come only from this module and the contract (checked to be plain snake_case).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import UTC, datetime

import duckdb

from tthc.contract.datasets import Contract

_IDENT = re.compile(r"[a-z_][a-z0-9_]*")

# Every row of a form table carries its file version, physical line, kind of row and load.
LINEAGE_TYPES = {
    "_file_path": "varchar", "_file_sha256": "varchar", "_line_number": "integer", "_row_kind": "varchar", "_load_id": "varchar",
}
LINEAGE_COLUMNS = tuple(LINEAGE_TYPES)
# Every row of an index snapshot carries its file version and load (its place is its json_path).
SNAPSHOT_LINEAGE_COLUMNS = ("_file_path", "_file_sha256", "_load_id")
SNAPSHOT_LINEAGE = ", ".join(f"{c} varchar not null" for c in SNAPSHOT_LINEAGE_COLUMNS)
RECORD_SQL_TYPES = {"varchar": "varchar", "timestamp": "timestamp", "boolean": "boolean"}

# each time a file version became the content at its path: first load, then each re-delivery
DELIVERIES = """create table if not exists raw.deliveries (
        file_path varchar not null, file_sha256 varchar not null, load_id varchar not null,
        delivered_at timestamptz not null)"""

TABLES = [
    "create schema if not exists raw",
    "create schema if not exists audit",
    # what each run saw of each file: loaded, duplicate, superseded, refused or rejected, and why
    """create table if not exists audit.ingest_log (
        file_path varchar not null, file_sha256 varchar, dataset varchar, province_code varchar,
        period varchar, revision integer, status varchar not null, reason varchar,
        rows_read integer, load_id varchar not null, loaded_at timestamptz not null, unit_code varchar)""",
    # rows of form files that carry no figures (titles, headers, level rows, notes), and ignored columns
    """create table if not exists audit.ingest_notes (
        load_id varchar not null, file_path varchar not null, file_sha256 varchar,
        line_number integer, kind varchar not null, text varchar)""",
    # lines of record exports that could not be read or typed, as written
    """create table if not exists audit.record_rejects (
        load_id varchar not null, file_path varchar not null, file_sha256 varchar not null,
        line_number bigint, reason varchar not null, line_text varchar)""",
    # one row per file version written to the raw tables, numbered in load order
    """create table if not exists raw.report_files (
        file_path varchar not null, file_sha256 varchar not null, dataset varchar not null,
        province_code varchar not null, period varchar not null, period_start date not null,
        period_end date not null, revision integer not null, load_id varchar not null,
        loaded_at timestamptz not null, rows_read integer not null, file_id bigint,
        snapshot_group varchar, captured_on date, unit_code varchar)""",
    # each province's units (contract §1.6): the rows of its last accepted units.csv
    """create table if not exists raw.units (
        province_code varchar not null, unit_code varchar not null, unit_name varchar not null,
        level varchar not null, parent_code varchar, valid_from date, valid_to date, portal_id varchar,
        emails varchar, list_position integer not null, _file_path varchar not null, _file_sha256 varchar not null,
        _load_id varchar not null)""",
    DELIVERIES,
    # where each canonical column of a loaded form file sits: its position, and the sheet read
    """create table if not exists raw.report_columns (
        file_path varchar not null, file_sha256 varchar not null, column_name varchar not null,
        position integer not null, sheet varchar)""",
    # reports taken out of the marts by `tthc withdraw`, and why
    """create table if not exists audit.withdrawals (
        dataset varchar not null, province_code varchar not null, period varchar not null,
        reason varchar not null, withdrawn_at timestamptz not null, run_id varchar not null,
        unit_code varchar)""",
    # every dbt test of every published run (run_id: the run whose build ran it)
    """create table if not exists audit.test_results (
        invocation_id varchar not null, test_name varchar not null, unique_id varchar not null,
        test_type varchar not null, model varchar, severity varchar, status varchar not null,
        failures bigint, message varchar, executed_at timestamptz not null, run_id varchar)""",
    # every finding a published run's marts held, by its key (marts.data_quality_findings): as it
    # was when first seen, and the first and last runs that held it
    """create table if not exists audit.findings_seen (
        finding_key varchar not null, severity varchar not null, check_code varchar, dataset varchar,
        province_code varchar, period varchar, source_file varchar, line_number integer,
        column_name varchar, message varchar not null, first_run_id varchar not null,
        first_seen_at timestamptz not null, last_run_id varchar not null, last_seen_at timestamptz not null)""",
    # each build: the dbt project it used, and the fingerprint of the docs it generated
    """create table if not exists audit.builds (
        run_id varchar not null, project_hash varchar not null, built_at timestamptz not null,
        docs_fingerprint varchar)""",
    # the run writing this file: every mart's run_id column reads it (dbt macro run_id()), and its
    # date, "now" for the reporting calendar (dbt macro as_of_date())
    "create table if not exists audit.current_run (run_id varchar not null, as_of date)",
    # the datasets whose marts the run writing this file rebuilds: a mart incremental by dataset
    # (indicator_trends) replaces only their rows (dbt macro datasets_rebuilt())
    "create table if not exists audit.current_run_datasets (dataset varchar not null)",
    # every period of the reporting calendar, with its dates (tthc/runs/calendar.py)
    """create table if not exists raw.calendar_periods (
        period varchar not null, period_type varchar not null, period_start date not null,
        period_end date not null, previous_period varchar, year_ago_period varchar)""",
    # the raw files the published run saw, with size and modification time (tthc/runs/changes.py)
    """create table if not exists audit.raw_state (
        file_path varchar not null, size_bytes bigint not null, modified_ns bigint not null,
        file_sha256 varchar, status varchar not null, run_id varchar not null)""",
]


def quote_ident(name: str) -> str:
    if not _IDENT.fullmatch(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return f'"{name}"'


def stamp_run_id(con, run_id: str, schema: str = "marts", only: Collection[str] | None = None) -> None:
    """Give the marts of `schema` (or `only` those) this run's id, so that one query sees one run
    although a run rebuilds only the marts downstream of what changed (either engine)."""
    marts = [r[0] for r in con.execute(
        "select table_name from information_schema.columns where table_schema = ? and column_name = 'run_id' "
        "order by table_name", [schema]
    ).fetchall()]
    for mart in marts if only is None else [m for m in marts if m in only]:
        con.execute(f"update {quote_ident(schema)}.{quote_ident(mart)} set run_id = ? where run_id is distinct from ?", [run_id, run_id])


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?", [schema, table]
    ).fetchall()]


def _number_report_files(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Warehouses from before file ids: number their file versions in load order."""
    if not _columns(con, "raw", "report_files"):
        return
    con.execute("alter table raw.report_files add column if not exists file_id bigint")
    con.execute(
        """update raw.report_files as f set file_id = n.file_id
           from (select file_path, file_sha256, row_number() over (order by loaded_at, file_path) as file_id
                 from raw.report_files) as n
           where f.file_id is null and n.file_path = f.file_path and n.file_sha256 = f.file_sha256"""
    )


def _records_to_file_ids(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Record tables of the earlier shape (file path, hash, line and load id on every row) move to
    one file id per row."""
    for spec in contract.records.values():
        if "_file_path" not in _columns(con, "raw", spec.name):
            continue
        table, before = f"raw.{quote_ident(spec.name)}", f"raw.{quote_ident(spec.name + '__before_file_ids')}"
        names = ", ".join(quote_ident(c.name) for c in spec.columns)
        con.execute(f"alter table {table} rename to {quote_ident(spec.name + '__before_file_ids')}")
        con.execute(_record_table_ddl(spec))
        con.execute(
            f"""insert into {table} select f.file_id, {names}
                from {before} as d
                join raw.report_files as f on f.file_path = d._file_path and f.file_sha256 = d._file_sha256"""
        )
        con.execute(f"drop table {before}")


def _builds_keep_docs_fingerprint(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    if _columns(con, "audit", "builds"):
        con.execute("alter table audit.builds add column if not exists docs_fingerprint varchar")


def _deliveries_from_report_files(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Warehouses from before deliveries: each file version was delivered once, when it was loaded."""
    if not _columns(con, "raw", "report_files"):
        return
    con.execute(DELIVERIES)
    con.execute("insert into raw.deliveries select file_path, file_sha256, load_id, loaded_at from raw.report_files")


def _current_run_keeps_as_of(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    if _columns(con, "audit", "current_run"):
        con.execute("alter table audit.current_run add column if not exists as_of date")


def _report_files_keep_snapshots(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Index snapshots (index766) are catalogued with their group and capture date."""
    if _columns(con, "raw", "report_files"):
        con.execute("alter table raw.report_files add column if not exists snapshot_group varchar")
        con.execute("alter table raw.report_files add column if not exists captured_on date")


def _calendar_periods_know_neighbours(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Each calendar period names its previous period and the same period a year before."""
    if _columns(con, "raw", "calendar_periods"):
        con.execute("alter table raw.calendar_periods add column if not exists previous_period varchar")
        con.execute("alter table raw.calendar_periods add column if not exists year_ago_period varchar")


def _test_results_know_their_run(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Each test result names its run: earlier ones take the first build recorded after them."""
    if _columns(con, "audit", "test_results"):
        con.execute("alter table audit.test_results add column if not exists run_id varchar")
        con.execute(
            """update audit.test_results set run_id = (
                   select b.run_id from audit.builds as b
                   where b.built_at >= audit.test_results.executed_at order by b.built_at limit 1)
               where run_id is null"""
        )


def _unit_reports(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Unit reports (contract §1.6): a file version, a log row and a withdrawal may name a unit."""
    if _columns(con, "audit", "ingest_log"):
        con.execute("alter table audit.ingest_log add column if not exists unit_code varchar")
    if _columns(con, "raw", "report_files"):
        con.execute("alter table raw.report_files add column if not exists unit_code varchar")
    if _columns(con, "audit", "withdrawals"):
        con.execute("alter table audit.withdrawals add column if not exists unit_code varchar")


# In the order they were written; a name, once released, never changes.
MIGRATIONS: list[tuple[str, Callable[[duckdb.DuckDBPyConnection, Contract], None]]] = [
    ("report_file_ids", _number_report_files),
    ("record_file_ids", _records_to_file_ids),
    ("builds_docs_fingerprint", _builds_keep_docs_fingerprint),
    ("deliveries", _deliveries_from_report_files),
    ("current_run_as_of", _current_run_keeps_as_of),
    ("report_files_snapshots", _report_files_keep_snapshots),
    ("calendar_period_neighbours", _calendar_periods_know_neighbours),
    ("test_results_run_id", _test_results_know_their_run),
    ("unit_reports", _unit_reports),
]


def _record_table_ddl(spec) -> str:  # spec: tthc.contract.datasets.RecordDataset
    cols = ", ".join(f"{quote_ident(c.name)} {RECORD_SQL_TYPES[c.type]}" for c in spec.columns)
    return f"create table if not exists raw.{quote_ident(spec.name)} (_file_id bigint not null, {cols})"


def ensure_warehouse(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Migrate, then create the raw and audit tables; add columns the contract gained since."""
    con.execute("create schema if not exists audit")
    con.execute("create table if not exists audit.migrations (name varchar not null, applied_at timestamptz not null)")
    applied = {r[0] for r in con.execute("select name from audit.migrations").fetchall()}
    for name, migrate in MIGRATIONS:
        if name not in applied:
            migrate(con, contract)
            con.execute("insert into audit.migrations values (?, ?)", [name, datetime.now(UTC)])
    for ddl in TABLES:
        con.execute(ddl)
    for ds in contract.datasets.values():
        table = f"raw.{quote_ident(ds.name)}"
        lineage = ", ".join(f"{name} {sql_type} not null" for name, sql_type in LINEAGE_TYPES.items())
        con.execute(f"create table if not exists {table} ({lineage})")
        have = set(_columns(con, "raw", ds.name))
        for col in ds.column_names:
            if col not in have:
                con.execute(f"alter table {table} add column {quote_ident(col)} varchar")
    for spec in contract.records.values():
        con.execute(_record_table_ddl(spec))
    for snapshots in contract.snapshots.values():
        cols = ", ".join(f"{quote_ident(c)} varchar" for c in snapshots.column_names)
        con.execute(f"create table if not exists raw.{quote_ident(snapshots.name)} ({SNAPSHOT_LINEAGE}, {cols})")
