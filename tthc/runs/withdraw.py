"""`tthc withdraw`: take a report out of the marts, with its reason; its history is kept.

A withdrawal is recorded by a run (write, audit, publish, like any other), in
audit.withdrawals. It applies to the versions delivered before it: content delivered after
it is current again (dbt model int_file_versions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from tthc.settings import Settings
from tthc.warehouse import connect_published


@dataclass(frozen=True)
class Withdrawal:
    dataset: str
    province_code: str
    period: str
    reason: str

    def describe(self) -> str:
        return f"{self.dataset} {self.province_code} {self.period}: {self.reason}"


def check_withdrawal(settings: Settings, withdrawal: Withdrawal) -> str | None:
    """Why the published warehouse cannot take this withdrawal (no such report), or None."""
    con = connect_published(settings)
    if con is None:
        return f"no published warehouse at {settings.warehouse}: nothing to withdraw"
    try:
        versions = con.execute(
            "select count(*) from raw.report_files where dataset = ? and province_code = ? and period = ?",
            [withdrawal.dataset, withdrawal.province_code, withdrawal.period],
        ).fetchone()[0]
    finally:
        con.close()
    if versions == 0:
        return (
            f"no report {withdrawal.dataset} {withdrawal.province_code} {withdrawal.period} was ever loaded; "
            "check the dataset, province code and period"
        )
    return None


def record_withdrawal(con: duckdb.DuckDBPyConnection, withdrawal: Withdrawal, run_id: str) -> None:
    """The withdrawal, in the run's working copy."""
    con.execute(
        "insert into audit.withdrawals values (?, ?, ?, ?, ?, ?)",
        [withdrawal.dataset, withdrawal.province_code, withdrawal.period, withdrawal.reason, datetime.now(UTC), run_id],
    )
