"""Queue a message and log it as a contact: what the core sends to contractors and clients.

Every e-mail and SMS the dispatch and the escalation queue goes through
:func:`enqueue_logged`, so the contact log has each one once, with the outbox key as its
reference (the tenant's updates log their own, per route: meldkamer.service.tenant_updates).
"""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType

from sqlalchemy.orm import Session
from typing_extensions import Unpack

from meldkamer.contacts.log import (
    Channel,
    ContactKind,
    Direction,
    Party,
    channel_of,
    record_contact,
)
from meldkamer.notify.models import MessageKind, OutboxMessage
from meldkamer.notify.outbox import Outgoing, queue
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
    session: Session, *, kind: MessageKind | str, now: datetime, **message: Unpack[Outgoing]
) -> OutboxMessage:
    """:func:`meldkamer.notify.outbox.enqueue`, and an outgoing contact the first time.

    Same arguments and idempotency as ``enqueue``: a key queued before is neither queued
    nor logged again. Without ``ticket_id`` nothing is logged (the log is per ticket).
    """
    queued, fresh = queue(session, kind=kind, now=now, **message)
    ticket = (
        session.get(Ticket, queued.ticket_id) if fresh and queued.ticket_id is not None else None
    )
    if ticket is not None:
        channel, logged_kind = _LOGGED_AS.get(
            MessageKind(queued.kind), (channel_of(ticket.channel), ContactKind.BERICHT)
        )
        record_contact(
            session,
            at=now,
            direction=Direction.UIT,
            channel=channel,
            party=PARTY_OF_PURPOSE.get(queued.purpose, Party.MELDKAMER),
            kind=logged_kind,
            summary=f"Aan {queued.recipient}: {queued.subject or queued.body}"[:_SUMMARY],
            ticket_id=ticket.id,
            conversation_id=ticket.conversation_id,
            client_id=ticket.client_id,
            by="meldkamer",
            ref=queued.key,
        )
    return queued
