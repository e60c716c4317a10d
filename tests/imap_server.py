"""A real IMAP server for the tests: Debian's Dovecot, rootless, in a temporary directory, on a
free loopback port, with one mailbox user whose password is in a passwd file.

As root (CI) it runs as the unprivileged `dovecot` user the Debian package creates
(`runuser -u dovecot`), over files that user owns; elsewhere as the current user."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
SERVER_USER = "dovecot"  # when the tests run as root


@dataclass(frozen=True)
class Imap:
    host: str
    port: int
    user: str
    password: str

    def url(self, folder: str = "INBOX") -> str:
        """The mailbox as TTHC_MAILBOX writes it: imap://<user, @ as %40>@host:port/<folder>."""
        return f"imap://{self.user.replace('@', '%40')}@{self.host}:{self.port}/{folder}"


def available() -> bool:
    return Path(DOVECOT).exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_imap(user: str = "kstt@tinh.gov.vn", password: str = "hop-thu-1") -> Iterator[Imap]:
    """Start Dovecot in a directory of its own under the system's temporary directory (the
    server's user must reach it) with one user; stop it and remove the directory on exit."""
    as_root = os.geteuid() == 0
    owner = pwd.getpwnam(SERVER_USER) if as_root else pwd.getpwuid(os.getuid())
    group = grp.getgrgid(owner.pw_gid).gr_name
    root = Path(tempfile.mkdtemp(prefix="tthc-imap-"))
    port = _free_port()
    (root / "passwd").write_text(f"{user}:{{PLAIN}}{password}::::::\n", encoding="utf-8")
    (root / "run").mkdir(exist_ok=True)
    (root / "mail").mkdir(exist_ok=True)
    config = root / "dovecot.conf"
    config.write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {owner.pw_name}
default_internal_group = {group}
default_login_user = {owner.pw_name}
first_valid_uid = {owner.pw_uid}
last_valid_uid = {owner.pw_uid}
mail_location = maildir:{root}/mail/%u
mail_uid = {owner.pw_uid}
mail_gid = {owner.pw_gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={root}/mail/%u
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    user = {owner.pw_name}
  }}
  unix_listener stats-writer {{
    user = {owner.pw_name}
  }}
}}
""", encoding="utf-8")
    if as_root:
        for path in [root, *root.rglob("*")]:
            shutil.chown(path, owner.pw_name, group)
    command = [DOVECOT, "-F", "-c", str(config)]
    server = subprocess.Popen(["runuser", "-u", owner.pw_name, "--", *command] if as_root else command,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log = (root / "dovecot.log").read_text(errors="replace") if (root / "dovecot.log").exists() else ""
                    out = server.stdout.read().decode(errors="replace") if server.poll() is not None else ""
                    raise RuntimeError(f"dovecot did not start:\n{out}\n{log}") from None
                time.sleep(0.1)
        yield Imap("127.0.0.1", port, user, password)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, 15)
            server.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)
