"""What a run has dbt build: the nodes downstream of what it changed."""

from __future__ import annotations

from collections.abc import Iterable

from tthc.ingest.load import LogEntry

EVERYTHING: tuple[str, ...] = ()  # dbt node-selection arguments that build every node


def build_selection(
    entries: list[LogEntry], project_changed: bool, full_refresh: bool, datasets: Iterable[str],
    as_of_changed: bool = False, unbuilt: Iterable[str] = (),
) -> tuple[str, ...] | None:
    """What dbt builds after ingestion, as dbt's node-selection arguments: EVERYTHING when the dbt
    project changed or when asked; else the nodes downstream of the raw tables whose content this
    run changed, with their tests; None when it changed none (the marts stand). Content brought
    back to its path (a re-delivery) changes which version is current, as a load does. A run on
    another date than the published one rebuilds what depends on the date (`tag:as_of`).

    Every loaded file changes raw.report_files, which every dataset's mart reads (to keep its
    current versions). A mart tagged `dataset:<name>` holds only that dataset's rows, so those of
    the `datasets` that loaded nothing stand, and are left out. `unbuilt`: datasets an earlier run
    loaded and no build took in (a run killed after loading, on a target written in place), built
    as if this run had loaded them."""
    if project_changed or full_refresh:
        return EVERYTHING
    loaded = sorted({e.found.dataset for e in entries if e.status == "loaded"} | set(unbuilt))
    redelivered = sorted({e.found.dataset for e in entries if e.status == "redelivered"})
    logged = [e for e in entries if e.status != "duplicate"]  # a duplicate changes nothing a mart shows
    sources = [f"source:raw.{dataset}+" for dataset in loaded]
    if loaded:
        sources.append("source:raw.report_files+")
    if loaded or redelivered:  # which version is current may have changed
        sources.append("source:raw.deliveries+")
    if logged:
        sources.append("source:audit.ingest_log+")
    if as_of_changed:  # a new day: the statuses that depend on the date (tag as_of)
        sources.append("tag:as_of+")
    if not sources:
        return None
    changed = datasets_changed(entries, unbuilt)
    standing = [f"tag:dataset:{d}" for d in sorted(set(datasets) - changed)] if changed else []
    return ("--select", *sources, *(("--exclude", *standing) if standing else ()))


def datasets_changed(entries: list[LogEntry], unbuilt: Iterable[str] = ()) -> set[str]:
    """The datasets whose content this run changed: a file loaded or brought back to its path, or
    loaded by an earlier run that no build took in (`unbuilt`)."""
    return {e.found.dataset for e in entries if e.status in ("loaded", "redelivered")} | set(unbuilt)


def datasets_rebuilt(
    selection: tuple[str, ...] | None, entries: list[LogEntry], datasets: Iterable[str], unbuilt: Iterable[str] = ()
) -> set[str]:
    """The datasets whose rows a mart incremental by dataset replaces: every dataset when the build
    is of every node (the dbt project changed, or asked), else those whose content changed."""
    return set(datasets) if selection == EVERYTHING else datasets_changed(entries, unbuilt)
