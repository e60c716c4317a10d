"""What a run has dbt build, from what it loaded: no run needed to know."""

from __future__ import annotations

from tthc.ingest.discover import FoundFile
from tthc.ingest.load import LogEntry
from tthc.transform.selection import EVERYTHING, build_selection, datasets_rebuilt

DATASETS = {"dossier_results", "feedback", "index766"}


def _entry(dataset: str, status: str) -> LogEntry:
    return LogEntry(FoundFile(f"{dataset}/22_2021.csv", dataset=dataset), "sha", status)


def test_a_changed_project_or_a_full_refresh_builds_everything():
    assert build_selection([], True, False, DATASETS) == EVERYTHING
    assert build_selection([], False, True, DATASETS) == EVERYTHING


def test_nothing_loaded_on_the_same_day_builds_nothing():
    assert build_selection([_entry("feedback", "duplicate")], False, False, DATASETS) is None


def test_one_loaded_file_builds_downstream_of_its_dataset_and_leaves_the_others_standing():
    selection = build_selection([_entry("feedback", "loaded")], False, False, DATASETS)
    assert selection[0] == "--select" and "source:raw.feedback+" in selection
    assert selection[selection.index("--exclude") + 1:] == ("tag:dataset:dossier_results", "tag:dataset:index766")


def test_a_new_day_rebuilds_what_depends_on_the_date():
    assert build_selection([], False, False, DATASETS, as_of_changed=True) == ("--select", "tag:as_of+")


def test_what_a_dead_run_loaded_is_built_as_if_this_run_had_loaded_it():
    # on PostgreSQL a run killed after loading leaves its rows in raw: the next one finds the files
    # duplicates, and builds their datasets all the same
    selection = build_selection([_entry("feedback", "duplicate")], False, False, DATASETS, unbuilt=["feedback"])
    assert "source:raw.feedback+" in selection and "source:raw.report_files+" in selection
    assert selection[selection.index("--exclude") + 1:] == ("tag:dataset:dossier_results", "tag:dataset:index766")


def test_a_mart_incremental_by_dataset_replaces_the_rows_of_what_changed_or_of_every_dataset_on_a_full_build():
    entries = [_entry("feedback", "loaded"), _entry("dossier_results", "duplicate"), _entry("index766", "redelivered")]
    selection = build_selection(entries, False, False, DATASETS)
    assert datasets_rebuilt(selection, entries, DATASETS) == {"feedback", "index766"}
    assert datasets_rebuilt(selection, entries, DATASETS, unbuilt=["dossier_results"]) == DATASETS
    assert datasets_rebuilt(EVERYTHING, entries, DATASETS) == DATASETS  # the project changed: its logic may have
