"""The channel's own SMTP listener (aiosmtpd): for servers that receive mail directly.

A mail is answered ``250`` only once it is in the durable inbox; when that fails the
sender gets ``451`` and tries again later, as SMTP servers do. No relaying: every
accepted mail is treated as a melding, nothing is ever sent on. ``make run`` starts it
on 127.0.0.1:2525 so a newcomer can send a melding with any mail program.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from aiosmtpd.controller import Controller

from channels.email.imap import Keep

logger = logging.getLogger(__name__)

#: Bigger mails are refused by the listener itself (SIZE extension).
MAX_MESSAGE_BYTES = 30 * 1024 * 1024


class _Handler:
    def __init__(self, keep: Keep, on_new: Callable[[], None]) -> None:
        self.keep = keep
        self.on_new = on_new

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or b""
        key = f"smtp:{uuid.uuid4().hex}"
        try:
            self.keep(key, raw)
        except OSError:
            logger.exception("SMTP listener: mail not stored; the sender will try again")
            return "451 4.3.0 Tijdelijk niet opgeslagen, probeer het later opnieuw"
        self.on_new()
        return "250 2.0.0 Melding ontvangen"


class SmtpListener:
    """An aiosmtpd server in its own thread, handing mails to ``keep``."""

    def __init__(self, host: str, port: int, keep: Keep, on_new: Callable[[], None]) -> None:
        self.controller = Controller(
            _Handler(keep, on_new),
            hostname=host,
            port=port,
            data_size_limit=MAX_MESSAGE_BYTES,
            ready_timeout=10,
        )

    def start(self) -> None:
        # aiosmtpd logs every command with the addresses at INFO; ours is enough.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
