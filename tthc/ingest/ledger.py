"""The intake's own record (`intake.sqlite` beside the warehouse): each letter taken in from the
mailbox by its Message-ID, what became of each attachment, and when its receipt went out. A
letter recorded here is never taken in twice, even when the flow died before moving it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from tthc.ingest.intake import Intake
from tthc.ingest.mailbox import Letter

SCHEMA = """
create table if not exists letters (
    message_id text primary key,
    sender text not null,
    subject text,
    received_at text,
    taken_at text not null,
    run_id text,            -- the run that loaded what it brought
    receipt_sent_at text,   -- when its receipt went out
    receipt_error text      -- why the receipt could not be sent
);
create table if not exists attachments (
    message_id text not null references letters (message_id),
    position integer not null,
    file text not null,
    status text not null,   -- filed | duplicate | held
    path text,              -- filed or duplicate: relative to the raw directory
    inbox_path text,        -- held: where it waits, relative to the inbox folder
    dataset text,
    province_code text,
    period text,
    revision integer,
    reason text,
    reason_vi text,
    primary key (message_id, position)
);
"""


class Taken(NamedTuple):
    """What became of one attachment of a letter: its intake (None when it could not be opened:
    `refusal` says why, English and Vietnamese), its name, and where it waits when held."""

    intake: Intake | None
    name: str
    inbox_path: str | None = None
    refusal: tuple[str, str] | None = None


@dataclass(frozen=True)
class Entry:
    """One attachment as recorded."""

    file: str
    status: str
    path: str | None
    inbox_path: str | None
    dataset: str | None
    province_code: str | None
    period: str | None
    reason: str | None
    reason_vi: str | None


@dataclass(frozen=True)
class Recorded:
    """A letter as recorded, with its attachments."""

    message_id: str
    sender: str
    subject: str | None
    run_id: str | None
    attachments: tuple[Entry, ...]


@contextmanager
def ledger(path: Path) -> Iterator[sqlite3.Connection]:
    """The ledger, made when missing; every block commits or rolls back as a whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, timeout=30)) as con:
        con.executescript(SCHEMA)
        with con:
            yield con


def taken(con: sqlite3.Connection, message_id: str) -> bool:
    return con.execute("select 1 from letters where message_id = ?", [message_id]).fetchone() is not None


def record(con: sqlite3.Connection, letter: Letter, outcomes: list[Taken]) -> None:
    """A letter and its attachments, in one transaction."""
    con.execute(
        "insert into letters (message_id, sender, subject, received_at, taken_at) values (?, ?, ?, ?, ?)",
        [letter.message_id, letter.sender, letter.subject, letter.received.isoformat() if letter.received else None,
         datetime.now(UTC).isoformat()],
    )
    for position, (outcome, name, inbox_path, refusal) in enumerate(outcomes):
        if outcome is None:
            values = [name, "held", None, inbox_path, None, None, None, None, *(refusal or (None, None))]
        else:
            r = outcome.recognised
            values = [name, outcome.status, outcome.path, inbox_path, r.dataset, r.province, r.period, outcome.revision,
                      outcome.reason or None, outcome.reason_vi or None]
        con.execute(
            "insert into attachments (message_id, position, file, status, path, inbox_path, dataset, province_code, "
            "period, revision, reason, reason_vi) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [letter.message_id, position, *values],
        )


def awaiting_receipt(con: sqlite3.Connection) -> list[Recorded]:
    """The letters taken in whose receipt has not gone out, oldest first."""
    letters = con.execute(
        "select message_id, sender, subject, run_id from letters where receipt_sent_at is null order by taken_at"
    ).fetchall()
    return [Recorded(mid, sender, subject, run_id, _entries(con, mid)) for mid, sender, subject, run_id in letters]


def _entries(con: sqlite3.Connection, message_id: str) -> tuple[Entry, ...]:
    rows = con.execute(
        "select file, status, path, inbox_path, dataset, province_code, period, reason, reason_vi from attachments "
        "where message_id = ? order by position", [message_id],
    ).fetchall()
    return tuple(Entry(*row) for row in rows)


def set_run(con: sqlite3.Connection, message_ids: list[str], run_id: str) -> None:
    con.executemany("update letters set run_id = ? where message_id = ?", [(run_id, m) for m in message_ids])


def receipt_sent(con: sqlite3.Connection, message_id: str, error: str | None = None) -> None:
    """The receipt went out (or could not: `error`, and it is not tried again)."""
    con.execute("update letters set receipt_sent_at = ?, receipt_error = ? where message_id = ?",
                [datetime.now(UTC).isoformat(), error, message_id])


def held_files(con: sqlite3.Connection) -> dict[str, tuple[str, str | None, str | None]]:
    """Inbox path → (sender, reason, reason_vi) of every attachment held."""
    rows = con.execute(
        "select a.inbox_path, l.sender, a.reason, a.reason_vi from attachments as a "
        "join letters as l on l.message_id = a.message_id where a.inbox_path is not null"
    ).fetchall()
    return {path: (sender, reason, reason_vi) for path, sender, reason, reason_vi in rows}


def held_attachments(inbox_dir: Path, ledger_path: Path) -> list[dict[str, str | None]]:
    """The attachments waiting in the inbox folder (a clerk files them with `tthc add`, or deletes
    them), each with its sender and why it was held, as the report page lists them."""
    waiting = sorted(p.name for p in inbox_dir.iterdir() if p.is_file()) if inbox_dir.is_dir() else []
    if not waiting:
        return []
    why: dict[str, tuple[str, str | None, str | None]] = {}
    if ledger_path.exists():
        with ledger(ledger_path) as con:
            why = held_files(con)
    return [{"file": name, "sender": why.get(name, (None,))[0], "reason": why.get(name, (None, None))[1],
             "reason_vi": why.get(name, (None, None, None))[2]} for name in waiting]
