"""Queue a message and log it as a contact: what the core sends to contractors and clients.

Every e-mail and SMS the dispatch and the escalation queue goes through
:func:`enqueue_logged`, so the contact log has each one once, with the outbox key as its
reference (the tenant's updates log their own, per route: meldkamer.service.tenant_updates).
"""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType

from sqlalchemy.orm import Session

from meldkamer.contacts.log import (
    Channel,
    ContactKind,
    Direction,
    Party,
    channel_of,
    record_contact,
)
from meldkamer.notify.models import MessageKind, OutboxMessage
from meldkamer.notify.outbox import enqueue, find_by_key
from meldkamer.tickets import Ticket

#: Who a message is for, by its outbox purpose (anything else: the meldkamer itself).
PARTY_OF_PURPOSE = MappingProxyType(
    {
        "werkbon": Party.AANNEMER,
        "opdrachtgever": Party.OPDRACHTGEVER,
        "bevestiging_huurder": Party.HUURDER,
    }
)
#: The log's channel and kind of each outbox kind (a chat message: the ticket's channel).
_LOGGED_AS = MappingProxyType(
    {
        MessageKind.EMAIL: (Channel.EMAIL, ContactKind.EMAIL),
        MessageKind.SMS: (Channel.SMS, ContactKind.SMS),
    }
)
_SUMMARY = 300


def enqueue_logged(
    session: Session,
    *,
    key: str,
    kind: MessageKind | str,
    recipient: str,
    body: str,
    subject: str | None = None,
    ticket_id: int | None = None,
    purpose: str,
    now: datetime,
) -> OutboxMessage:
    """:func:`meldkamer.notify.outbox.enqueue`, and an outgoing contact the first time.

    Same arguments and idempotency as ``enqueue``: a key queued before is neither queued
    nor logged again. Without ``ticket_id`` nothing is logged (the log is per ticket).
    """
    fresh = find_by_key(session, key) is None
    message = enqueue(
        session,
        key=key,
        kind=kind,
        recipient=recipient,
        body=body,
        subject=subject,
        ticket_id=ticket_id,
        purpose=purpose,
        now=now,
    )
    ticket = session.get(Ticket, ticket_id) if fresh and ticket_id is not None else None
    if ticket is not None:
        channel, logged_kind = _LOGGED_AS.get(
            MessageKind(kind), (channel_of(ticket.channel), ContactKind.BERICHT)
        )
        record_contact(
            session,
            at=now,
            direction=Direction.UIT,
            channel=channel,
            party=PARTY_OF_PURPOSE.get(purpose, Party.MELDKAMER),
            kind=logged_kind,
            summary=f"Aan {recipient}: {subject or body}"[:_SUMMARY],
            ticket_id=ticket.id,
            conversation_id=ticket.conversation_id,
            client_id=ticket.client_id,
            by="meldkamer",
            ref=key,
        )
    return message
