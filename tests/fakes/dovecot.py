"""A real IMAP server for the tests: Debian's Dovecot with its own config in a temp dir.

Started on a free loopback port with one user and plain-text login (loopback only, no
certificates needed); mails are put into the mailbox with IMAP ``APPEND``, as a mail
server's delivery would, and read back with imaplib. Skips when Dovecot is missing
(``apt-get install dovecot-imapd``).
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes.mail import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
ENSURE_TOOL = Path(__file__).resolve().parents[2] / "deploy" / "ensure_tool.sh"
USER = "storing"
PASSWORD = "imap-wachtwoord-test"

_CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
first_valid_gid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
protocol imap {{
  imap_idle_notify_interval = 1 secs
}}
"""


@dataclass
class Dovecot:
    """A running Dovecot; :meth:`append` puts a mail in the user's INBOX."""

    root: Path
    port: int
    process: subprocess.Popen[bytes]

    def env(self, poll_seconds: float = 5.0) -> dict[str, str]:
        return {
            "MAIL_IN_IMAP_HOST": "127.0.0.1",
            "MAIL_IN_IMAP_PORT": str(self.port),
            "MAIL_IN_IMAP_SECURITY": "none",
            "MAIL_IN_IMAP_USER": USER,
            "MAIL_IN_IMAP_PASSWORD": PASSWORD,
            "MAIL_IN_IMAP_POLL_SECONDS": str(poll_seconds),
        }

    def connect(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(USER, PASSWORD)
        return imap

    def append(self, raw: bytes) -> None:
        imap = self.connect()
        try:
            status, _ = imap.append("INBOX", "", imaplib.Time2Internaldate(time.time()), raw)
            assert status == "OK"
        finally:
            imap.logout()

    def unseen(self) -> int:
        imap = self.connect()
        try:
            imap.select("INBOX")
            _, data = imap.search(None, "UNSEEN")
            return len((data[0] or b"").split())
        finally:
            imap.logout()


def _owner() -> tuple[str, str]:
    # As root, Dovecot drops to its own users; otherwise it runs as whoever runs the tests.
    if os.geteuid() == 0:
        return "dovecot", "dovecot"
    entry = pwd.getpwuid(os.geteuid())
    return entry.pw_name, entry.pw_name


def _let_through(root: Path) -> None:
    # Dovecot's own users must pass through the folder to reach the mailbox; passing
    # through shows no names (o+x, not o+r).
    root.chmod(0o711)
    (root / "users").touch()
    (root / "users").chmod(0o644)


@contextmanager
def running_dovecot() -> Iterator[Dovecot]:
    if not Path(DOVECOT).exists():
        # Installed like Chromium for the browser tests; CI must never skip these.
        installed = subprocess.run([str(ENSURE_TOOL), "dovecot"], check=False).returncode == 0
        if not installed and os.environ.get("CI"):
            pytest.fail("Dovecot is needed for the e-mail intake tests and could not be installed")
        if not installed:
            pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")
    # Not under pytest's temp folder: pytest makes that 0700 again at every session start
    # (other sessions included), which would lock Dovecot's own users out mid-test.
    root = Path(tempfile.mkdtemp(prefix="meldkamer-dovecot-"))
    try:
        with _started(root) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _started(root: Path) -> Iterator[Dovecot]:
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    user, group = _owner()
    if os.geteuid() == 0:
        shutil.chown(root / "mail", user, group)
        shutil.chown(root / "home", user, group)
        _let_through(root)
    port = free_port()
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    config = root / "dovecot.conf"
    config.write_text(_CONFIG.format(root=root, user=user, group=group, port=port))
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stderr=subprocess.PIPE)
    server = Dovecot(root, port, process)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                server.connect().logout()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"Dovecot did not start: {process.stderr.read() if process.stderr else ''}"
                    ) from None
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        process.wait(10)
