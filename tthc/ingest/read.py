"""One report file → its table, read safely from inside the raw directory."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from tthc.contract.datasets import Contract
from tthc.ingest.decode import read_csv_rows
from tthc.ingest.discover import FoundFile
from tthc.ingest.layout import Table, header_start, lay_out
from tthc.ingest.workbook import read_xls, read_xlsx


def inside(raw_dir: Path, rel_path: str) -> Path:
    """The file's path; refuses paths that leave `raw_dir`."""
    target = (raw_dir / rel_path).resolve()
    if raw_dir.resolve() not in target.parents:
        raise PermissionError(f"{rel_path}: outside the raw directory")
    return target


def _open_regular(raw_dir: Path, rel_path: str) -> BinaryIO:
    """Open a regular file for reading, never through a link, and never waiting on a pipe that
    took its place after discovery (O_NONBLOCK; the file type is checked once open)."""
    fd = os.open(inside(raw_dir, rel_path), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_bytes(raw_dir: Path, rel_path: str) -> bytes:
    """The file's bytes; refuses paths that leave `raw_dir` or pass through a link."""
    with _open_regular(raw_dir, rel_path) as f:
        return f.read()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_of_file(raw_dir: Path, rel_path: str) -> str:
    """SHA-256 of a large file, read in chunks (record exports do not fit in memory twice)."""
    digest = hashlib.sha256()
    with _open_regular(raw_dir, rel_path) as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


FileIdentity = tuple[str, int, int]  # absolute path, size, modification time in ns


def _identity(raw_dir: Path, rel_path: str) -> FileIdentity:
    path = inside(raw_dir, rel_path)
    st = os.stat(path)
    return str(path), st.st_size, st.st_mtime_ns


@dataclass(frozen=True)
class HashesAhead:
    """Hashes of large files started before a run needs them, by the file's identity when they
    started. `tthc run` starts them before Prefect starts (a few seconds of one core) and hands
    them to the flow, so that they are ready, or nearly, when ingestion asks."""

    started: dict[FileIdentity, Future[str]] = field(default_factory=dict)

    def sha256(self, raw_dir: Path, rel_path: str) -> str:
        """The hash started ahead if the file still has the size and modification time it had
        then; else the file is hashed now."""
        ahead = self.started.get(_identity(raw_dir, rel_path))
        if ahead is not None and not ahead.cancel() and ahead.exception() is None:  # started: wait for it
            return ahead.result()
        return sha256_of_file(raw_dir, rel_path)


def hash_ahead(raw_dir: Path, rel_paths: list[str]) -> HashesAhead:
    """Start hashing files in a background thread; a file that cannot be read is left to its load."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hash-ahead")
    started = {}
    for rel_path in rel_paths:
        try:
            started[_identity(raw_dir, rel_path)] = pool.submit(sha256_of_file, raw_dir, rel_path)
        except OSError:
            continue
    pool.shutdown(wait=False)
    return HashesAhead(started)


def sha256_of_files(raw_dir: Path, rel_paths: list[str], ahead: HashesAhead) -> dict[str, str]:
    """SHA-256 of large files, one thread per core (hashlib releases the GIL), taking those
    started ahead. A file that cannot be read is left out: its load says why."""
    def one(rel_path: str) -> str | None:
        try:
            return ahead.sha256(raw_dir, rel_path)
        except OSError:
            return None

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        shas = dict(zip(rel_paths, pool.map(one, rel_paths)))
    return {path: sha for path, sha in shas.items() if sha is not None}


def parse_report(data: bytes, found: FoundFile, contract: Contract) -> Table:
    """Decode and lay out a report (a workbook: the sheet that holds the form); raises
    DecodeError or HeaderError."""
    dataset = contract.datasets[found.dataset]
    ext = found.path.rsplit(".", 1)[-1].lower()
    if ext in ("xlsx", "xls"):
        def is_form(rows: list) -> bool:
            return header_start(rows, dataset, contract) is not None

        book = (read_xlsx if ext == "xlsx" else read_xls)(data, is_form)
        return replace(lay_out(book.rows, dataset, contract), sheet=book.sheet, ignored_sheets=book.ignored)
    rows, _encoding, _delimiter = read_csv_rows(data)
    return lay_out(rows, dataset, contract)
