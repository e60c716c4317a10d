"""What a run records in its working file once dbt has built: its tests, its build, and the statuses its build settled for the files it loaded."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, date, datetime

import duckdb

from tthc.transform.dbt import BuildOutcome


def set_current_run(con: duckdb.DuckDBPyConnection, run_id: str, as_of: date) -> None:
    """The run writing this file, and its date: the marts dbt builds read their run_id column
    from it, and the reporting calendar its "now"."""
    con.execute("delete from audit.current_run")
    con.execute("insert into audit.current_run values (?, ?)", [run_id, as_of])


def set_datasets_rebuilt(con: duckdb.DuckDBPyConnection, datasets: Iterable[str]) -> None:
    """The datasets whose marts this run's build replaces (dbt macro datasets_rebuilt())."""
    con.execute("delete from audit.current_run_datasets")
    if rows := [[d] for d in sorted(set(datasets))]:
        con.executemany("insert into audit.current_run_datasets values (?)", rows)


def last_build(con: duckdb.DuckDBPyConnection) -> tuple[str, str | None] | None:
    """(project hash, docs fingerprint) of the last build recorded in this file, if any."""
    return con.execute(
        "select project_hash, docs_fingerprint from audit.builds order by built_at desc limit 1"
    ).fetchone()


def unbuilt_datasets(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[str, ...]:
    """The datasets of files loaded (or brought back) since the last build recorded, by runs other
    than `run_id`. Always none on DuckDB, where a run that does not publish leaves nothing; on
    PostgreSQL, where raw is written in place, those of a run killed or failed after loading: the
    next run builds them as its own."""
    rows = con.execute(
        "select distinct dataset from audit.ingest_log where status in ('loaded', 'redelivered') and load_id <> ? "
        "and load_id > coalesce((select max(run_id) from audit.builds), '') order by dataset", [run_id]
    ).fetchall()
    return tuple(dataset for (dataset,) in rows)


def record_build(con: duckdb.DuckDBPyConnection, run_id: str, project: str, docs_fingerprint: str | None) -> None:
    con.execute(
        "insert into audit.builds values (?, ?, ?, ?)", [run_id, project, datetime.now(UTC), docs_fingerprint]
    )


def docs_fingerprint(con: duckdb.DuckDBPyConnection, project: str) -> str:
    """What the docs page shows: the dbt project and the catalog (every table and column with its
    type). The docs are generated again only when it changes."""
    digest = hashlib.sha256(project.encode())
    for row in con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns order by 1, 2, 3, 4"
    ).fetchall():
        digest.update("\0".join(row).encode() + b"\n")
    return digest.hexdigest()


def store_test_results(con: duckdb.DuckDBPyConnection, outcome: BuildOutcome, run_id: str) -> None:
    """Append this run's tests to audit.test_results (history: never rewritten)."""
    if outcome.tests:
        con.executemany(
            "insert into audit.test_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[t.invocation_id, t.test_name, t.unique_id, t.test_type, t.model, t.severity, t.status,
              t.failures, t.message, t.executed_at, run_id] for t in outcome.tests],
        )


def record_findings_seen(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """The findings the marts now hold, in audit.findings_seen: a finding seen before gets this
    run as its last, a new one is added as first seen now (marts.finding_history reads it)."""
    now = datetime.now(UTC)
    con.execute(
        """update audit.findings_seen set last_run_id = ?, last_seen_at = ?
           where finding_key in (select finding_key from marts.data_quality_findings)""",
        [run_id, now],
    )
    con.execute(
        """insert into audit.findings_seen
           select finding_key, min(severity), min(check_code), min(dataset), min(province_code), min(period),
                  min(source_file), min(line_number), min(column_name), min(message), ?, ?, ?, ?
           from marts.data_quality_findings
           where finding_key not in (select finding_key from audit.findings_seen)
           group by finding_key""",
        [run_id, now, run_id, now],
    )


def settle_statuses(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, tuple[str, str]]:
    """Files this run loaded whose content has an error finding are rejected (with the first finding);
    those that are not the version in use are superseded. Returns {path: (status, reason)} of the changes."""
    rows = con.execute(
        """
        select
            log.file_path,
            v.is_rejected,
            (array_agg(
                coalesce('line ' || f.line_number || ': ', '') || f.message
                order by f.line_number nulls last, f.column_name
            ))[1] as first_error
        from audit.ingest_log as log
        join intermediate.int_report_versions as v
            on v.file_path = log.file_path and v.file_sha256 = log.file_sha256
        left join intermediate.int_findings as f
            on f.file_path = v.file_path and f.file_sha256 = v.file_sha256 and f.severity = 'error'
        where log.load_id = ? and log.status = 'loaded' and not v.is_current
        group by log.file_path, v.is_rejected
        """,
        [run_id],
    ).fetchall()
    changes = {
        path: ("rejected", f"{path}, {first_error}") if rejected else ("superseded", "a newer revision of this report is in use")
        for path, rejected, first_error in rows
    }
    for path, (status, reason) in changes.items():
        con.execute(
            "update audit.ingest_log set status = ?, reason = ? where load_id = ? and file_path = ?",
            [status, reason, run_id, path],
        )
    return changes
