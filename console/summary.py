"""What the bot knew when it handed over, in the words an agent reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from meldkamer.attachments.store import for_conversation
from meldkamer.handover.summary import HandoverSummary
from meldkamer.intake.texts import describe_fact
from meldkamer.tickets import Ticket
from meldkamer.triage.engine import HABITABILITY_RULE
from meldkamer.triage.table import DERIVED_FACTS, URGENCY_LABELS, DecisionTable


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
    return tuple(
        Photo(a.id, a.content_type, a.size) for a in for_conversation(session, conversation_id)
    )


def summarise(
    session: Session,
    table: DecisionTable,
    summary: HandoverSummary,
    conversation_id: str,
    ticket_id: int | None,
) -> Summary:
    """Label the handover's summary (as the hand-over use case stored it)."""
    ticket_number = summary.ticket
    if not ticket_number and ticket_id is not None:
        ticket = session.get(Ticket, ticket_id)
        ticket_number = ticket.number if ticket else None
    email = summary.email
    return Summary(
        topic=summary.topic,
        facts=fact_lines(table, summary.facts),
        unknown=unknown_lines(table, summary.unknown_facts),
        urgency=summary.urgency,
        reasons=summary.reasons,
        needs_assessment=summary.needs_assessment,
        inform_client=summary.inform_client,
        address=summary.address,
        name=summary.name,
        phone=summary.phone,
        email=email if email and "@" in email else None,
        description=summary.description,
        client=summary.client_id,
        ticket=ticket_number,
        photos=photos(session, conversation_id),
    )


@dataclass(frozen=True)
class Reasons:
    """Why the ticket has its urgency: rules on facts actually given, and what was not asked."""

    given: tuple[str, ...]
    not_asked: tuple[str, ...]
    unknown: tuple[str, ...]


def reasons(
    table: DecisionTable, topic_code: str, facts: Mapping[str, Any], outcome: Mapping[str, Any]
) -> Reasons:
    """The stored outcome's rules, only those whose every fact was given or derived.

    A rule the engine reached by filling in an unanswered fact (the fail-safe worst
    case) is not a reason the tenant gave; those facts are listed as not asked.
    """
    topic = table.topics.get(topic_code)
    unknown = tuple(outcome.get("unknown_facts") or ())
    if topic is None:
        return Reasons(tuple(outcome.get("reasons") or ()), (), _questions(table, unknown))
    derived = DERIVED_FACTS.keys()
    by_id = {rule.id: rule for rule in (*topic.rules, topic.otherwise, HABITABILITY_RULE)}
    given = []
    for rule_id in outcome.get("rules") or ():
        rule = by_id.get(rule_id)
        if rule is not None and all(name in facts or name in derived for name in rule.when):
            given.append(f"{URGENCY_LABELS.label(rule.urgency)}: {rule.reason}")
    not_asked = [q for q in topic.questions if q not in facts and q not in unknown]
    return Reasons(tuple(given), _questions(table, not_asked), _questions(table, unknown))


def _questions(table: DecisionTable, names: Iterable[str]) -> tuple[str, ...]:
    return tuple(table.facts[n].question if n in table.facts else n for n in names)
