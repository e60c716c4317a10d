"""A real PostgreSQL server for the tests: initdb into a temporary directory, a free port.

PostgreSQL refuses to run as root, and CI runs as root: there the server runs as the
unprivileged `postgres` user that the Debian package creates (`runuser -u postgres`), with a
socket directory and a log it owns. Elsewhere it runs as the current user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def server_binaries() -> Path | None:
    """The directory of initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_postgres(root: Path, database: str = "tthc") -> Iterator[str]:
    """Start a server in `root`, create `database`, and give its libpq URL (superuser `postgres`,
    trust authentication on loopback); stop it on exit."""
    binaries = server_binaries()
    if binaries is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    root.mkdir(parents=True, exist_ok=True)
    data, sockets, log = root / "data", root / "sockets", root / "server.log"
    sockets.mkdir(exist_ok=True)
    log.touch()
    if os.geteuid() == 0:
        root.chmod(0o755)
        for path in (root, sockets, log):
            shutil.chown(path, "postgres", "postgres")
    subprocess.run(
        _as_server_user([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                         "-E", "UTF8", "--locale", "C.UTF-8"]),
        check=True, capture_output=True,
    )
    port = _free_port()
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]),
        check=True, capture_output=True,
    )
    try:
        yield fresh_database(f"postgresql://postgres@127.0.0.1:{port}/postgres", database)
    finally:
        subprocess.run(_as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                       capture_output=True)


def fresh_database(server_url: str, name: str, template: str | None = None) -> str:
    """A new database named `name` on the server of `server_url` (dropped first if there), empty or
    a copy of the database `template` (which nobody may be connected to: PostgreSQL copies it file
    by file); its URL."""
    import psycopg

    base = server_url.rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as con:
        con.execute(f'drop database if exists "{name}"')
        con.execute(f'create database "{name}"' + (f' template "{template}"' if template else ""))
    return f"{base}/{name}"
