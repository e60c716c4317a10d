"""Has anything changed since the published run? The raw files as that run saw them, and its dbt project.

Each published run records every file under the raw directory with its size and modification
time (`audit.raw_state`) and the hash of the dbt project it built with (`audit.builds`). When
neither has changed, a run has nothing to load and nothing to rebuild: it stops before copying
the warehouse, and `tthc run` stops before starting Prefect. A file rewritten in place with the
same size and nanosecond modification time would go unnoticed, as it would by `make` or git.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tthc.contract.datasets import Contract
from tthc.ingest.discover import discover
from tthc.runs.calendar import as_of_date
from tthc.settings import Settings
from tthc.warehouse import target_for

FileStat = tuple[int, int]  # size in bytes, modification time in ns


@dataclass(frozen=True)
class Unchanged:
    """The published run that already took in exactly these files with this dbt project."""

    run_id: str
    files: int
    not_taken: int  # files that run refused or rejected, still there unchanged

    @property
    def exit_code(self) -> int:
        """As `tthc run` exits after that run: 0, or 3 if it refused or rejected some files."""
        return 3 if self.not_taken else 0

    def message(self) -> str:
        refused = f" {self.not_taken} of them were refused or rejected (see `tthc results`)." if self.not_taken else ""
        refused_vi = f" {self.not_taken} tệp trong đó bị từ chối hoặc loại." if self.not_taken else ""
        return (
            f"Không có gì mới kể từ lần chạy {self.run_id}: {self.files} tệp và dự án dbt không đổi, kho đã công bố "
            f"giữ nguyên.{refused_vi} / "
            f"Nothing new since run {self.run_id}: its {self.files} raw files and the dbt project are unchanged, "
            f"so the published warehouse stands.{refused}"
        )


def raw_files(raw_dir: Path, contract: Contract) -> dict[str, FileStat]:
    """Every file discovery would name (refused ones included), with its size and modification time."""
    stats = {}
    for found in discover(raw_dir, contract):
        try:
            st = os.lstat(raw_dir / found.path)
        except OSError:  # gone since it was listed: the next look decides
            continue
        stats[found.path] = (st.st_size, st.st_mtime_ns)
    return stats


def project_hash(project_dir: Path) -> str:
    """SHA-256 of the dbt project's files: a build is needed when it changes."""
    digest = hashlib.sha256()
    for path in sorted(project_dir.rglob("*")):
        parts = path.relative_to(project_dir).parts
        if path.is_file() and parts[0] not in ("target", "logs", "dbt_packages"):
            digest.update(str(path.relative_to(project_dir)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _published(settings: Settings, *queries: str) -> list[list[tuple]] | None:
    """The rows of each query on the published warehouse's audit tables; None when there is no
    published warehouse, or it was published before these tables existed."""
    target = target_for(settings)
    con = target.connect_published()
    if con is None:
        return None
    try:
        return [con.execute(q).fetchall() for q in queries]
    except target.missing_table:
        return None
    finally:
        con.close()


def unchanged_since_publish(settings: Settings, now: dict[str, FileStat], project: str) -> Unchanged | None:
    """The published run, when the raw files (`now`, from `raw_files`) and the dbt project are as it
    left them; else None."""
    published = _published(
        settings,
        "select file_path, size_bytes, modified_ns, status, run_id from audit.raw_state",
        "select project_hash from audit.builds order by built_at desc limit 1",
        "select as_of from audit.current_run",
    )
    if published is None:
        return None
    rows, built, run_date = published
    seen = {path: (size, modified) for path, size, modified, _, _ in rows}
    if not rows or seen != now or not built or built[0][0] != project:
        return None
    if not run_date or run_date[0][0] != as_of_date(settings.as_of):  # statuses that depend on the date must be redone
        return None
    return Unchanged(rows[0][4], len(rows), sum(status in ("refused", "rejected") for *_, status, _ in rows))


def new_exports(settings: Settings, now: dict[str, FileStat], contract: Contract) -> list[str]:
    """Record exports (dossiers) that the published run did not see as they are now: the large
    files this run will hash."""
    records = contract.records
    published = _published(settings, "select file_path, size_bytes, modified_ns from audit.raw_state")
    seen = {path: (size, modified) for path, size, modified in (published[0] if published else [])}
    return [path for path, stat in now.items() if path.split("/")[0] in records and seen.get(path) != stat]


def known_hashes(con: duckdb.DuckDBPyConnection, now: dict[str, FileStat]) -> dict[str, str]:
    """SHA-256 of the files the published run saw with the same size and modification time as
    `now`: ingestion need not read them again to know they are duplicates."""
    try:
        rows = con.execute(
            "select file_path, size_bytes, modified_ns, file_sha256 from audit.raw_state where file_sha256 is not null"
        ).fetchall()
    except duckdb.CatalogException:  # no published run recorded its files yet
        return {}
    return {path: sha for path, size, modified, sha in rows if now.get(path) == (size, modified)}


def record_raw_state(
    con: duckdb.DuckDBPyConnection, stats: dict[str, FileStat], outcomes: dict[str, tuple[str, str | None]], run_id: str
) -> None:
    """Replace audit.raw_state with the files as this run found them before reading any (so a file
    changed during the run is seen as changed by the next), with what became of each and its
    SHA-256 (`outcomes`: path → (status, sha))."""
    rows = []
    for path, (size, modified) in stats.items():
        status, sha = outcomes.get(path, ("unknown", None))
        rows.append([path, size, modified, sha, status, run_id])
    con.execute("delete from audit.raw_state")
    if rows:  # an empty raw directory is a state too
        con.executemany("insert into audit.raw_state values (?, ?, ?, ?, ?, ?)", rows)
