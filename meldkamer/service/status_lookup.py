"""The status of a ticket ("hoe staat het met mijn melding?"), only with proof it is yours.

Proof on WhatsApp and Telegram is the sender itself: the ticket's own conversation or
phone number. Elsewhere (web chat, REST) it is the ticket number with the postcode and
house number of the address. A wrong proof says nothing about why it was wrong (no
ticket by that number, or another address): the answer is the same, so guessing learns
nothing. After :data:`MAX_WRONG` wrong proofs in :data:`WRONG_WINDOW` a person takes over.
Every lookup is in the contact log.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from meldkamer.contacts import Channel, Contact, ContactKind, Direction, Party, record_contact
from meldkamer.dispatch.models import WorkOrder, WorkOrderStatus
from meldkamer.intake.validation import Address
from meldkamer.notify.models import MessageKind
from meldkamer.rows import one_row
from meldkamer.service.context import Collaborators
from meldkamer.service.tenant_updates import step_text
from meldkamer.service.workorder import current_order
from meldkamer.tickets.models import STATUS_LABELS, Ticket, TicketStatus
from meldkamer.updates.texts import UpdateTexts

# The columns, for comparisons mypy cannot check on the annotated attributes.
_tickets: Any = Ticket.__table__.c
#: A ticket number as tenants write it: ``MK-2026-000123``, ``mk 2026 000123``.
_NUMBER = re.compile(r"\bMK[\s-]?(\d{4})[\s-]?(\d{6})\b", re.IGNORECASE)
#: Where the sender itself is the proof.
SENDER_CHANNELS = frozenset({Channel.WHATSAPP.value, Channel.TELEGRAM.value})
MAX_WRONG = 3
#: How the WhatsApp and SMS channels name a conversation: a prefix and the number's digits.
PHONE_PREFIXES = {Channel.WHATSAPP.value: "wa-", Channel.SMS.value: "sms-"}
WRONG_WINDOW = timedelta(hours=24)
#: The most tickets one answer lists.
MAX_LISTED = 3
#: The contact log's ref of a wrong proof (counted for :data:`MAX_WRONG`).
WRONG_REF = "statusvraag:onjuist"

WRONG = (
    "Met deze gegevens kan ik geen melding vinden. Controleer het meldingsnummer "
    "(het staat in de bevestiging) en de postcode en het huisnummer van de woning, "
    "en probeer het nog eens."
)
WRONG_SENDER = (
    "Ik kan geen melding met dit nummer vinden die vanaf dit gesprek of telefoonnummer "
    "is gedaan. Controleer het meldingsnummer en probeer het nog eens."
)
NONE_FROM_SENDER = (
    "Ik vind geen melding die vanaf dit gesprek of telefoonnummer is gedaan. Heeft u "
    "op een andere manier gemeld, bijvoorbeeld per telefoon? Typ 'medewerker', dan "
    "helpt een medewerker u verder."
)
TO_PERSON = (
    "Dat klopt niet met wat ik weet. Ik kan u daarom niets over een melding vertellen. "
    "Ik geef u door aan een medewerker."
)
#: The reason in the agents' queue.
HANDOVER_REASON = "Statusvraag: drie keer onjuiste gegevens"


class Found(str, enum.Enum):
    """How a lookup ended."""

    STATUS = "status"  # proven: the status is told
    NEED_NUMBER = "nummer"  # ask for the ticket number
    NEED_ADDRESS = "adres"  # ask for the postcode and house number
    WRONG = "onjuist"  # the proof did not hold; ask again
    NONE = "geen"  # the sender has no tickets
    TO_PERSON = "medewerker"  # too many wrong proofs: a person takes over


@dataclass(frozen=True)
class Asker:
    """Who asks: their conversation, the channel it is on, the phone it comes from."""

    conversation_id: str
    channel: str
    phone: str | None = None


@dataclass(frozen=True)
class Proof:
    """What the tenant gave: a ticket number and an address (either may be missing)."""

    number: str | None = None
    address: Address | None = None


@dataclass(frozen=True)
class StatusAnswer:
    """The lookup's result: what happened, what to tell, which tickets were told."""

    found: Found
    message: str | None
    tickets: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Step:
    id: int
    status_to: str
    eta_at: datetime | None


def find_number(text: str) -> str | None:
    """The first ticket number in ``text``, written as ``MK-2026-000123``."""
    match = _NUMBER.search(text)
    return f"MK-{match.group(1)}-{match.group(2)}" if match else None


def without_number(text: str) -> str:
    """``text`` without its ticket numbers, so their digits are not read as a house number."""
    return _NUMBER.sub(" ", text)


def asker_for(conversation_id: str, channel: str) -> Asker:
    """Who asks, with the phone number a WhatsApp or SMS conversation id carries.

    The channels name those conversations ``wa-<number>`` and ``sms-<number>``.
    """
    prefix = PHONE_PREFIXES.get(channel)
    digits = conversation_id.removeprefix(prefix) if prefix else ""
    usable = prefix is not None and conversation_id.startswith(prefix) and digits.isdigit()
    return Asker(conversation_id, channel, f"+{digits}" if usable else None)


def is_senders(ticket: Ticket, asker: Asker) -> bool:
    """Whether ``ticket`` was made from ``asker``'s conversation or phone number."""
    return ticket.conversation_id == asker.conversation_id or (
        asker.phone is not None and ticket.telefoon == asker.phone
    )


def address_matches(ticket: Ticket, address: Address) -> bool:
    """Postcode and house number of the ticket's address (the addition is often left out)."""
    return ticket.postcode == address.postcode and ticket.huisnummer == address.huisnummer


def proven(ticket: Ticket | None, asker: Asker, proof: Proof) -> bool:
    """Whether ``proof`` from ``asker`` shows ``ticket`` is theirs."""
    if ticket is None:
        return False
    if asker.channel in SENDER_CHANNELS:
        return is_senders(ticket, asker)
    return proof.address is not None and address_matches(ticket, proof.address)


def describe(texts: UpdateTexts, ticket: Ticket, order: WorkOrder | None, now: datetime) -> str:
    """Where ``ticket`` stands, in the tenant's words, with the expected time and next step."""
    if ticket.status == TicketStatus.AFGEROND.value:
        return "\n".join(
            (
                texts.render("status_afgerond", ticket.number),
                texts.render("na_gereed_chat", ticket.number),
            )
        )
    if ticket.status == TicketStatus.GEANNULEERD.value:
        return texts.render("status_geannuleerd", ticket.number)
    if order is None:
        return texts.render("status_open", ticket.number)
    waiting = (WorkOrderStatus.VERSTUURD.value, WorkOrderStatus.GEESCALEERD.value)
    if order.status in waiting:
        return texts.render("status_verstuurd", ticket.number, aannemer=order.contractor_name)
    step = _Step(order.id, order.status, order.eta_at)
    told = step_text(texts, ticket, order, step, MessageKind.CHAT, now)
    return told or texts.render("status_open", ticket.number)


def _sender_tickets(session: Session, asker: Asker, limit: int = MAX_LISTED) -> list[Ticket]:
    mine = _tickets.conversation_id == asker.conversation_id
    if asker.phone:
        mine = or_(mine, _tickets.telefoon == asker.phone)
    closed = (TicketStatus.AFGEROND.value, TicketStatus.GEANNULEERD.value)
    statement = (
        select(Ticket)
        .where(mine)
        # Open tickets first, newest first within each.
        .order_by(case((_tickets.status.in_(closed), 1), else_=0), _tickets.created_at.desc())
        .limit(limit)
    )
    return list(session.execute(statement).scalars())


def wrong_count(session: Session, conversation_id: str, now: datetime) -> int:
    """Wrong proofs from this conversation in the last :data:`WRONG_WINDOW`."""
    count: int = session.execute(
        select(func.count(Contact.id)).where(
            Contact.conversation_id == conversation_id,
            Contact.ref == WRONG_REF,
            Contact.at >= now - WRONG_WINDOW,
        )
    ).scalar_one()
    return count


def log_from_tenant(
    session: Session,
    asker: Asker,
    now: datetime,
    summary: str,
    ticket: Ticket | None,
    *,
    kind: ContactKind = ContactKind.STATUSVRAAG,
    ref: str | None = None,
) -> None:
    """The tenant's message in the contact log, on their channel (REST where unknown)."""
    channel = asker.channel if asker.channel in {c.value for c in Channel} else Channel.REST
    record_contact(
        session,
        at=now,
        direction=Direction.IN,
        channel=channel,
        party=Party.HUURDER,
        kind=kind,
        summary=summary,
        ticket_id=ticket.id if ticket else None,
        conversation_id=asker.conversation_id,
        client_id=ticket.client_id if ticket else None,
        by=Party.HUURDER.value,
        ref=ref,
    )


def _wrong(session: Session, asker: Asker, now: datetime, ticket: Ticket | None) -> StatusAnswer:
    count = wrong_count(session, asker.conversation_id, now) + 1
    log_from_tenant(
        session,
        asker,
        now,
        f"Statusvraag met onjuiste gegevens ({count}e keer)",
        ticket,
        ref=WRONG_REF,
    )
    if count >= MAX_WRONG:
        return StatusAnswer(Found.TO_PERSON, TO_PERSON)
    return StatusAnswer(Found.WRONG, WRONG_SENDER if asker.channel in SENDER_CHANNELS else WRONG)


def _told(
    session: Session, ctx: Collaborators, asker: Asker, tickets: list[Ticket], now: datetime
) -> StatusAnswer:
    lines = []
    for ticket in tickets:
        lines.append(
            describe(
                UpdateTexts.for_client(ctx.client(ticket.client_id)),
                ticket,
                current_order(session, ticket.id),
                now,
            )
        )
        log_from_tenant(session, asker, now, f"Status van {ticket.number} gegeven", ticket)
    return StatusAnswer(Found.STATUS, "\n\n".join(lines), tuple(t.number for t in tickets))


def look_up(ctx: Collaborators, asker: Asker, proof: Proof) -> StatusAnswer:
    """Tell the status of the asker's ticket(s) if the proof holds; committed (with the log)."""
    now = ctx.clock()
    by_sender = asker.channel in SENDER_CHANNELS
    if not by_sender and proof.number is None:
        return StatusAnswer(Found.NEED_NUMBER, None)
    if not by_sender and proof.address is None:
        return StatusAnswer(Found.NEED_ADDRESS, None)
    with ctx.sessions.begin() as session:
        if by_sender and proof.number is None:
            tickets = _sender_tickets(session, asker)
            if not tickets:
                return StatusAnswer(Found.NONE, NONE_FROM_SENDER)
            return _told(session, ctx, asker, tickets, now)
        assert proof.number is not None
        if wrong_count(session, asker.conversation_id, now) >= MAX_WRONG:
            # Past the limit even a right guess is not told: a person checks who asks.
            log_from_tenant(session, asker, now, "Statusvraag na te veel onjuiste pogingen", None)
            return StatusAnswer(Found.TO_PERSON, TO_PERSON)
        ticket = one_row(session, Ticket, Ticket.number == proof.number)
        if not proven(ticket, asker, proof):
            return _wrong(session, asker, now, ticket)
        assert ticket is not None
        return _told(session, ctx, asker, [ticket], now)


@dataclass(frozen=True)
class CallerTicket:
    """A ticket of a caller's phone number, for the agent on the phone."""

    number: str
    status: str
    status_label: str
    urgency: str
    created_at: datetime
    address: str
    told: str


#: The most tickets of one caller the phone mode shows.
MAX_CALLER_TICKETS = 10


def caller_tickets(ctx: Collaborators, phone: str) -> list[CallerTicket]:
    """The tickets made with ``phone`` (E.164), open first, each with what the tenant hears.

    For the console's phone mode: the agent is signed in, the caller is on the line.
    """
    now = ctx.clock()
    with ctx.sessions() as session:
        asker = Asker(conversation_id="", channel=Channel.TELEFOON.value, phone=phone)
        found = []
        for ticket in _sender_tickets(session, asker, MAX_CALLER_TICKETS):
            texts = UpdateTexts.for_client(ctx.client(ticket.client_id))
            address = Address(ticket.postcode, ticket.huisnummer, ticket.huisnummer_toevoeging)
            found.append(
                CallerTicket(
                    number=ticket.number,
                    status=ticket.status,
                    status_label=STATUS_LABELS[ticket.status],
                    urgency=ticket.urgency,
                    created_at=ticket.created_at,
                    address=str(address),
                    told=describe(texts, ticket, current_order(session, ticket.id), now),
                )
            )
        return found
