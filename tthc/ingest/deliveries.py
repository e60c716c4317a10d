"""Deliveries: the raw directory is the truth (contract §1.1).

Each time content becomes what a path holds, raw.deliveries records it: when it is first
loaded, and when content loaded before comes back (a re-delivery), which makes it the
path's current content again. A loaded file no longer in the raw directory is logged
`missing`; its report stays current until it is withdrawn (tthc/runs/withdraw.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from tthc.ingest.discover import FoundFile
from tthc.ingest.load import LogEntry, append_log, deliver, delivered_last, log_file, was_loaded
from tthc.warehouse.base import transaction

DUPLICATE = "the same content at the same path was loaded before"
# The content delivered last at each path, of reports not withdrawn since (tthc/runs/withdraw.py).
_DELIVERED_NOT_WITHDRAWN = """
    with last as (
        select file_path, file_sha256, delivered_at,
               row_number() over (partition by file_path order by delivered_at desc) as recency
        from raw.deliveries
    )
    select f.file_path, f.file_sha256, f.dataset, f.province_code, f.period, f.period_start, f.period_end,
           f.revision, f.unit_code, last.delivered_at
    from last
    join raw.report_files as f on f.file_path = last.file_path and f.file_sha256 = last.file_sha256
    where last.recency = 1
      and not exists (
          select 1 from audit.withdrawals as w
          where w.dataset = f.dataset and w.province_code = f.province_code and w.period = f.period
            and w.unit_code is not distinct from f.unit_code and w.withdrawn_at > last.delivered_at)
    order by f.file_path
"""


def seen_before(
    con: duckdb.DuckDBPyConnection, load_id: str, found: FoundFile, sha: str, was_there: bool
) -> LogEntry | None:
    """Content loaded before at this path: a duplicate when the path held it at the last
    published run (`was_there`: the path was in the raw directory then); else a re-delivery
    (put back after other content, or after the file was gone), which makes it the path's
    current content again. None: new content."""
    if not was_loaded(con, found.path, sha):
        return None
    last = delivered_last(con, found.path)
    if was_there and last is not None and last[0] == sha:
        return _logged(con, load_id, LogEntry(found, sha, "duplicate", DUPLICATE, 0))
    at = datetime.now(UTC)
    before = "after the file was gone" if last is not None and last[0] == sha else "after other content"
    entry = LogEntry(found, sha, "redelivered", f"content loaded before is back at this path {before}: it is current again", 0)
    with transaction(con):
        deliver(con, load_id, at, found.path, sha)
        append_log(con, load_id, at, entry)
    return entry


def log_missing(con: duckdb.DuckDBPyConnection, load_id: str, present: set[str]) -> list[LogEntry]:
    """Loaded files no longer in the raw directory: logged `missing`; their reports stay current
    until someone withdraws them (`tthc withdraw`)."""
    entries = []
    for path, sha, dataset, province, period, start, end, revision, unit, delivered in con.execute(
        _DELIVERED_NOT_WITHDRAWN
    ).fetchall():
        if path in present:
            continue
        found = FoundFile(path, dataset, province, period, start, end, revision, unit_code=unit)
        unit_option = f" --unit {unit}" if unit else ""
        why = (
            f"loaded on {delivered:%d/%m/%Y}, no longer in the raw directory; its report stays current until it is "
            f"withdrawn: tthc withdraw {dataset} {province} {period}{unit_option} --reason \"…\""
        )
        entries.append(_logged(con, load_id, LogEntry(found, sha, "missing", why)))
    return entries



def _logged(con: duckdb.DuckDBPyConnection, load_id: str, entry: LogEntry) -> LogEntry:
    log_file(con, load_id, entry)
    return entry
