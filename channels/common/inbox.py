"""A durable inbox: a webhook's message is on disk before the webhook answers 200.

Meta and Telegram forget a message once we answered 200; if the server crashed after
that and before the bot answered, the tenant's message was gone. So a channel puts each
message here first (one file per message: written to a temporary name, fsynced, then
linked into place, and the folder fsynced), answers 200, hands the message to the bot
and removes the file after the bot's turn. At start-up whatever is still here is
handled again; the channel's de-duplication keeps a message from being handled twice
while it is in flight.

The folder is ``MELDKAMER_INBOX_DIR``, default ``inbox/`` in ``MELDKAMER_VAR_DIR``
(default ``var/``), with one subfolder per channel and account.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

INBOX_ENV = "MELDKAMER_INBOX_DIR"
_SUFFIX = ".json"


def inbox_dir(channel: str, account: str, env: Mapping[str, str] | None = None) -> Path:
    """The inbox folder of one channel account (a WhatsApp number id, a Telegram bot id)."""
    environ = os.environ if env is None else env
    configured = environ.get(INBOX_ENV, "").strip()
    if configured:
        root = Path(configured)
    else:
        root = Path.cwd() / (environ.get("MELDKAMER_VAR_DIR", "").strip() or "var") / "inbox"
    return (root / channel / account).resolve()


@dataclass(frozen=True)
class Entry:
    """One message waiting: its key (the platform's message id) and what was received."""

    key: str
    body: str
    received_ns: int


class Inbox:
    """Messages received and not yet handled, one file each."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        # Hashed: a platform's ids may hold any character; the file name must not.
        return self.folder / f"{hashlib.sha256(key.encode()).hexdigest()[:40]}{_SUFFIX}"

    def put(self, key: str, body: str) -> bool:
        """Keep a message durably; False when one with this key is waiting already.

        Raises ``OSError`` when it could not be kept, and then holds nothing of it.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self._path(key)
        if target.exists():
            return False
        record = {"key": key, "body": body, "received_ns": time.time_ns()}
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(record, out, ensure_ascii=False)
                out.flush()
                os.fsync(out.fileno())
            os.link(temporary, target)  # fails if a twin got there first: one entry wins
        except FileExistsError:
            return False
        finally:
            Path(temporary).unlink(missing_ok=True)
        try:
            _sync_dir(self.folder)
        except OSError:
            # Not durable, so not kept: a file left here would make the platform's retry
            # look like a repeat and wait for a restart.
            target.unlink(missing_ok=True)
            raise
        return True

    def remove(self, key: str) -> None:
        """The bot handled the message: forget it."""
        self._path(key).unlink(missing_ok=True)
        _sync_dir(self.folder)

    def pending(self) -> list[Entry]:
        """Messages still waiting, oldest first; unreadable files are set aside and logged."""
        entries = []
        for path in sorted(self.folder.glob(f"*{_SUFFIX}")) if self.folder.is_dir() else []:
            try:
                record = json.loads(path.read_text("utf-8"))
                entries.append(
                    Entry(str(record["key"]), str(record["body"]), int(record["received_ns"]))
                )
            except (OSError, ValueError, KeyError, TypeError):
                logger.error("inbox: %s cannot be read; set aside as .bad", path.name)
                path.replace(path.with_suffix(".bad"))
        return sorted(entries, key=lambda entry: entry.received_ns)


def _sync_dir(folder: Path) -> None:
    # The new name itself must survive a crash, not only the file's bytes.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
