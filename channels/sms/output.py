"""The bot's words by SMS: one SMS per turn (collected), or one per message (agents)."""

from __future__ import annotations

import logging
import time
from typing import Any

from channels.email.output import Collector
from meldkamer.mailin.reply import bot_text
from meldkamer.notify.delivery import DeliveryError
from meldkamer.notify.models import MessageKind, OutboxMessage
from meldkamer.notify.sms import SmsSender

logger = logging.getLogger(__name__)

#: Conversation ids of SMS conversations: ``sms-`` and the number's digits.
PREFIX = "sms-"


def conversation_id(number: str) -> str:
    """The conversation of the tenant with this number (E.164)."""
    return PREFIX + number.lstrip("+")


class SmsCollector(Collector):
    """Keeps a turn's messages; the channel sends them as one SMS."""

    @classmethod
    def name(cls) -> str:
        return "sms"


async def send_sms(sender: SmsSender, to: str, text: str, key: str) -> bool:
    """Send one SMS now through the outbox's gateway sender; retried once on a fault."""
    message = OutboxMessage(
        key=key[:200], kind=MessageKind.SMS.value, recipient=to, body=text, purpose="gesprek"
    )
    for attempt in (1, 2):
        try:
            await sender.send(message)
            return True
        except DeliveryError as error:
            logger.warning("SMS: answer %s not sent (attempt %d): %s", key, attempt, error)
            if error.permanent:
                return False
    return False


class SmsOutput(SmsCollector):
    """Sends each message at once (Rasa's API: an agent's reply)."""

    def __init__(self, sender: SmsSender) -> None:
        super().__init__()
        self.sender = sender

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        await super().send_response(recipient_id, message)
        if not recipient_id.startswith(PREFIX) or not recipient_id[len(PREFIX) :].isdigit():
            logger.error("SMS: %s is no SMS conversation; not sent", recipient_id[:20])
            return
        text = bot_text(self.messages[-1:])
        if text:
            await send_sms(
                self.sender, "+" + recipient_id[len(PREFIX) :], text, f"sms:{time.time_ns()}"
            )
