"""Setting up the senders of the configured channels from the environment."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import TypeVar

from meldkamer.notify.chat import ChatSender, ChatSettings
from meldkamer.notify.delivery import DeliveryError, Sender
from meldkamer.notify.mail import AttachmentLoader, EmailSender, SmtpSettings
from meldkamer.notify.models import MessageKind
from meldkamer.notify.sms import SmsSender, SmsSettings

__all__ = [
    "ChatSender",
    "DeliveryError",
    "EmailSender",
    "Sender",
    "SmsSender",
    "SmsSettings",
    "SmtpSettings",
    "senders_from_env",
]

logger = logging.getLogger(__name__)
S = TypeVar("S")


def _settings(
    channel: str, read: Callable[[Mapping[str, str]], S | None], env: Mapping[str, str]
) -> S | None:
    """A channel's settings read by ``read``; ``None`` when not set or (logged) malformed."""
    try:
        return read(env)
    except ValueError as error:
        logger.error("%s staat uit: instellingen onjuist: %s", channel, error)
        return None


def senders_from_env(
    env: Mapping[str, str] | None = None, attachments: AttachmentLoader | None = None
) -> dict[str, Sender]:
    """Return a sender for every channel that is configured in ``env``.

    A channel without settings is left out: its messages wait in the outbox. A
    channel with incomplete or malformed settings is left out too, with an error in
    the log, so that one mistake does not stop the other channel.

    Args:
        env: The environment to read; ``os.environ`` when omitted.
        attachments: Reads an e-mail's attachments (see :class:`EmailSender`).
    """
    environ = os.environ if env is None else env
    senders: dict[str, Sender] = {}
    smtp = _settings("e-mail", SmtpSettings.from_env, environ)
    if smtp is not None:
        senders[MessageKind.EMAIL.value] = EmailSender(smtp, attachments)
    sms = _settings("sms", SmsSettings.from_env, environ)
    if sms is not None:
        senders[MessageKind.SMS.value] = SmsSender(sms)
    chat = _settings("chat", ChatSettings.from_env, environ)
    if chat is not None:
        senders[MessageKind.CHAT.value] = ChatSender(chat)
    return senders
