"""Telling the tenant every step of their work order, on the channel they can read.

A web chat, WhatsApp or Telegram tenant gets the update in their own conversation
(outbox kind ``chat``, delivered through Rasa by :mod:`meldkamer.notify.chat`: the web
chat shows it also after a reload, WhatsApp sends the approved template outside the
24-hour window). A tenant who cannot be reached there gets an SMS: REST and phone
meldingen always, a web chat tenant once the chat's session is over. The texts are data
(:mod:`meldkamer.updates.texts`, a client may word them itself). Queued in the caller's
transaction, so the tenant hears of a change exactly when it is committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Protocol

from sqlalchemy.orm import Session

from meldkamer.clients.schema import Client
from meldkamer.contacts import Channel, ContactKind, Direction, Party, record_contact
from meldkamer.dispatch.models import WorkOrder, WorkOrderStatus
from meldkamer.notify.models import MessageKind, OutboxMessage
from meldkamer.notify.outbox import enqueue, find_by_key
from meldkamer.tickets.models import Ticket
from meldkamer.updates.texts import UpdateTexts, arrival

#: The channels on which the tenant's own conversation can carry an update.
CHAT_CHANNELS = frozenset({Channel.WEBCHAT.value, Channel.WHATSAPP.value, Channel.TELEGRAM.value})
#: After this a web chat tenant has most likely closed the page: as long as the chat's
#: session lasts (``session_expiration_time`` in domain.yml), so an SMS goes along.
WEBCHAT_REACH = timedelta(minutes=120)
#: Who sends these, in the contact log.
PARTY_MELDKAMER = Party.MELDKAMER.value
#: The outbox purpose of these messages (the outbox and contact log show it).
PURPOSE = "update_huurder"

#: The text of each work-order step the tenant hears about; the others stay silent
#: (a work order sent to the next contractor changes nothing for the tenant).
STEP_TEXTS: Mapping[str, str] = MappingProxyType(
    {
        WorkOrderStatus.BEVESTIGD.value: "bevestigd",
        WorkOrderStatus.ONDERWEG.value: "onderweg",
        WorkOrderStatus.TER_PLAATSE.value: "ter_plaatse",
        WorkOrderStatus.GEREED.value: "gereed",
        WorkOrderStatus.NIET_GELUKT.value: "niet_gelukt",
        WorkOrderStatus.GEANNULEERD.value: "geannuleerd",
    }
)


class StepEvent(Protocol):
    """What a work-order change tells (:class:`meldkamer.dispatch.models.WorkOrderEvent`)."""

    @property
    def id(self) -> int: ...

    @property
    def status_to(self) -> str: ...

    @property
    def eta_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class Route:
    """One way to the tenant: the outbox kind, the recipient, the contact log's channel."""

    kind: MessageKind
    recipient: str
    channel: str


def routes(ticket: Ticket, now: datetime) -> list[Route]:
    """Where the tenant of ``ticket`` reads an update now."""
    found: list[Route] = []
    if ticket.channel in CHAT_CHANNELS:
        found.append(Route(MessageKind.CHAT, ticket.conversation_id, ticket.channel))
    stale_chat = ticket.channel == Channel.WEBCHAT.value and now - ticket.created_at > WEBCHAT_REACH
    if (not found or stale_chat) and ticket.telefoon.startswith("+"):
        found.append(Route(MessageKind.SMS, ticket.telefoon, Channel.SMS.value))
    return found


def step_text(
    texts: UpdateTexts,
    ticket: Ticket,
    order: WorkOrder,
    event: StepEvent,
    kind: MessageKind,
    now: datetime,
) -> str | None:
    """What the tenant reads about ``event`` on a route of ``kind``; ``None``: nothing."""
    key = STEP_TEXTS.get(event.status_to)
    if key is None:
        return None
    eta = event.eta_at or order.eta_at
    if key == "onderweg" and eta is None:
        key = "onderweg_zonder_tijd"
    values = {"aannemer": order.contractor_name}
    if eta is not None:
        values["tijd"] = arrival(eta, now)
    parts = [texts.render(key, ticket.number, **values)]
    if key == "gereed":
        if order.report:
            parts.append(texts.render("verslag", ticket.number, verslag=order.report))
        # Only a chat can take the answer "nog niet opgelost"; an SMS says whom to call.
        reply = "na_gereed_chat" if kind is MessageKind.CHAT else "na_gereed_sms"
        parts.append(texts.render(reply, ticket.number))
    return "\n".join(parts)


def send_to_tenant(
    session: Session,
    ticket: Ticket,
    *,
    key: str,
    texts: Mapping[MessageKind, str] | str,
    now: datetime,
) -> list[OutboxMessage]:
    """Queue ``texts`` (one, or one per route kind) to the tenant on every route; logged.

    ``key`` makes it idempotent: the same key queues nothing a second time.
    """
    queued: list[OutboxMessage] = []
    for route in routes(ticket, now):
        body = texts if isinstance(texts, str) else texts.get(route.kind)
        if body is None:
            continue
        message_key = f"{key}:{route.kind.value}"
        if find_by_key(session, message_key) is not None:
            continue  # queued (and logged) before: a repeated change sends nothing twice
        queued.append(
            enqueue(
                session,
                key=message_key,
                kind=route.kind,
                recipient=route.recipient,
                body=body,
                ticket_id=ticket.id,
                purpose=PURPOSE,
                now=now,
            )
        )
        record_contact(
            session,
            at=now,
            direction=Direction.UIT,
            channel=route.channel,
            party=Party.HUURDER,
            kind=ContactKind.SMS if route.kind is MessageKind.SMS else ContactKind.BERICHT,
            summary=body,
            ticket_id=ticket.id,
            conversation_id=ticket.conversation_id,
            client_id=ticket.client_id,
            by=PARTY_MELDKAMER,
            ref=message_key,
        )
    return queued


def notify_tenant(
    session: Session,
    ticket: Ticket,
    event: StepEvent,
    *,
    order: WorkOrder,
    client: Client | None,
    now: datetime,
) -> list[OutboxMessage]:
    """Tell the tenant of ``ticket`` about a step of ``order`` (called on every change).

    Queued in ``session`` (the caller commits, with the change itself), once per event,
    in the client's own words where its file has them. Steps the tenant need not hear
    about (sent to the next contractor) queue nothing.
    """
    texts = UpdateTexts.for_client(client)
    bodies: dict[MessageKind, str] = {}
    for kind in (MessageKind.CHAT, MessageKind.SMS):
        body = step_text(texts, ticket, order, event, kind, now)
        if body is not None:
            bodies[kind] = body
    if not bodies:
        return []
    return send_to_tenant(
        session, ticket, key=f"huurder:{ticket.number}:{event.id}", texts=bodies, now=now
    )
