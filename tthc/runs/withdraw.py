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
    unit_code: str | None = None  # a unit's report (contract §1.6); None: the province's own

    def describe(self) -> str:
        unit = f" {self.unit_code}" if self.unit_code else ""
        return f"{self.dataset} {self.province_code}{unit} {self.period}: {self.reason}"


def check_withdrawal(settings: Settings, withdrawal: Withdrawal) -> str | None:
    """Why the published warehouse cannot take this withdrawal (no such report), or None."""
    con = connect_published(settings)
    if con is None:
        return f"no published warehouse at {settings.warehouse}: nothing to withdraw"
    try:
        versions = con.execute(
            """select count(*) from raw.report_files where dataset = ? and province_code = ? and period = ?
                 and unit_code is not distinct from ?""",
            [withdrawal.dataset, withdrawal.province_code, withdrawal.period, withdrawal.unit_code],
        ).fetchone()[0]
    finally:
        con.close()
    if versions == 0:
        unit = f" of unit {withdrawal.unit_code}" if withdrawal.unit_code else ""
        return (
            f"no report {withdrawal.dataset} {withdrawal.province_code} {withdrawal.period}{unit} was ever loaded; "
            "check the dataset, province code, period and unit"
        )
    return None


def record_withdrawal(con: duckdb.DuckDBPyConnection, withdrawal: Withdrawal, run_id: str) -> None:
    """The withdrawal, in the run's working copy."""
    con.execute(
        """insert into audit.withdrawals (dataset, province_code, period, reason, withdrawn_at, run_id, unit_code)
           values (?, ?, ?, ?, ?, ?, ?)""",
        [withdrawal.dataset, withdrawal.province_code, withdrawal.period, withdrawal.reason, datetime.now(UTC), run_id,
         withdrawal.unit_code],
    )
