"""Fetching tenants' mails from a real mailbox over IMAP (imaplib, in a thread).

Unseen mails are fetched one by one; each is handed to ``keep`` (the durable inbox)
and only marked "Seen" once it is safely there, so a crash in between fetches it
again (and the Message-ID check handles it once). Between checks the fetcher waits
in IDLE when the server offers it (RFC 2177), else it polls; a broken connection is
opened again with a growing pause. TLS (``ssl`` or ``starttls``) is the default.
"""

from __future__ import annotations

import imaplib
import logging
import select
import ssl
import threading
from collections.abc import Callable

from channels.email.settings import ImapSettings

logger = logging.getLogger(__name__)

#: ``keep(key, raw)``: store the mail durably; raises OSError when that fails.
Keep = Callable[[str, bytes], None]
#: Longest pause after repeated connection errors.
MAX_BACKOFF = 300.0


class ImapFetcher:
    """One mailbox, checked until :meth:`stop`."""

    def __init__(
        self, settings: ImapSettings, keep: Keep, on_new: Callable[[], None] | None = None
    ) -> None:
        self.settings = settings
        self.keep = keep
        self.on_new = on_new or (lambda: None)
        self._stop = threading.Event()
        #: Whether the last connection offered IDLE (tests, health).
        self.idle_supported: bool | None = None

    def stop(self) -> None:
        self._stop.set()

    def connect(self) -> imaplib.IMAP4:
        s = self.settings
        context = ssl.create_default_context()
        imap: imaplib.IMAP4
        if s.security == "ssl":
            imap = imaplib.IMAP4_SSL(s.host, s.port, ssl_context=context, timeout=30)
        else:
            imap = imaplib.IMAP4(s.host, s.port, timeout=30)
            if s.security == "starttls":
                imap.starttls(ssl_context=context)
        imap.login(s.username, s.password)
        status, _ = imap.select(_quoted(s.folder))
        if status != "OK":
            raise imaplib.IMAP4.error(f"map {s.folder!r} niet te openen")
        self.idle_supported = "IDLE" in imap.capabilities
        return imap

    def fetch_new(self, imap: imaplib.IMAP4) -> int:
        """Keep every unseen mail, then mark it seen; how many."""
        status, data = imap.uid("SEARCH", "UNSEEN")
        if status != "OK":
            raise imaplib.IMAP4.error("SEARCH UNSEEN geweigerd")
        uids = [uid.decode() for uid in (data[0] or b"").split()]
        kept = 0
        for uid in uids:
            status, parts = imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple) and len(p) > 1), None)
            if status != "OK" or not isinstance(raw, bytes):
                logger.error("IMAP: mail %s not fetched; tried again at the next check", uid)
                continue
            self.keep(f"imap:{self.settings.username}:{uid}:{len(raw)}", raw)
            # Seen only now: the mail is on our disk.
            imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            kept += 1
        if kept:
            self.on_new()
        return kept

    def wait(self, imap: imaplib.IMAP4) -> None:
        """Until the server says something changed, ``poll_seconds`` passed, or a stop."""
        if not self.idle_supported:
            self._stop.wait(self.settings.poll_seconds)
            return
        tag: bytes = imap._new_tag()
        imap.send(tag + b" IDLE\r\n")
        if not imap.readline().startswith(b"+"):
            raise imaplib.IMAP4.error("IDLE geweigerd")
        waited = 0.0
        while waited < self.settings.poll_seconds and not self._stop.is_set():
            if _readable(imap, 1.0):
                break
            waited += 1.0
        imap.send(b"DONE\r\n")
        while not imap.readline().startswith(tag):
            pass  # the untagged EXISTS/RECENT lines; the next check reads the mailbox

    def run(self) -> None:
        """Check, wait, check again, until stopped; reconnect on errors with a back-off."""
        backoff = 1.0
        while not self._stop.is_set():
            try:
                imap = self.connect()
                try:
                    backoff = 1.0
                    while not self._stop.is_set():
                        self.fetch_new(imap)
                        self.wait(imap)
                finally:
                    _logout(imap)
            except (OSError, imaplib.IMAP4.error, ssl.SSLError) as error:
                logger.warning("IMAP %s: %s; again in %.0f s", self.settings.host, error, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)


def _readable(imap: imaplib.IMAP4, timeout: float) -> bool:
    sock = imap.sock
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    ready, _, _ = select.select([sock], [], [], timeout)
    return bool(ready)


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _logout(imap: imaplib.IMAP4) -> None:
    try:
        imap.logout()
    except (OSError, imaplib.IMAP4.error):
        pass
