"""Hand a conversation to a person of the meldkamer.

The bot asks for a person when the tenant wants one or the matrix says a person
decides. The conversation is queued with what the bot knew
(:class:`~meldkamer.handover.summary.HandoverSummary`, with the outcome as far as
known); a melding not yet complete is kept as the session's draft
(:mod:`meldkamer.handover.drafts`), and a complete one is registered as a ticket at the
handover, so no melding that reached us is lost.
When nobody is present the tenant is told a person calls back, never before the
phone number is known, and the ticket (if any) is flagged for that call.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from meldkamer.agents.scope import serving
from meldkamer.contact import EMERGENCY_PHONE, MELDKAMER_PHONE
from meldkamer.contacts import ContactKind, Direction, Party, channel_of, record_contact
from meldkamer.handover.drafts import keep_draft
from meldkamer.handover.service import URGENCY_RANK, availability, request_handover
from meldkamer.handover.summary import HandoverSummary
from meldkamer.handover.texts import handover_texts
from meldkamer.intake.catalog import catalog
from meldkamer.intake.melding import Melding
from meldkamer.intake.validation import format_phone
from meldkamer.service.context import Collaborators
from meldkamer.service.registration import Origin, register_confirmed
from meldkamer.tickets import Ticket, flag_attention, get_ticket

logger = logging.getLogger(__name__)

#: Channels where an agent answers in the tenant's own thread (the reply goes back as a
#: mail), so a call-back is no promise that needs a phone number first: an acuut mail must
#: reach the queue at once, not wait for the tenant to mail a number back.
ANSWERED_IN_THREAD = frozenset({"email"})
#: The ticket's attention flag when nobody could take over: a person calls back.
CALL_BACK = "Terugbellen: huurder vroeg om een medewerker"
#: The attention flag of a ticket registered at the handover, before the tenant confirmed.
UNCONFIRMED = (
    "Overgedragen aan een medewerker voordat de huurder de samenvatting bevestigde: "
    "controleer de gegevens met de huurder"
)


@dataclass(frozen=True)
class HandoverRequest:
    """Who asks, why, and what the bot knew (the outcome is filled in here)."""

    conversation_id: str
    channel: str
    reason: str
    summary: HandoverSummary
    #: Everything a ticket needs, when the bot has it: registered at the handover.
    melding: Melding | None = None
    photos: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class HandedOver:
    """The result of :func:`hand_over`.

    Attributes:
        queued: the conversation is in the agents' queue.
        agent_available: a person takes over now (the bot goes quiet).
        message: what the tenant is told.
        ticket_number: the melding's ticket (registered now or before), if any; without
            one the melding is kept as a draft.
        needs_phone: nobody is present and the phone number is not known: the tenant
            is asked for it (``message``) and nothing is queued until it is given.
    """

    queued: bool
    agent_available: bool
    message: str
    ticket_number: str | None = None
    needs_phone: bool = False


def with_outcome(ctx: Collaborators, summary: HandoverSummary) -> HandoverSummary:
    """The summary with the triage outcome as far as the facts go (none without a topic)."""
    if not summary.topic:
        return summary
    settings = ctx.settings_for(summary.client_id)
    outcome = ctx.engine.evaluate(summary.topic, summary.facts, ctx.clock(), settings)
    return replace(summary, outcome=outcome.to_dict())


def _log(
    session: Session, request: HandoverRequest, ticket: Ticket | None, taken: bool, now: datetime
) -> None:
    """The handover in the contact log: asked for, and whether a person takes it now."""
    then = "een medewerker neemt het over" if taken else "niemand aanwezig, terugbellen"
    record_contact(
        session,
        at=now,
        direction=Direction.IN,
        channel=channel_of(request.channel),
        party=Party.HUURDER,
        kind=ContactKind.OVERDRACHT,
        summary=f"Overdracht aan een medewerker ({request.reason}): {then}",
        ticket_id=ticket.id if ticket else None,
        conversation_id=request.conversation_id,
        client_id=request.summary.client_id,
        by=Party.ASSISTENT.value,
    )


def hand_over(ctx: Collaborators, request: HandoverRequest) -> HandedOver:
    """Queue the conversation for an agent and say what happens next."""
    now = ctx.clock()
    summary = with_outcome(ctx, request.summary)
    try:
        with ctx.sessions.begin() as session:
            available = availability(
                session,
                now,
                serving=serving(summary.client_id),
                rank=URGENCY_RANK.get(summary.urgency or "", 0),
            )
            reachable = bool(summary.phone) or request.channel in ANSWERED_IN_THREAD
            if not available.available and not reachable:
                # A call-back needs a number: asked first, queued once it is given; what
                # was collected is kept already, in case the tenant leaves now.
                if not summary.ticket:
                    _keep(session, request, summary, now)
                return HandedOver(
                    queued=False,
                    agent_available=False,
                    message=handover_texts(summary.language).ask_number(
                        acute=summary.urgency == "acuut"
                    ),
                    needs_phone=True,
                )
            summary = _queue(session, ctx, request, summary, not available.available, now)
    except SQLAlchemyError:
        logger.exception("could not queue a handover for %s", request.conversation_id)
        failed = catalog(summary.language)(
            "doorverbinden_mislukt", meldkamer=MELDKAMER_PHONE, nood=EMERGENCY_PHONE
        )
        return HandedOver(queued=False, agent_available=False, message=failed)
    phone = format_phone(summary.phone) if summary.phone else None
    return HandedOver(
        queued=True,
        agent_available=available.available,
        message=available.tenant_message(
            phone, acute=summary.urgency == "acuut", language=summary.language
        ),
        ticket_number=summary.ticket,
    )


def _keep(
    session: Session,
    request: HandoverRequest,
    summary: HandoverSummary,
    now: datetime,
    handover_id: int | None = None,
) -> None:
    """Incomplete: the session's draft with everything collected, so it is never lost."""
    keep_draft(
        session,
        conversation_id=request.conversation_id,
        channel=request.channel,
        summary=summary,
        now=now,
        handover_id=handover_id,
    )


def _queue(
    session: Session,
    ctx: Collaborators,
    request: HandoverRequest,
    summary: HandoverSummary,
    callback: bool,
    now: datetime,
) -> HandoverSummary:
    """Register a complete melding, queue the handover, keep an incomplete one as a draft."""
    ticket = _ticket_of(session, ctx, request, summary, now)
    if ticket is not None:
        summary = replace(summary, ticket=ticket.number)
    handover = request_handover(
        session,
        conversation_id=request.conversation_id,
        channel=request.channel,
        reason=request.reason,
        summary=summary,
        now=now,
        client_id=summary.client_id,
        ticket_id=ticket.id if ticket else None,
        callback=callback,
    )
    if ticket is None:
        _keep(session, request, summary, now, handover.id)
    elif callback:
        flag_attention(session, ticket, CALL_BACK, now)
    _log(session, request, ticket, not callback, now)
    return summary


def _ticket_of(
    session: Session,
    ctx: Collaborators,
    request: HandoverRequest,
    summary: HandoverSummary,
    now: datetime,
) -> Ticket | None:
    """The melding's ticket: the one it has, or, when complete, one registered now."""
    if summary.ticket:
        return get_ticket(session, summary.ticket)
    if request.melding is None:
        return None
    registered = register_confirmed(
        session,
        ctx,
        request.melding,
        photos=request.photos,
        origin=Origin(attention=UNCONFIRMED),
        now=now,
    )
    return registered.ticket
