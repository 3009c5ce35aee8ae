"""Confirm a melding: register it, link its photos, dispatch it, and say what happens next.

The chat (``actions/confirmation.py``) and the phone intake (``console/phone.py``) call
:func:`confirm_melding`; the outage spool registers through the same step
(:func:`~meldkamer.service.registration.register_confirmed`). Ticket, work order and
messages are stored together or not at all. When the database is away the melding is
kept in the spool and registered later; a melding that cannot be stored as it is (one
bad value) is set aside for a person instead of being retried for ever.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from meldkamer.clients.schema import Client
from meldkamer.db import is_outage
from meldkamer.intake.melding import Melding
from meldkamer.intake.spool import spool_melding
from meldkamer.intake.texts import (
    NO_CLIENT_REASON,
    NOT_STORED,
    SET_ASIDE,
    SPOOLED,
    assessment_reason,
    outcome_message,
)
from meldkamer.intake.validation import format_phone
from meldkamer.service.context import Collaborators
from meldkamer.service.registration import Origin, Registered, register_confirmed
from meldkamer.service.spool import resume_spooled
from meldkamer.triage import Outcome

logger = logging.getLogger(__name__)


class Stored(enum.Enum):
    """Where the confirmed melding ended up."""

    REGISTERED = "registered"  # a ticket (new or from an earlier confirmation)
    SPOOLED = "spooled"  # the database is away: kept on disk, registered later
    SET_ASIDE = "set_aside"  # cannot be registered as it is: kept for a person
    NOT_STORED = "not_stored"  # not even the spool took it: the tenant should try again


@dataclass(frozen=True)
class Confirmation:
    """The result of :func:`confirm_melding`.

    Attributes:
        message: what the tenant is told (the ticket number and what happens next, or
            why there is none yet).
        outcome: the triage outcome, with the client's own notice where it has one.
        handover_reason: a person must decide, and why (``None``: nobody needs to).
    """

    stored: Stored
    message: str
    ticket_number: str | None = None
    ticket_id: int | None = None
    new: bool = False
    outcome: Outcome | None = None
    handover_reason: str | None = None


def confirm_melding(
    ctx: Collaborators,
    melding: Melding,
    *,
    photos: Sequence[str] = (),
    origin: Origin | None = None,
) -> Confirmation:
    """Register and dispatch a confirmed melding; idempotent on ``melding_id``.

    Args:
        ctx: the collaborators.
        melding: the complete melding.
        photos: paths of the conversation's photos to link to the new ticket.
        origin: how it reached us (chat, phone, spool); :meth:`Origin.chat` by default.

    Raises:
        Exception: only with ``origin.spool_on_outage`` off, whatever storing raised.
    """
    origin = origin or Origin.chat()
    if origin.spool_on_outage:
        _resume_first(ctx)
    try:
        with ctx.sessions.begin() as session:
            registered = register_confirmed(
                session, ctx, melding, photos=photos, origin=origin, now=ctx.clock()
            )
            number, ticket_id = registered.ticket.number, registered.ticket.id
    except Exception as error:
        if not origin.spool_on_outage:
            raise
        return _keep(ctx, melding, photos, error)
    return _told(ctx, melding, registered, number, ticket_id)


def _resume_first(ctx: Collaborators) -> None:
    # Meldingen kept during an earlier outage first (nothing to do when none wait);
    # the same melding spooled before is then already a ticket: still one ticket.
    try:
        resume_spooled(ctx)
    except Exception:
        logger.exception("could not register the spooled meldingen")


def _keep(
    ctx: Collaborators, melding: Melding, photos: Sequence[str], error: Exception
) -> Confirmation:
    outage = is_outage(error)
    logger.error(
        "could not store melding %s (%s)",
        melding.melding_id,
        "database away" if outage else "bad melding",
        exc_info=error,
    )
    try:
        spool_melding(
            melding,
            received_at=ctx.clock(),
            photos=photos,
            sessions=ctx.sessions,
            directory=ctx.spool,
            problem=None if outage else f"{type(error).__name__}: {error}",
        )
    except (OSError, ValueError, TypeError):
        logger.exception("could not spool melding %s either", melding.melding_id)
        return Confirmation(Stored.NOT_STORED, NOT_STORED)
    if outage:
        return Confirmation(Stored.SPOOLED, SPOOLED)
    return Confirmation(Stored.SET_ASIDE, SET_ASIDE)


def _told(
    ctx: Collaborators, melding: Melding, registered: Registered, number: str, ticket_id: int
) -> Confirmation:
    client = ctx.client(melding.client_id)
    outcome = _with_notice(registered.outcome, client, melding.topic, melding.taal)
    message = outcome_message(
        outcome,
        number,
        office_name=client.name if client else None,
        office_phone=format_phone(client.contact.phone) if client else None,
        language=melding.taal,
        table=ctx.engine.table,
    )
    # A person decides ("op basis van inschatting"), or nobody serves this address.
    reason = None
    if client is None:
        reason = NO_CLIENT_REASON
    elif outcome.needs_assessment:
        reason = assessment_reason(outcome)
    return Confirmation(
        Stored.REGISTERED,
        message,
        ticket_number=number,
        ticket_id=ticket_id,
        new=registered.new,
        outcome=outcome,
        handover_reason=reason,
    )


def _with_notice(
    outcome: Outcome, client: Client | None, topic: str, language: str | None = None
) -> Outcome:
    notice = client.notice_for(topic, language) if client else None
    # The client's own notice (e.g. its lock-out costs) replaces the matrix's default.
    return replace(outcome, notices=(notice,)) if notice else outcome
