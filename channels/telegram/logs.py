"""One logger for the channel, and a filter that keeps the bot token out of every log.

The token is part of each Bot API URL (``/bot<token>/sendMessage``); httpx logs those
URLs at INFO and python-telegram-bot puts the token in some error messages.
"""

from __future__ import annotations

import logging
import traceback

logger = logging.getLogger("channels.telegram")

#: Loggers that may see the token: ours, httpx's request log, python-telegram-bot's own
#: (a filter on a logger does not apply to its children, so each is named).
_WATCHED = (
    "channels.telegram",
    "httpx",
    "telegram",
    "telegram.Bot",
    "telegram.BaseRequest",
    "telegram.HTTPXRequest",
)


class RedactTokens(logging.Filter):
    """Replaces every known token in a record's message and traceback with ``<token>``."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: set[str] = set()

    def redact(self, text: str) -> str:
        for token in self.tokens:
            text = text.replace(token, "<token>")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.tokens:
            return True
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            # Handlers format the traceback only when exc_text is empty: give them ours.
            record.exc_text = self.redact(
                "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            )
        return True


_REDACTOR = RedactTokens()


def hide_token(token: str) -> None:
    """Keep ``token`` out of the logs of this process from now on."""
    _REDACTOR.tokens.add(token)
    for name in _WATCHED:
        watched = logging.getLogger(name)
        if _REDACTOR not in watched.filters:
            watched.addFilter(_REDACTOR)


def redact(text: str) -> str:
    """``text`` without any known token (for messages built by hand)."""
    return _REDACTOR.redact(text)
