"""What the bot knew when it handed over, in the words an agent reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from meldkamer.attachments.models import Attachment
from meldkamer.intake.texts import describe_fact
from meldkamer.tickets import Ticket
from meldkamer.triage.table import DecisionTable


@dataclass(frozen=True)
class FactLine:
    """A triage question and the tenant's answer."""

    name: str
    question: str
    answer: str


@dataclass(frozen=True)
class Photo:
    """A photo the tenant sent, served by ``/bijlagen/{id}``."""

    id: int
    content_type: str
    size: int


@dataclass(frozen=True)
class Summary:
    """The handover's summary, checked and labelled."""

    topic: str | None
    facts: tuple[FactLine, ...]
    unknown: tuple[FactLine, ...]
    urgency: str | None
    reasons: tuple[str, ...]
    needs_assessment: bool
    inform_client: bool
    address: str | None
    name: str | None
    phone: str | None
    email: str | None
    description: str | None
    client: str | None
    ticket: str | None
    photos: tuple[Photo, ...]


def fact_lines(table: DecisionTable, facts: Mapping[str, Any]) -> tuple[FactLine, ...]:
    """Known facts as question and answer (a fact the table no longer has is shown raw)."""
    result = []
    for name, value in facts.items():
        if name in table.facts:
            result.append(
                FactLine(name, table.facts[name].question, describe_fact(table, name, value))
            )
        else:
            result.append(FactLine(name, name, str(value)))
    return tuple(result)


def unknown_lines(table: DecisionTable, names: Iterable[str]) -> tuple[FactLine, ...]:
    """Facts the tenant could not answer."""
    return tuple(
        FactLine(name, table.facts[name].question if name in table.facts else name, "Weet ik niet")
        for name in names
    )


def photos(session: Session, conversation_id: str) -> tuple[Photo, ...]:
    """The conversation's photos, oldest first."""
    found = session.execute(
        select(Attachment)
        .where(Attachment.conversation_id == conversation_id)
        .order_by(Attachment.id)
    ).scalars()
    return tuple(Photo(a.id, a.content_type, a.size) for a in found)


def summarise(
    session: Session,
    table: DecisionTable,
    summary: Mapping[str, Any],
    conversation_id: str,
    ticket_id: int | None,
) -> Summary:
    """Label the handover's summary dict (as :func:`actions.handover.summary_of` made it)."""
    outcome = summary.get("outcome") or {}
    facts = summary.get("facts") or {}
    ticket_number = summary.get("ticket")
    if not ticket_number and ticket_id is not None:
        ticket = session.get(Ticket, ticket_id)
        ticket_number = ticket.number if ticket else None
    email = summary.get("email")
    return Summary(
        topic=summary.get("topic"),
        facts=fact_lines(table, facts if isinstance(facts, dict) else {}),
        unknown=unknown_lines(table, summary.get("unknown_facts") or []),
        urgency=outcome.get("urgency"),
        reasons=tuple(str(r) for r in outcome.get("reasons") or ()),
        needs_assessment=bool(outcome.get("needs_assessment")),
        inform_client=bool(outcome.get("inform_client")),
        address=summary.get("adres"),
        name=summary.get("naam"),
        phone=summary.get("telefoon"),
        email=email if email and "@" in str(email) else None,
        description=summary.get("beschrijving"),
        client=summary.get("opdrachtgever"),
        ticket=ticket_number,
        photos=photos(session, conversation_id),
    )
