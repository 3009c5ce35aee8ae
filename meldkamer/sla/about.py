"""What a clock is about (its ticket, else the handed-over chat), its messages and its log.

A handed-over chat runs its answer clock before the assistant registered a ticket; then
the breach, its messages and its contact-log rows name the conversation instead of a
ticket number (the log keeps the conversation id, so the ticket finds them later).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from meldkamer.contacts import (
    CHANNEL_LABELS,
    Channel,
    ContactKind,
    Direction,
    Party,
    record_contact,
)
from meldkamer.dispatch.texts import address, topic_name
from meldkamer.handover.models import Handover
from meldkamer.sla.clocks import CLOCK_LABELS
from meldkamer.sla.models import SlaClock
from meldkamer.tickets import Ticket
from meldkamer.triage.officehours import AMSTERDAM

#: How a chat without a ticket is named in messages and on the Bewaking page.
NO_TICKET = "gesprek zonder melding"


@dataclass(frozen=True)
class About:
    """A clock's ticket, else its handover (one of them is there)."""

    ticket: Ticket | None
    handover: Handover | None

    @property
    def name(self) -> str:
        return self.ticket.number if self.ticket is not None else NO_TICKET

    @property
    def ticket_id(self) -> int | None:
        return self.ticket.id if self.ticket is not None else None

    @property
    def client_id(self) -> str | None:
        if self.ticket is not None:
            return self.ticket.client_id
        return self.handover.client_id if self.handover is not None else None

    @property
    def conversation_id(self) -> str | None:
        if self.ticket is not None:
            return self.ticket.conversation_id
        return self.handover.conversation_id if self.handover is not None else None


def about(session: Session, clock: SlaClock) -> About:
    """The clock's ticket and handover, as far as they exist."""
    ticket = session.get(Ticket, clock.ticket_id) if clock.ticket_id is not None else None
    handover = session.get(Handover, clock.handover_id) if clock.handover_id is not None else None
    return About(ticket, handover)


def local(moment: datetime) -> str:
    """``05-12-2026 03:15`` in the meldkamer's time zone."""
    return moment.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")


def message(clock: SlaClock, on: About, answer: str) -> tuple[str, str, str]:
    """Subject, e-mail body and SMS of an escalation step."""
    what = CLOCK_LABELS[clock.clock]
    subject = f"SLA VERLOPEN {on.name}: {what}"
    ticket = on.ticket
    if ticket is not None:
        facts = f"{topic_name(ticket.topic)}, {address(ticket)}"
        lines = [f"Melding: {facts}.", f"Huurder: {ticket.naam}, {ticket.telefoon}."]
    else:
        channel = on.handover.channel if on.handover is not None else ""
        facts = f"een huurder ({CHANNEL_LABELS.get(channel, 'chat')}) wacht op een medewerker"
        lines = [f"Gesprek: {facts}."]
    body = "\n".join(
        [
            f"De belofte '{what}' voor {on.name} is niet gehaald (doel {local(clock.target_at)}).",
            *lines,
            "",
            answer,
        ]
    )
    sms = f"SLA VERLOPEN {on.name}: {what} ({facts}). {answer}"
    return subject, body, sms


@dataclass(frozen=True)
class Entry:
    """One escalation row of the contact log: which way, how, to whom."""

    direction: Direction
    channel: Channel
    party: Party


def log(
    session: Session,
    on: About,
    now: datetime,
    entry: Entry,
    summary: str,
    clock: SlaClock,
    by: str | None = None,
) -> None:
    """An escalation row in the contact log, on the ticket or the conversation."""
    record_contact(
        session,
        at=now,
        direction=entry.direction,
        channel=entry.channel,
        party=entry.party,
        kind=ContactKind.ESCALATIE,
        summary=summary,
        ticket_id=on.ticket_id,
        conversation_id=on.conversation_id,
        client_id=on.client_id,
        by=by,
        ref=f"sla:{clock.id}",
    )
