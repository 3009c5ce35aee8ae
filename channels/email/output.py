"""What the bot says in a mail conversation: collected per turn, or mailed (agents' replies)."""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from rasa.core.channels.channel import OutputChannel

from channels.email.outgoing import Outgoing
from channels.email.trackers import METADATA_KEY, Trackers
from meldkamer.mailin.reply import ReplyText, Thread, build_reply, reply_body
from meldkamer.mailin.threads import reply_message_id

logger = logging.getLogger(__name__)

_KEPT = ("text", "buttons", "image")


def _message(message: dict[str, Any]) -> dict[str, Any]:
    kept = {key: message[key] for key in _KEPT if message.get(key)}
    if message.get("from") == "agent":
        kept["agent"] = " ".join(str(message.get("agent") or "").split()) or "van de meldkamer"
    return kept


class Collector(OutputChannel):
    """Keeps a turn's messages; the channel writes them into one answer mail."""

    @classmethod
    def name(cls) -> str:
        return "email"

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.messages.append(_message(message))


class EmailOutput(Collector):
    """Sends each message as its own mail in the tenant's thread (Rasa's API, agents)."""

    def __init__(self, mail_from: str, trackers: Trackers, outgoing: Outgoing) -> None:
        super().__init__()
        self.mail_from = mail_from
        self.trackers = trackers
        self.outgoing = outgoing

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        view = await self.trackers.view(recipient_id)
        threads = [e["thread"] for e in view.earlier if isinstance(e.get("thread"), dict)]
        if not threads:
            logger.error("e-mail: no mail thread for this conversation; message not sent")
            return
        thread = Thread.from_dict(threads[-1])
        thread = Thread(
            thread.recipient, thread.subject, thread.message_id, thread.references, view.ticket
        )
        said = _message(message)
        key = f"{time.time_ns()}:{hashlib.sha256(repr(said).encode()).hexdigest()}"
        domain = self.mail_from.rpartition("@")[2].rstrip(">") or "meldkamer.invalid"
        email = build_reply(
            thread,
            reply_body(ReplyText(said=[said])),
            mail_from=self.mail_from,
            message_id=reply_message_id(recipient_id, key, domain),
        )
        await self.outgoing.send(email)


__all__ = ["METADATA_KEY", "Collector", "EmailOutput"]
