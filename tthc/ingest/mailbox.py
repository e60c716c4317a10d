"""The office's mailbox (TTHC_MAILBOX): the unseen letters with their attachments (a .zip of
reports opened, within the contract's limits), and each letter moved away once taken in."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from tthc.contract.limits import FORM_FILE_BYTES, megabytes
from tthc.ingest.recognise import Problem

DONE_FOLDER = "Đã xử lý"  # TTHC_MAILBOX_DONE
ZIP_MEMBERS = 200  # reports in one archive at most


class MailboxError(ValueError):
    """TTHC_MAILBOX cannot be used as written; the message says why."""


@dataclass(frozen=True)
class Mailbox:
    """Where the reports arrive: imaps://user@host[:port]/folder (or imap:// for a server on this
    machine). The password is never part of it."""

    host: str
    port: int
    user: str
    folder: str
    secure: bool
    password: str = field(repr=False)
    done_folder: str = DONE_FOLDER

    @property
    def shown(self) -> str:
        """The mailbox as logs and pages name it: no password, ever."""
        return f"{'imaps' if self.secure else 'imap'}://{self.user}@{self.host}:{self.port}/{self.folder}"


def mailbox_from(url: str, password: str | None, done_folder: str | None = None) -> Mailbox:
    """TTHC_MAILBOX (`imaps://kstt%40tinh.gov.vn@mail.tinh.gov.vn/INBOX`), its password
    (TTHC_MAILBOX_PASSWORD, or the file TTHC_MAILBOX_PASSWORD_FILE names) and its done folder."""
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
        raise MailboxError("TTHC_MAILBOX is imaps://<user, @ as %40>@<host>[:port]/<folder>, "
                           "e.g. imaps://kstt%40tinh.gov.vn@mail.tinh.gov.vn/INBOX")
    if parts.password:
        raise MailboxError("TTHC_MAILBOX carries no password: put it in TTHC_MAILBOX_PASSWORD or TTHC_MAILBOX_PASSWORD_FILE")
    if not password:
        raise MailboxError("the mailbox needs its password in TTHC_MAILBOX_PASSWORD or TTHC_MAILBOX_PASSWORD_FILE")
    secure = parts.scheme == "imaps"
    return Mailbox(parts.hostname, parts.port or (993 if secure else 143), unquote(parts.username),
                   unquote(parts.path.lstrip("/")) or "INBOX", secure, password, done_folder or DONE_FOLDER)


def password_from(password: str | None, password_file: str | None) -> str | None:
    """The mailbox's password: TTHC_MAILBOX_PASSWORD, else the first line of the file
    TTHC_MAILBOX_PASSWORD_FILE names."""
    if password:
        return password
    if password_file:
        return Path(password_file).read_text(encoding="utf-8").splitlines()[0].strip()
    return None


@dataclass(frozen=True)
class Attachment:
    """A file a letter brought (an archive's member is named `archive.zip/member.xlsx`)."""

    name: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Letter:
    uid: str
    message_id: str
    sender: str  # the address alone, lowercase
    subject: str
    received: datetime | None
    attachments: tuple[Attachment, ...]
    refused: tuple[tuple[str, Problem], ...] = ()  # attachments that could not be opened, with why


@contextmanager
def opened(box: Mailbox) -> Iterator[Any]:
    """A logged-in session on the mailbox's folder (imap_tools), closed after the block."""
    from imap_tools import MailBox, MailBoxUnencrypted

    client = MailBox(box.host, box.port) if box.secure else MailBoxUnencrypted(box.host, box.port)
    with client.login(box.user, box.password, box.folder) as session:
        yield session


def unseen(session: Any) -> list[Letter]:
    """The letters not yet seen, oldest first, without marking them seen."""
    from imap_tools import AND

    letters = []
    for msg in session.fetch(AND(seen=False), mark_seen=False, bulk=True):
        message_id = (msg.headers.get("message-id") or ("",))[0].strip() or f"<uid-{msg.uid}@{session.folder.get()}>"
        found = tuple(Attachment(a.filename or f"attachment-{i + 1}", a.payload) for i, a in enumerate(msg.attachments))
        opened_up, refused = expand(found)
        letters.append(Letter(msg.uid, message_id, parseaddr(msg.from_)[1].lower() or msg.from_, msg.subject,
                              msg.date if msg.date_str else None, opened_up, refused))
    return letters


def move(session: Any, uid: str, folder: str) -> None:
    """The letter into `folder` (made when missing), out of the one being read."""
    if not session.folder.exists(folder):
        session.folder.create(folder)
    session.move(uid, folder)


def expand(attachments: tuple[Attachment, ...]) -> tuple[tuple[Attachment, ...], tuple[tuple[str, Problem], ...]]:
    """Each .zip opened into its members (files at any depth; an archive inside is refused, as is
    a member over the contract's size for a form file); other attachments as they are."""
    files: list[Attachment] = []
    refused: list[tuple[str, Problem]] = []
    for attachment in attachments:
        if not attachment.name.lower().endswith(".zip"):
            files.append(attachment)
            continue
        try:
            archive = zipfile.ZipFile(io.BytesIO(attachment.data))
            members = [m for m in archive.infolist() if not m.is_dir()]
        except (zipfile.BadZipFile, OSError) as err:
            refused.append((attachment.name, Problem(f"không mở được tệp nén: {err}", f"the archive cannot be opened: {err}")))
            continue
        if len(members) > ZIP_MEMBERS:
            refused.append((attachment.name, Problem(f"tệp nén có {len(members)} tệp, quá {ZIP_MEMBERS}",
                                                     f"the archive holds {len(members)} files, over {ZIP_MEMBERS}")))
            continue
        for member in members:
            name = f"{attachment.name}/{member.filename}"
            inner = PurePosixPath(member.filename).name
            if inner.lower().endswith((".zip", ".rar", ".7z", ".gz", ".tar")):
                refused.append((name, Problem("tệp nén lồng trong tệp nén không được nhận", "an archive inside an archive is refused")))
            elif member.file_size > FORM_FILE_BYTES:
                refused.append((name, Problem(
                    f"giải nén ra {megabytes(member.file_size)}, quá {megabytes(FORM_FILE_BYTES)} cho một tệp biểu mẫu",
                    f"unpacks to {megabytes(member.file_size)}, over the contract's {megabytes(FORM_FILE_BYTES)} for a form file")))
            else:
                with archive.open(member) as f:
                    data = f.read(FORM_FILE_BYTES + 1)  # the size in the archive's directory may lie
                if len(data) > FORM_FILE_BYTES:
                    refused.append((name, Problem(f"giải nén ra quá {megabytes(FORM_FILE_BYTES)}",
                                                  f"unpacks to over the contract's {megabytes(FORM_FILE_BYTES)}")))
                else:
                    files.append(Attachment(name, data))
    return tuple(files), tuple(refused)
