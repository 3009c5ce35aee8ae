"""Canned replies: short Dutch texts agents send with one click.

They live in ``canned_replies.yml``, which a supervisor edits; the file is read again
when it changes, so no restart is needed. A broken file is reported on the page
instead of taking the console down: the last good version stays in use.
"""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

logger = logging.getLogger(__name__)

PLACEHOLDERS = frozenset({"medewerker", "huurder", "ticket"})
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")


class CannedRepliesError(ValueError):
    """The file is not a valid list of replies; the message names the place."""


@dataclass(frozen=True)
class CannedReply:
    """One reply: its id, the button's title and the text with placeholders."""

    id: str
    title: str
    text: str

    def fill(self, values: Mapping[str, str]) -> str:
        """The text with ``{medewerker}``, ``{huurder}`` and ``{ticket}`` filled in."""
        return self.text.format_map({name: values.get(name, "") for name in PLACEHOLDERS})


def parse(text: str, source: str = "canned_replies.yml") -> tuple[CannedReply, ...]:
    """Read and check the file's text."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise CannedRepliesError(f"{source}: geen geldige YAML: {error}") from error
    items = raw.get("antwoorden") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise CannedRepliesError(f"{source}: verwacht een lijst 'antwoorden'")
    replies: list[CannedReply] = []
    for number, item in enumerate(items, start=1):
        where = f"{source}: antwoord {number}"
        if not isinstance(item, dict):
            raise CannedRepliesError(f"{where}: verwacht id, titel en tekst")
        reply_id, title, body = item.get("id"), item.get("titel"), item.get("tekst")
        if not isinstance(reply_id, str) or not _ID.match(reply_id):
            raise CannedRepliesError(f"{where}: id ontbreekt of is ongeldig")
        if not isinstance(title, str) or not title.strip():
            raise CannedRepliesError(f"{where}: titel ontbreekt")
        if not isinstance(body, str) or not body.strip():
            raise CannedRepliesError(f"{where}: tekst ontbreekt")
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(body) if name is not None}
        except ValueError as error:
            raise CannedRepliesError(f"{where}: losse accolade in de tekst ({error})") from None
        unknown = names - PLACEHOLDERS
        if unknown:
            raise CannedRepliesError(
                f"{where}: onbekende plek {', '.join(sorted(unknown))}; "
                f"mogelijk: {', '.join(sorted(PLACEHOLDERS))}"
            )
        if any(reply.id == reply_id for reply in replies):
            raise CannedRepliesError(f"{where}: id {reply_id!r} komt twee keer voor")
        replies.append(CannedReply(id=reply_id, title=title.strip(), text=body.strip()))
    return tuple(replies)


@dataclass
class CannedReplies:
    """The replies of one file, re-read when its modification time changes."""

    path: Path
    _loaded: tuple[CannedReply, ...] = ()
    _mtime: float | None = None
    error: str | None = field(default=None, init=False)

    def all(self) -> tuple[CannedReply, ...]:
        """The replies in force (the last good version when the file is broken)."""
        try:
            mtime = self.path.stat().st_mtime
        except OSError as error:
            self.error = f"{self.path}: niet te lezen ({error.strerror})"
            return self._loaded
        if mtime != self._mtime:
            try:
                self._loaded = parse(self.path.read_text("utf-8"), str(self.path.name))
                self.error = None
            except (CannedRepliesError, OSError, UnicodeDecodeError) as error:
                logger.error("canned replies not loaded: %s", error)
                self.error = str(error)
            self._mtime = mtime
        return self._loaded

    def get(self, reply_id: str) -> CannedReply | None:
        """One reply by id."""
        return next((reply for reply in self.all() if reply.id == reply_id), None)
