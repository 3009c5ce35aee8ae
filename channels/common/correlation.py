"""One bot turn with its conversation and message id on every log line it causes.

Rasa gives each :class:`UserMessage` a ``message_id`` (a channel may pass the platform's
own, like Telegram's update or WhatsApp's wamid); it is stored with the user event, so
the action server reads it from the tracker and logs it too (meldkamer/logformat.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

from meldkamer.logformat import bound


async def handle(
    on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage
) -> Any:
    """``on_new_message(message)`` with the message's ids bound for the log."""
    with bound(conversation_id=message.sender_id, correlation_id=message.message_id):
        return await on_new_message(message)
