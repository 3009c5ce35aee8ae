"""Answer mails on their way out: on disk first, sent, retried until the server takes them.

A reply is written to the channel's outgoing folder (the durable inbox class, folder
``email-out``) before it is sent; it leaves the folder when the SMTP server accepted
it or refused it for good. What the server could not take now is sent again by
:meth:`Outgoing.retry` (every minute while the channel runs, and at start-up), with the
same Message-ID, so a tenant's mail program shows a repeat once.
"""

from __future__ import annotations

import asyncio
import logging
from email import message_from_string, policy
from email.message import EmailMessage

from channels.common.inbox import Inbox
from meldkamer.notify.delivery import DeliveryError
from meldkamer.notify.mail import SmtpSettings, send_prepared

logger = logging.getLogger(__name__)


class Outgoing:
    """Sends answer mails through the outbox's SMTP server, keeping them until sent."""

    def __init__(self, settings: SmtpSettings, spool: Inbox) -> None:
        self.settings = settings
        self.spool = spool
        #: Mails the server accepted (tests, health).
        self.sent = 0

    async def send(self, email: EmailMessage) -> bool:
        """Keep, then try once; ``True`` when the server accepted it now."""
        key = str(email["Message-ID"])
        await asyncio.to_thread(self.spool.put, key, email.as_string())
        return await self._try(key, email)

    async def _try(self, key: str, email: EmailMessage) -> bool:
        accepted = False
        try:
            await asyncio.to_thread(send_prepared, self.settings, email)
            accepted = True
            self.sent += 1
        except DeliveryError as error:
            if not error.permanent:
                logger.warning("e-mail: answer %s not sent yet: %s", key, error)
                return False
            logger.error("e-mail: answer %s refused for good: %s", key, error)
        await asyncio.to_thread(self.spool.remove, key)
        return accepted

    async def retry(self) -> int:
        """Send again what is waiting; how many went out."""
        sent = 0
        for entry in await asyncio.to_thread(self.spool.pending):
            email = message_from_string(entry.body, policy=policy.default)
            assert isinstance(email, EmailMessage)
            sent += await self._try(entry.key, email)
        return sent
