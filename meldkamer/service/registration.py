"""The one step every confirmed melding goes through: register, link photos, dispatch.

The chat, the phone wizard and the outage spool all register a melding here; what
differs between them is the :class:`Origin` (who took it, whether the tenant was told
a ticket number, when it was confirmed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from meldkamer.attachments.store import link_to_ticket
from meldkamer.contacts import ContactKind, Direction, Party, channel_of, record_contact
from meldkamer.dispatch import texts
from meldkamer.dispatch.service import dispatch
from meldkamer.handover.drafts import claim_draft, draft_photos, link_registered
from meldkamer.handover.service import add_note
from meldkamer.intake.melding import Melding
from meldkamer.intake.spool import ATTENTION
from meldkamer.service.context import Collaborators
from meldkamer.service.photos import MAX_PHOTOS
from meldkamer.tickets import (
    NewTicket,
    Ticket,
    bounded,
    flag_attention,
    open_ticket,
)
from meldkamer.tickets.store import CREATED_BY
from meldkamer.triage import Outcome, TriageEngine, TriageSettings

#: The note on a melding an agent took by phone.
PHONE_NOTE = "Telefonisch aangenomen door {name}."


@dataclass(frozen=True)
class AgentNote:
    """An internal note added to the new ticket, by ``author`` (a username)."""

    author: str
    text: str


@dataclass(frozen=True)
class Origin:
    """How a melding reached us, where the callers differ.

    Attributes:
        note: an agent's note for the new ticket (phone intake).
        attention: a reason for a person to look at the new ticket (the spool: the
            tenant got no ticket number).
        received_at: when the tenant confirmed, if not now: the melding is classified
            as at that moment, and sent as of now.
        spool_on_outage: keep the melding on disk when the database is away; ``False``
            for the spool itself, which leaves its file where it is.
    """

    note: AgentNote | None = None
    attention: str | None = None
    received_at: datetime | None = None
    spool_on_outage: bool = True
    #: The draft (:mod:`meldkamer.handover.drafts`) the agent completed in phone mode.
    draft_id: int | None = None

    @classmethod
    def chat(cls) -> Origin:
        """The tenant confirmed in a conversation with the bot."""
        return cls()

    @classmethod
    def phone(cls, username: str, display_name: str) -> Origin:
        """An agent took the melding by phone."""
        return cls(note=AgentNote(username, PHONE_NOTE.format(name=display_name)))

    @classmethod
    def spool(cls, received_at: datetime) -> Origin:
        """Kept during an outage, registered now; the tenant got no ticket number."""
        return cls(attention=ATTENTION, received_at=received_at, spool_on_outage=False)


@dataclass(frozen=True)
class Registered:
    """A registered melding: its ticket, the outcome, whether the ticket is new."""

    ticket: Ticket
    outcome: Outcome
    new: bool
    #: The draft (``Origin.draft_id``) had become this ticket already: none was made.
    draft_taken: bool = False


def register_melding(
    session: Session,
    melding: Melding,
    *,
    engine: TriageEngine,
    settings: TriageSettings,
    now: datetime,
    by: str = CREATED_BY,
) -> tuple[Ticket, Outcome, bool]:
    """Classify a melding and store it as a ticket (the caller commits).

    ``by`` is who made it (the status history's first line): the assistant, or the agent.

    Returns:
        the ticket, the outcome, and whether the ticket is new (``False`` when this
        melding was registered before: then nothing further must be sent again).
    """
    outcome = engine.evaluate(melding.topic, melding.facts, now, settings)
    ticket, new = open_ticket(
        session,
        NewTicket(
            melding_id=melding.melding_id,
            conversation_id=melding.conversation_id,
            # The channel's name comes from the adapter, not the tenant: bounded, not refused.
            channel=bounded("channel", melding.channel),
            client_id=melding.client_id,
            complex_id=melding.complex_id,
            attention=melding.attention,
            topic=melding.topic,
            facts=dict(melding.facts),
            outcome={**outcome.to_dict(), "unknown_facts": list(melding.unknown_facts)},
            postcode=melding.address.postcode,
            huisnummer=melding.address.huisnummer,
            huisnummer_toevoeging=melding.address.toevoeging,
            naam=melding.naam,
            telefoon=melding.telefoon,
            email=melding.email,
            beschrijving=melding.beschrijving,
            created_by=by,
        ),
        now,
    )
    return ticket, outcome, new


def register_confirmed(
    session: Session,
    ctx: Collaborators,
    melding: Melding,
    *,
    photos: Sequence[str],
    origin: Origin,
    now: datetime,
) -> Registered:
    """Register the melding and, for a new ticket, link photos and dispatch (the caller commits).

    Idempotent on ``melding_id``: registered before, nothing is linked or sent again.
    """
    client, complex_ = ctx.place(melding.client_id, melding.complex_id)
    settings = ctx.settings_for(melding.client_id)
    by = origin.note.author if origin.note else CREATED_BY
    if origin.draft_id is not None:
        first = _completed_before(session, origin.draft_id, by, now)
        if first is not None:  # another agent completed it: that ticket, not a second one
            outcome = ctx.engine.evaluate(melding.topic, melding.facts, now, settings)
            return Registered(first, outcome, False, draft_taken=True)
        # The tenant's photos of the chat go with the ticket, as the bot's would.
        chat = [path for path in draft_photos(session, origin.draft_id) if path not in photos]
        photos = [*photos, *chat][:MAX_PHOTOS]
    ticket, outcome, new = register_melding(
        session,
        melding,
        engine=ctx.engine,
        settings=settings,
        now=origin.received_at or now,
        by=by,
    )
    if not new:
        return Registered(ticket, outcome, False)
    _log_intake(session, ticket, outcome, origin, now)  # first: the contacts it caused follow
    link_to_ticket(session, melding.conversation_id, photos, ticket.id)
    dispatch(
        session, ticket, outcome, client, complex_, photos=photos, settings=ctx.dispatch, now=now
    )
    if origin.note is not None:
        add_note(
            session,
            melding.conversation_id,
            origin.note.author,
            origin.note.text,
            now,
            ticket_id=ticket.id,
        )
    if origin.attention:
        flag_attention(session, ticket, origin.attention, now)
    # A melding handed over incomplete before: its draft now has its ticket.
    link_registered(session, melding.conversation_id, ticket.id, by, now, origin.draft_id)
    return Registered(ticket, outcome, True)


def _completed_before(session: Session, draft_id: int, by: str, now: datetime) -> Ticket | None:
    """The ticket the draft already became, else ``None`` with the draft claimed for ``by``."""
    taken = claim_draft(session, draft_id, by, now)
    return session.get(Ticket, taken) if taken is not None else None


def _log_intake(
    session: Session, ticket: Ticket, outcome: Outcome, origin: Origin, now: datetime
) -> None:
    """The melding itself in the contact log: the tenant's conversation or call."""
    taken = origin.note.text.rstrip(".") if origin.note else "Aangenomen door de assistent"
    record_contact(
        session,
        at=now,
        direction=Direction.IN,
        channel=channel_of(ticket.channel),
        party=Party.HUURDER,
        kind=ContactKind.GESPREK,
        summary=(
            f"{taken}: {texts.topic_name(ticket.topic)}, {texts.urgency_word(outcome.urgency)}"
        ),
        ticket_id=ticket.id,
        conversation_id=ticket.conversation_id,
        client_id=ticket.client_id,
        by=origin.note.author if origin.note else Party.ASSISTENT.value,
        ref=f"melding:{ticket.melding_id}"[:200],
    )
