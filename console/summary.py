"""What the bot knew when it handed over, in the words an agent reads."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import desc, select
from sqlalchemy.orm import Session

from meldkamer.attachments.store import for_conversation
from meldkamer.clients.loader import ClientFileError, parse_client
from meldkamer.clients.models import ClientVersion
from meldkamer.clients.store import newest_version
from meldkamer.clients.topics import protocol_topic
from meldkamer.handover.summary import HandoverSummary
from meldkamer.intake.texts import describe_fact
from meldkamer.tickets import Ticket
from meldkamer.triage.engine import HABITABILITY_RULE
from meldkamer.triage.table import (
    DERIVED_FACTS,
    URGENCY_LABELS,
    DecisionTable,
    TableError,
    Topic,
    Urgency,
)

logger = logging.getLogger(__name__)


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
    """Label the handover's summary (as the hand-over use case stored it).

    The reasons are presented like the ticket page's: the client's protocol row, labels
    for urgencies and questions, no raw fact names.
    """
    ticket_number = summary.ticket
    if not ticket_number and ticket_id is not None:
        ticket = session.get(Ticket, ticket_id)
        ticket_number = ticket.number if ticket else None
    email = summary.email
    topic = effective_topic(session, table, summary.client_id, summary.topic)
    why = reasons(table, topic, summary.facts, summary.outcome, summary.unknown_facts)
    return Summary(
        topic=summary.topic,
        facts=fact_lines(table, summary.facts),
        unknown=unknown_lines(table, summary.unknown_facts),
        urgency=summary.urgency,
        reasons=why.lines() if summary.outcome else (),
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
    """Why the melding has its urgency, in the words an agent reads.

    ``given``: the rules that hold on facts actually given (or derived: season, office
    hours); ``undecided``: the fail-safe line when open questions could lower it;
    ``conflicts``: contradicting answers; ``not_asked``: questions of the topic nobody
    answered that cannot change it (the open ones are in ``undecided``); ``unknown``:
    those the tenant could not answer.
    """

    given: tuple[str, ...]
    not_asked: tuple[str, ...]
    unknown: tuple[str, ...]
    undecided: str | None = None
    conflicts: tuple[str, ...] = ()

    def lines(self) -> tuple[str, ...]:
        """Everything as one list (for a summary that shows lines only)."""
        lines = [*self.given]
        if self.undecided:
            lines.append(self.undecided)
        lines.extend(self.conflicts)
        if self.unknown:
            lines.append(f"Weet de huurder niet: {'; '.join(self.unknown)}")
        if self.not_asked:
            lines.append(f"Niet gevraagd: {'; '.join(self.not_asked)}")
        return tuple(lines)


def reasons(
    table: DecisionTable,
    topic: Topic | None,
    facts: Mapping[str, Any],
    outcome: Mapping[str, Any],
    unknown: Iterable[str] = (),
) -> Reasons:
    """The stored outcome's rules, only those whose every fact was given or derived.

    ``topic`` is the row the triage used: the client's protocol row where it has one
    (:func:`effective_topic`), so its rules and reasons are the client's. A rule the
    engine reached by filling in an unanswered fact (the fail-safe worst case) is not
    a reason the tenant gave; those facts are listed as not asked. A rule id the row no
    longer has (the protocol changed since) keeps the reason stored with the outcome.
    """
    unknown = tuple(unknown)
    stored = [str(r) for r in outcome.get("reasons") or ()]
    if topic is None or "rules" not in outcome:
        # Nothing to check the lines against: the stored lines, in words.
        return Reasons(
            tuple(present_stored(table, r) for r in stored), (), _questions(table, unknown)
        )
    derived = DERIVED_FACTS.keys()
    by_id = {rule.id: rule for rule in (*topic.rules, topic.otherwise, HABITABILITY_RULE)}
    given = []
    for index, rule_id in enumerate(outcome.get("rules") or ()):
        rule = by_id.get(str(rule_id))
        if rule is None:
            if index < len(stored):
                given.append(present_stored(table, stored[index]))
        elif all(name in facts or name in derived for name in rule.when):
            given.append(f"{URGENCY_LABELS.label(rule.urgency)}: {rule.reason}")
    # Open questions that could change the urgency are named by the fail-safe line.
    open_ = {str(name) for name in outcome.get("missing_facts") or ()}
    not_asked = [
        q for q in topic.questions if q not in facts and q not in unknown and q not in open_
    ]
    return Reasons(
        tuple(given),
        _questions(table, not_asked),
        _questions(table, unknown),
        undecided=_undecided(table, outcome, unknown),
        conflicts=_conflicts(table, topic, facts),
    )


def _undecided(
    table: DecisionTable, outcome: Mapping[str, Any], unknown: tuple[str, ...]
) -> str | None:
    """The fail-safe line: which open questions could still lower the urgency."""
    missing = [str(name) for name in outcome.get("missing_facts") or ()]
    urgency = outcome.get("urgency")
    if not missing or urgency not in URGENCY_VALUES:
        return None
    label = URGENCY_LABELS.label(Urgency(urgency)).lower()
    line = f"Uitgegaan van het zwaarste geval ({label}); een medewerker beoordeelt"
    open_ = [name for name in missing if name not in unknown]  # "weet niet" has its own line
    return f"{line}. Nog niet bekend: {'; '.join(_questions(table, open_))}" if open_ else line


def _conflicts(table: DecisionTable, topic: Topic, facts: Mapping[str, Any]) -> tuple[str, ...]:
    lines = []
    for conflict in topic.conflicts:
        if all(name in facts and facts[name] == value for name, value in conflict.items()):
            answers = "; ".join(
                f"{_question(table, name)} {_answer(table, name, value)}"
                for name, value in conflict.items()
            )
            lines.append(f"Tegenstrijdige antwoorden ({answers}): een medewerker beoordeelt")
    return tuple(lines)


#: The engine's stored reason lines (meldkamer.triage.engine), to read them back.
_RULE_LINE = re.compile(r"^\[(?P<urgency>[a-z_]+)\] (?P<reason>.*)$", re.DOTALL)
_OPEN_LINE = re.compile(
    r"^Nog niet bekend: (?P<names>[^.]*)\. Uitgegaan van het zwaarste geval "
    r"\((?P<urgency>[a-z_]+): (?P<why>.*)\); een medewerker beoordeelt$",
    re.DOTALL,
)
_CONFLICT_LINE = re.compile(r"^Tegenstrijdige antwoorden \((?P<pairs>[^)]*)\)(?P<rest>.*)$")
URGENCY_VALUES = frozenset(u.value for u in Urgency)


def present_stored(table: DecisionTable, line: str) -> str:
    """A reason line as the engine stored it, with labels for urgencies and facts.

    For places that have only the stored strings (an outcome without rule ids, or a
    rule the row no longer has); a line of another shape is shown as it is.
    """
    rule = _RULE_LINE.match(line)
    if rule and rule["urgency"] in URGENCY_VALUES:
        return f"{URGENCY_LABELS.label(Urgency(rule['urgency']))}: {rule['reason']}"
    open_ = _OPEN_LINE.match(line)
    if open_ and open_["urgency"] in URGENCY_VALUES:
        names = [n.strip() for n in open_["names"].split(",") if n.strip()]
        label = URGENCY_LABELS.label(Urgency(open_["urgency"])).lower()
        return (
            f"Uitgegaan van het zwaarste geval ({label}: {open_['why']}); een medewerker "
            f"beoordeelt. Nog niet bekend: {'; '.join(_questions(table, names))}"
        )
    conflict = _CONFLICT_LINE.match(line)
    if conflict:
        pairs = []
        for pair in conflict["pairs"].split(", "):
            name, _, raw = pair.partition("=")
            value: Any = {"true": True, "false": False}.get(raw, raw.strip("'"))
            pairs.append(f"{_question(table, name)} {_answer(table, name, value)}")
        return f"Tegenstrijdige antwoorden ({'; '.join(pairs)}){conflict['rest']}"
    return line


def _question(table: DecisionTable, name: str) -> str:
    return table.facts[name].question if name in table.facts else name


def _answer(table: DecisionTable, name: str, value: Any) -> str:
    return describe_fact(table, name, value) if name in table.facts else str(value)


def _questions(table: DecisionTable, names: Iterable[str]) -> tuple[str, ...]:
    return tuple(_question(table, n) for n in names)


# --- The row the triage used: the client's protocol row in force at the moment --------

#: Parsed protocol rows by the stored version's checksum: a version never changes.
_PROTOCOLS: dict[str, Mapping[str, Any]] = {}
_PROTOCOLS_KEPT = 64


def effective_topic(
    session: Session,
    table: DecisionTable,
    client_id: str | None,
    topic_code: str | None,
    at: datetime | None = None,
) -> Topic | None:
    """The matrix row the triage used: the client's protocol row, else the table's.

    The client's version in force at ``at`` (the newest when ``at`` is ``None``, the
    first when ``at`` is before it); a stored version that no longer reads with ``table``
    gives the table's row, logged.
    """
    if topic_code is None:
        return None
    base = table.topics.get(topic_code)
    if not client_id:
        return base
    version = _version_at(session, client_id, at)
    if version is None:
        return base
    protocol = _PROTOCOLS.get(version.checksum)
    try:
        if protocol is None:
            name = f"{version.client_id} versie {version.version}"
            protocol = parse_client(version.source, name, table).protocol
            if len(_PROTOCOLS) >= _PROTOCOLS_KEPT:
                _PROTOCOLS.clear()
            _PROTOCOLS[version.checksum] = protocol
        spec = protocol.get(topic_code)
        return protocol_topic(topic_code, spec, table) if spec is not None else base
    except (ClientFileError, TableError):
        logger.exception(
            "client %s version %s does not read; the table's row", client_id, version.version
        )
        return base


def _version_at(session: Session, client_id: str, at: datetime | None) -> ClientVersion | None:
    """The version in force at ``at``; the first one for a moment before it, the newest without."""
    if at is None:
        return newest_version(session, client_id)
    versions = select(ClientVersion).where(ClientVersion.client_id == client_id).limit(1)
    found: ClientVersion | None = session.execute(
        versions.where(ClientVersion.applied_at <= at).order_by(desc(ClientVersion.version))
    ).scalar_one_or_none()
    if found is None:
        found = session.execute(versions.order_by(ClientVersion.version)).scalar_one_or_none()
    return found
