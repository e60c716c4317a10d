"""Settings: the environment is read by load_settings, when it is called, and arguments win."""

from __future__ import annotations

from pathlib import Path

import pytest

from tthc.settings import DBT_PROJECT_DIR, SettingsError, load_settings


def test_the_environment_is_read_when_settings_are_loaded(monkeypatch, tmp_path):
    project = tmp_path / "dbt_project"
    project.mkdir()
    for name, value in {"TTHC_MEMORY_LIMIT": "2GB", "TTHC_DBT_PROJECT_DIR": str(project),
                        "TTHC_NIGHTLY_CRON": "30 1 * * *", "TTHC_CUTOFF_CRON": "0 7 16 3,6,9,12 *",
                        "TTHC_CAPTURE_CRON": "0 6 * * 1-5", "TTHC_WAREHOUSE": str(tmp_path / "wh" / "tthc.duckdb")}.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(raw_dir=tmp_path / "raw")
    assert (settings.memory_limit, settings.dbt_project_dir, settings.nightly_cron, settings.cutoff_cron, settings.capture_cron) == (
        "2GB", project.resolve(), "30 1 * * *", "0 7 16 3,6,9,12 *", "0 6 * * 1-5")
    assert (settings.raw_dir, settings.warehouse) == ((tmp_path / "raw").resolve(), (tmp_path / "wh" / "tthc.duckdb").resolve())


def test_without_the_environment_the_defaults_hold(monkeypatch):
    for name in ("TTHC_MEMORY_LIMIT", "TTHC_DBT_PROJECT_DIR", "TTHC_NIGHTLY_CRON", "TTHC_CUTOFF_CRON", "TTHC_TARGET"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(raw_dir="raw", warehouse="wh/tthc.duckdb")
    assert settings.memory_limit == "80%" and settings.dbt_project_dir == DBT_PROJECT_DIR.resolve()
    assert settings.nightly_cron == "0 2 * * *" and settings.cutoff_cron == "0 6 15 3,6,9,12 *"  # the cut-off day: a dbt var
    assert settings.target == "duckdb" and Path(settings.raw_dir).is_absolute()


def test_a_target_that_is_not_known_or_lacks_its_url_is_refused(monkeypatch):
    monkeypatch.delenv("TTHC_POSTGRES_URL", raising=False)
    with pytest.raises(SettingsError, match="not one of duckdb, postgres"):
        load_settings(target="sqlite")
    with pytest.raises(SettingsError, match="needs TTHC_POSTGRES_URL"):
        load_settings(target="postgres")


def test_alerts_mail_the_mailbox_the_portal_and_the_run_date_are_settings_too(monkeypatch, tmp_path):
    for name, value in {"TTHC_NOTIFY": "json://127.0.0.1:9/a, mailto://k@x\njson://127.0.0.1:9/b",
                        "TTHC_REPORT_URL": "http://kstt.tinh.gov.vn/tthc/", "TTHC_AS_OF": " 2021-09-22 ",
                        "TTHC_SMTP_URL": "smtp://127.0.0.1:25", "TTHC_MAILBOX": "imaps://k%40x@mail/INBOX",
                        "TTHC_766_PROVINCES": "25, 22", "TTHC_PORTAL_PACE_S": "0"}.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(raw_dir=tmp_path / "raw")
    assert settings.notify_urls == ("json://127.0.0.1:9/a", "mailto://k@x", "json://127.0.0.1:9/b")
    assert settings.report_url == "http://kstt.tinh.gov.vn/tthc" and settings.as_of == "2021-09-22"
    assert (settings.smtp_url, settings.mailbox_url, settings.portal_pace_s) == ("smtp://127.0.0.1:25", "imaps://k%40x@mail/INBOX", "0")
    assert settings.index766_provinces == ("25", "22")


def test_a_run_date_the_calendar_cannot_take_is_refused_naming_it():
    from tthc.runs.calendar import RunDateError, as_of_date

    assert str(as_of_date("2021-09-22")) == "2021-09-22"
    with pytest.raises(RunDateError, match='TTHC_AS_OF="22/09/2021"'):
        as_of_date("22/09/2021")


def test_the_mailbox_password_comes_from_its_variable_or_the_first_line_of_its_file(tmp_path):
    from tthc.ingest.mailbox import password_from

    secret = tmp_path / "secret"
    secret.write_text("s3cret\nignored\n", encoding="utf-8")
    assert password_from("given", str(secret)) == "given"
    assert password_from(None, str(secret)) == "s3cret"
    assert password_from(None, None) is None
