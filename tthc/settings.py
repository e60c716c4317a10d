"""Paths and environment in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The dbt project shipped with the package: the contract, the seeds and the rules Python and SQL
# share are read from it. A run may build another copy of it (Settings.dbt_project_dir).
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SOURCES_YAML = DBT_PROJECT_DIR / "models" / "staging" / "_raw__sources.yml"
PROVINCES_CSV = DBT_PROJECT_DIR / "seeds" / "provinces_2025.csv"
INDEX766_GROUPS_CSV = DBT_PROJECT_DIR / "seeds" / "index766_groups.csv"
INDEX766_PORTAL_CODES_CSV = DBT_PROJECT_DIR / "seeds" / "index766_portal_codes.csv"


@cache
def dbt_var(name: str) -> Any:
    """A var of the dbt project (dbt_project.yml): the rules Python and SQL share are written there."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return project["vars"][name]


# Scheduled runs (tthc/schedule.py), in Asia/Ho_Chi_Minh time: every night at 02:00, and at 06:00
# on each quarter's cut-off day (the 15th of March, June, September, December).
NIGHTLY_CRON = "0 2 * * *"
CAPTURE_CRON = "0 7 * * 1-5"  # the 766 index on working days at 07:00, then a run


def cutoff_cron() -> str:
    """The default schedule of the run after each quarter's cut-off day."""
    return f"0 6 {dbt_var('reporting_cutoff_day')} 3,6,9,12 *"


# The published file must stay readable by DuckDB 1.4+ clients (contract §2).
STORAGE_VERSION = "v1.4.0"


class SettingsError(ValueError):
    """The settings asked for cannot be used (an unknown target, a missing URL)."""


@dataclass(frozen=True)
class Settings:
    """Where a run reads raw files and publishes the warehouse."""

    raw_dir: Path
    warehouse: Path  # the published DuckDB file; with the PostgreSQL target, where runs and pages are kept
    target: str = "duckdb"  # duckdb | postgres
    postgres_url: str | None = None  # libpq URL of the PostgreSQL target (TTHC_POSTGRES_URL)
    # What one read-only query may use (tthc query, shell, metrics): DuckDB's memory limit
    # (TTHC_QUERY_MEMORY, an amount such as "4GB" or a share of RAM) and its threads.
    query_memory: str = "25%"
    query_threads: int = 1
    # DuckDB's memory limit for the writing run (ingest and dbt; TTHC_MEMORY_LIMIT): an amount
    # such as "4GB", or a share of RAM. Beyond it DuckDB spills to disk.
    memory_limit: str = "80%"
    dbt_project_dir: Path = DBT_PROJECT_DIR  # the dbt project runs build (TTHC_DBT_PROJECT_DIR: a copy with an extra test, say)
    nightly_cron: str = NIGHTLY_CRON  # TTHC_NIGHTLY_CRON
    cutoff_cron: str = field(default_factory=cutoff_cron)  # TTHC_CUTOFF_CRON
    capture_cron: str = CAPTURE_CRON  # TTHC_CAPTURE_CRON
    # The run's date instead of today in Vietnam (TTHC_AS_OF, YYYY-MM-DD), as written:
    # tthc/runs/calendar.py checks it when a run needs its date.
    as_of: str = ""
    # Alerts: Apprise URLs (TTHC_NOTIFY, separated by spaces, commas or new lines) and the report
    # site's address their messages link to (TTHC_REPORT_URL).
    notify_urls: tuple[str, ...] = ()
    report_url: str = ""
    # The SMTP server that mails provinces, units and senders (TTHC_SMTP_URL, smtp:// or smtps://),
    # its password (TTHC_SMTP_PASSWORD) and the address mail comes from (TTHC_SMTP_FROM).
    smtp_url: str = ""
    smtp_password: str | None = None
    smtp_from: str = ""
    # The office's mailbox (TTHC_MAILBOX, imaps://…), its password (TTHC_MAILBOX_PASSWORD, or the
    # file TTHC_MAILBOX_PASSWORD_FILE names) and the folder letters go once taken (TTHC_MAILBOX_DONE).
    mailbox_url: str = ""
    mailbox_password: str | None = None
    mailbox_password_file: str | None = None
    mailbox_done: str | None = None
    # The portal the 766 index is captured from (TTHC_PORTAL_URL, TTHC_PORTAL_HEADERS as JSON,
    # TTHC_PORTAL_PACE_S between requests) and the provinces captured (TTHC_766_PROVINCES).
    portal_url: str | None = None
    portal_headers: str | None = None
    portal_pace_s: str | None = None
    index766_provinces: tuple[str, ...] = ()

    @property
    def contacts_file(self) -> Path:
        """Each province's offices' addresses (`province_code,email`), beside the raw directory:
        who a report comes from when its title does not say (`tthc intake --sender`)."""
        return self.raw_dir.parent / "contacts.csv"

    @property
    def inbox_dir(self) -> Path:
        """Attachments the mailbox's intake held, beside the raw directory, until a clerk files
        them (`tthc add`) or deletes them."""
        return self.raw_dir.parent / "inbox"

    @property
    def intake_ledger(self) -> Path:
        """The mailbox's letters taken in, by Message-ID, and their receipts (tthc/ingest/ledger.py)."""
        return self.warehouse.parent / "intake.sqlite"

    @property
    def work_dir(self) -> Path:
        """Working files of runs in progress, beside the published warehouse."""
        return self.warehouse.parent / "work"

    @property
    def lock_file(self) -> Path:
        return self.warehouse.parent / ".tthc.lock"

    @property
    def runs_dir(self) -> Path:
        """One JSON record per run, whatever its outcome (tthc/runs/runlog.py)."""
        return self.warehouse.parent / "runs"

    @property
    def report_dir(self) -> Path:
        """The report site (tthc/report/site.py)."""
        return self.warehouse.parent / "report"

    @property
    def report_page(self) -> Path:
        """The report site's overview, where it opens."""
        return self.report_dir / "index.html"

    @property
    def docs_page(self) -> Path:
        """The dbt docs of the published warehouse, one static page."""
        return self.warehouse.parent / "docs" / "index.html"

    @property
    def semantic_manifest(self) -> Path:
        """The metrics layer of the published warehouse (dbt's semantic_manifest.json), which
        `tthc metrics` reads."""
        return self.warehouse.parent / "semantic_manifest.json"

    @property
    def dbt_target_dir(self) -> Path:
        return self.warehouse.parent / "dbt_target"


TARGETS = ("duckdb", "postgres")


def load_settings(
    raw_dir: str | Path | None = None, warehouse: str | Path | None = None, target: str | None = None,
    postgres_url: str | None = None,
) -> Settings:
    """Arguments win over TTHC_RAW_DIR / TTHC_WAREHOUSE / TTHC_TARGET / TTHC_POSTGRES_URL, which
    win over the defaults. The only place the package reads its settings from the environment
    (every TTHC_ variable: the fields of Settings name theirs)."""
    raw = raw_dir or os.environ.get("TTHC_RAW_DIR") or PROJECT_ROOT / "raw"
    wh = warehouse or os.environ.get("TTHC_WAREHOUSE") or PROJECT_ROOT / "warehouse" / "tthc.duckdb"
    chosen = target or os.environ.get("TTHC_TARGET") or "duckdb"
    if chosen not in TARGETS:
        raise SettingsError(f"đích {chosen!r} không phải {' hay '.join(TARGETS)} / target {chosen!r} is not one of {', '.join(TARGETS)}")
    url = postgres_url or os.environ.get("TTHC_POSTGRES_URL")
    if chosen == "postgres" and not url:
        raise SettingsError(
            "đích postgres cần TTHC_POSTGRES_URL / the postgres target needs TTHC_POSTGRES_URL, "
            "e.g. postgresql://tthc@127.0.0.1:5432/tthc"
        )
    return Settings(
        raw_dir=Path(raw).resolve(), warehouse=Path(wh).resolve(), target=chosen, postgres_url=url,
        query_memory=os.environ.get("TTHC_QUERY_MEMORY") or Settings.query_memory,
        query_threads=max(1, (os.cpu_count() or 2) // 2),
        memory_limit=os.environ.get("TTHC_MEMORY_LIMIT") or Settings.memory_limit,
        dbt_project_dir=Path(os.environ.get("TTHC_DBT_PROJECT_DIR") or DBT_PROJECT_DIR).resolve(),
        nightly_cron=os.environ.get("TTHC_NIGHTLY_CRON") or NIGHTLY_CRON,
        cutoff_cron=os.environ.get("TTHC_CUTOFF_CRON") or cutoff_cron(),
        capture_cron=os.environ.get("TTHC_CAPTURE_CRON") or CAPTURE_CRON,
        as_of=os.environ.get("TTHC_AS_OF", "").strip(),
        notify_urls=_listed(os.environ.get("TTHC_NOTIFY", "")),
        report_url=os.environ.get("TTHC_REPORT_URL", "").rstrip("/"),
        smtp_url=os.environ.get("TTHC_SMTP_URL", ""),
        smtp_password=os.environ.get("TTHC_SMTP_PASSWORD"),
        smtp_from=os.environ.get("TTHC_SMTP_FROM", ""),
        mailbox_url=os.environ.get("TTHC_MAILBOX", ""),
        mailbox_password=os.environ.get("TTHC_MAILBOX_PASSWORD"),
        mailbox_password_file=os.environ.get("TTHC_MAILBOX_PASSWORD_FILE"),
        mailbox_done=os.environ.get("TTHC_MAILBOX_DONE"),
        portal_url=os.environ.get("TTHC_PORTAL_URL"),
        portal_headers=os.environ.get("TTHC_PORTAL_HEADERS"),
        portal_pace_s=os.environ.get("TTHC_PORTAL_PACE_S"),
        index766_provinces=_listed(os.environ.get("TTHC_766_PROVINCES", "")),
    )


def _listed(text: str) -> tuple[str, ...]:
    """The items of a setting written as a list, separated by spaces, commas or new lines."""
    return tuple(item for item in text.replace(",", " ").split() if item)
