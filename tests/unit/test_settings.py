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
