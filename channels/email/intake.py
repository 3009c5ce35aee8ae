"""The e-mail channel's calls into the core: threads, client entry, photos, the queue.

Everything here that touches the database runs in a worker thread, so a slow database
never stalls the Rasa server's loop; the collaborators are made on first use (nothing
is opened at import or at start-up).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from channels.common.limits import Intake, intake_from_env
from channels.email.trackers import TrackerView
from meldkamer.attachments.files import RejectedFile, check, store_file, upload_dir
from meldkamer.composition import collaborators, open_database
from meldkamer.intake.validation import Invalid, format_phone, normalise_phone
from meldkamer.mailin.extract import Contact
from meldkamer.mailin.parse import InboundMail
from meldkamer.mailin.reply import ACUUT_CALL_BACK, ACUUT_NO_PHONE, ACUUT_QUEUED, NOT_A_PHOTO
from meldkamer.mailin.threads import conversation_from_ids, ticket_number
from meldkamer.service.context import Collaborators
from meldkamer.service.mail_intake import (
    certainly_acuut,
    conversation_of_ticket,
    queue_acuut,
    queue_unreadable,
)

logger = logging.getLogger(__name__)

#: The most of a mail's original text kept with the conversation for agents.
MAX_ORIGINAL = 20_000


def contact_with_earlier(mail: InboundMail, earlier: Sequence[Mapping[str, Any]]) -> Contact:
    """The details of this mail, completed by those of the conversation's earlier mails."""
    contact = mail.contact
    for metadata in reversed(earlier):
        contact = contact.merged(Contact.from_dict(metadata.get("contact")))
    return contact


def unreadable_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where unreadable mails are kept: ``mail-onleesbaar/`` in ``MELDKAMER_VAR_DIR``."""
    environ = os.environ if env is None else env
    return Path(environ.get("MELDKAMER_VAR_DIR", "").strip() or "var") / "mail-onleesbaar"


def keep_unreadable(raw: bytes, digest: str) -> str:
    """Write the raw mail where agents can open it; its path."""
    folder = unreadable_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest[:32]}.eml"
    path.write_bytes(raw)
    return str(path)


class Services:
    """The core's use cases as the channel calls them."""

    def __init__(self, ctx: Collaborators | None = None, limits: Intake | None = None) -> None:
        self._ctx = ctx
        self._limits = limits

    def ctx(self) -> Collaborators:
        if self._ctx is None:
            self._ctx = collaborators(open_database(migrate=False).sessions)
        return self._ctx

    def limits(self) -> Intake:
        if self._limits is None:
            self._limits = intake_from_env(os.environ.get("REDIS_URL") or None)
        return self._limits

    async def thread_of(self, mail: InboundMail) -> str | None:
        """The conversation this mail answers: our Message-ID in its headers, or its ticket."""
        found = conversation_from_ids(mail.thread_ids)
        if found:
            return found
        number = ticket_number(mail.subject)
        if number is None:
            return None
        return await asyncio.to_thread(conversation_of_ticket, self.ctx(), number)

    async def entry_key(self, mail: InboundMail) -> str | None:
        """The intake address the mail came to (the first one a client has), if any."""

        def find() -> str | None:
            registry = self.ctx().registry()
            for address in mail.recipients:
                if registry.find_by_entry("email", address) is not None:
                    return address
            return mail.recipients[0] if mail.recipients else None

        return await asyncio.to_thread(find)

    async def photos(
        self, mail: InboundMail, conversation_id: str
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """The attachments that are photos, checked and stored; notes for the others."""
        photos: list[dict[str, Any]] = []
        notes: list[str] = []
        for attachment in mail.attachments:
            try:
                check(attachment.data)
            except RejectedFile:
                notes.append(NOT_A_PHOTO.format(name=attachment.filename))
                continue
            refused = await self.limits().photos.refusal(
                conversation=conversation_id, size=len(attachment.data), root=upload_dir()
            )
            if refused is not None:
                notes.append(refused.text)
                continue
            try:
                stored = await asyncio.to_thread(
                    store_file, attachment.data, upload_dir(), datetime.now(timezone.utc)
                )
            except RejectedFile as rejected:
                notes.append(str(rejected))
                continue
            photos.append(
                {
                    "photo": stored.relative,
                    "content_type": stored.content_type,
                    "size": stored.size,
                    "sha256": stored.sha256,
                }
            )
        return photos, notes

    async def acuut_first(
        self, conversation_id: str, view: TrackerView, contact: Contact, mail: InboundMail
    ) -> list[str]:
        """A first mail that is certainly acuut but unfinished: queued; what to tell."""
        ctx = self.ctx()
        client_id = view.slots.get("opdrachtgever")
        if not await asyncio.to_thread(certainly_acuut, ctx, view.topic, view.facts, client_id):
            return []
        assert view.topic is not None
        handed = await asyncio.to_thread(
            lambda: queue_acuut(
                ctx,
                conversation_id,
                "email",
                topic=str(view.topic),
                facts=view.facts,
                contact={**contact.to_dict(), "email": mail.sender, "description": mail.text},
                client_id=client_id,
            )
        )
        if not handed.queued:
            return [handed.message]
        phone = normalise_phone(contact.phone) if contact.phone else None
        if isinstance(phone, str):
            return [ACUUT_QUEUED, ACUUT_CALL_BACK.format(phone=format_phone(phone))]
        return [ACUUT_QUEUED, ACUUT_NO_PHONE]

    async def queue_unreadable(
        self, conversation_id: str, why: str, where: str, raw: bytes
    ) -> str | None:
        """Queue the kept mail for agents; its sender's address, when one can be read."""
        sender = _sender(raw)
        ctx = self.ctx()
        await asyncio.to_thread(
            lambda: queue_unreadable(ctx, conversation_id, why=why, where=where, sender=sender)
        )
        return sender


def _sender(raw: bytes) -> str | None:
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].decode("utf-8", "replace")
    for line in head.splitlines():
        if line.lower().startswith("from:"):
            address = parseaddr(line[5:])[1]
            return address if "@" in address else None
    return None


__all__ = ["Invalid", "Services", "contact_with_earlier", "keep_unreadable"]
