"""One report file → its table, read safely from inside the raw directory."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from flows.ingest.contract import Contract
from flows.ingest.decode import read_csv_rows, read_xls_rows, read_xlsx_rows
from flows.ingest.discover import FoundFile
from flows.ingest.layout import Table, lay_out


def inside(raw_dir: Path, rel_path: str) -> Path:
    """The file's path; refuses paths that leave `raw_dir`."""
    target = (raw_dir / rel_path).resolve()
    if raw_dir.resolve() not in target.parents:
        raise PermissionError(f"{rel_path}: outside the raw directory")
    return target


def read_bytes(raw_dir: Path, rel_path: str) -> bytes:
    """The file's bytes; refuses paths that leave `raw_dir` or pass through a link."""
    fd = os.open(inside(raw_dir, rel_path), os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        return f.read()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_of_file(raw_dir: Path, rel_path: str) -> str:
    """SHA-256 of a large file: the one `hash_ahead` computed if the file is still as it was then,
    else read now in chunks (record exports do not fit in memory twice)."""
    ahead = _AHEAD.pop(_identity(raw_dir, rel_path), None)
    if ahead is not None and not ahead.cancel() and ahead.exception() is None:  # started: wait for it
        return ahead.result()
    return _sha256(raw_dir, rel_path)


def _sha256(raw_dir: Path, rel_path: str) -> str:
    digest = hashlib.sha256()
    fd = os.open(inside(raw_dir, rel_path), os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# Hashes started by hash_ahead, by the file's identity when they started: (path, size, mtime in ns).
_AHEAD: dict[tuple[str, int, int], Future[str]] = {}


def _identity(raw_dir: Path, rel_path: str) -> tuple[str, int, int]:
    path = inside(raw_dir, rel_path)
    st = os.stat(path)
    return str(path), st.st_size, st.st_mtime_ns


def hash_ahead(raw_dir: Path, rel_paths: list[str]) -> None:
    """Start hashing files in a background thread. `tthc run` calls it for new or changed record
    exports before Prefect starts (a few seconds of one core), so that their hashes are ready, or
    nearly, when ingestion asks for them. A file changed since is hashed again."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hash-ahead")
    for rel_path in rel_paths:
        try:
            _AHEAD[_identity(raw_dir, rel_path)] = pool.submit(_sha256, raw_dir, rel_path)
        except OSError:
            continue  # its load will say why
    pool.shutdown(wait=False)


def sha256_of_files(raw_dir: Path, rel_paths: list[str]) -> dict[str, str]:
    """SHA-256 of large files, one thread per core (hashlib releases the GIL). A file that cannot
    be read is left out: its load says why."""
    def one(rel_path: str) -> str | None:
        try:
            return sha256_of_file(raw_dir, rel_path)
        except OSError:
            return None

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        shas = dict(zip(rel_paths, pool.map(one, rel_paths)))
    return {path: sha for path, sha in shas.items() if sha is not None}


def parse_report(data: bytes, found: FoundFile, contract: Contract) -> Table:
    """Decode and lay out a report; raises DecodeError or HeaderError."""
    ext = found.path.rsplit(".", 1)[-1].lower()
    if ext == "xlsx":
        rows = read_xlsx_rows(data)
    elif ext == "xls":
        rows = read_xls_rows(data)
    else:
        rows, _encoding, _delimiter = read_csv_rows(data)
    return lay_out(rows, contract.datasets[found.dataset], contract)
