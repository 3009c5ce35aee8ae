"""The handover queue: the bot asks for a person, an agent takes, replies, hands back.

Taking is one conditional UPDATE, so two agents can never take the same conversation,
also not from two console servers. Notes are registered with who and when (ticket
edits: :mod:`meldkamer.tickets.edits`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from meldkamer.agents.models import PRESENCE, Agent
from meldkamer.agents.scope import UNLIMITED, AgentScope
from meldkamer.contacts import Channel, ContactKind, Direction, Party, record_contact
from meldkamer.handover.models import OPEN_STATUSES, Handover, HandoverStatus, Note
from meldkamer.handover.summary import HandoverSummary
from meldkamer.handover.waiting import (
    WaitingRules,
    default_rules,
    estimate_minutes,
    handling_minutes,
    rounded,
)
from meldkamer.handover.waiting import (
    tenant_message as waiting_message,
)
from meldkamer.rows import added, one_row, rows_of
from meldkamer.triage.officehours import OfficeHours

# Column expressions (the models annotate attributes with their Python value types).
AGENTS = Agent.__table__.c
HANDOVERS = Handover.__table__.c

URGENCY_RANK = {"acuut": 2, "urgent": 1, "niet_urgent": 0}


class AlreadyTaken(RuntimeError):
    """Another agent took this conversation first."""


class HandoverNotFound(LookupError):
    """No open handover with this id."""


@dataclass(frozen=True)
class Availability:
    """Whether a person can take over now, and roughly how long it takes.

    Attributes:
        waiting: live conversations waiting (call-backs are in ``callbacks``).
        minutes: the estimate the tenant hears, rounded and capped
            (:func:`meldkamer.handover.waiting.rounded`).
        estimate: the unrounded estimate (``math.inf`` with nobody present).
        handling: the typical handling time it rests on, in minutes.
        measured: how many recent live conversations were measured (0: the default).
    """

    available: bool
    waiting: int
    minutes: int
    estimate: float = 0.0
    handling: float = 0.0
    measured: int = 0
    agents: int = 0
    busy: int = 0
    callbacks: int = 0
    rules: WaitingRules = field(default_factory=default_rules, repr=False, compare=False)

    def tenant_message(
        self, phone: str | None, *, acute: bool = False, language: str | None = None
    ) -> str:
        """What the bot tells the tenant (texts in ``wachttijd.yml``, ``wachttijd_<taal>.yml``)."""
        return waiting_message(
            self.rules,
            available=self.available,
            minutes=self.estimate,
            phone=phone,
            acute=acute,
            language=language,
        )


def recent_handling_minutes(session: Session, now: datetime, rules: WaitingRules) -> list[float]:
    """Handling times (taken to closed) of the latest live conversations, in minutes."""
    found = session.execute(
        select(HANDOVERS.taken_at, HANDOVERS.closed_at)
        .where(
            HANDOVERS.callback.is_(False),
            HANDOVERS.taken_at.is_not(None),
            HANDOVERS.closed_at.is_not(None),
            HANDOVERS.closed_at >= now - rules.window,
            HANDOVERS.closed_at <= now,
        )
        .order_by(HANDOVERS.closed_at.desc(), HANDOVERS.id.desc())
        .limit(rules.sample)
    ).all()
    return [max(0.0, (closed - taken).total_seconds() / 60) for taken, closed in found]


def availability(
    session: Session,
    now: datetime,
    hours: OfficeHours | None = None,
    *,
    serving: ColumnElement[bool] | None = None,
    rank: int = 0,
    rules: WaitingRules | None = None,
) -> Availability:
    """Agents present in the console (and, when set, within the agents' working hours).

    ``serving`` (:func:`meldkamer.agents.scope.serving`) counts only the agents who may
    see the conversation's client: others present cannot take it. ``rank`` is the
    conversation's urgency rank: live conversations of a lower rank wait behind it.
    """
    rules = rules or default_rules()
    present = [
        username
        for (username,) in session.execute(
            select(AGENTS.username).where(
                AGENTS.active.is_(True),
                AGENTS.last_seen_at >= now - PRESENCE,
                *([serving] if serving is not None else []),
            )
        )
    ]
    in_hours = hours is None or hours.is_open(now)
    counts = _open_counts(session, rank, present)
    measured = recent_handling_minutes(session, now, rules)
    handling = handling_minutes(measured, rules)
    estimate = estimate_minutes(
        handling=handling, agents=len(present), busy=counts.busy, ahead=counts.ahead
    )
    return Availability(
        available=bool(present) and in_hours,
        waiting=counts.waiting,
        minutes=rounded(estimate, rules),
        estimate=estimate,
        handling=handling,
        measured=len(measured),
        agents=len(present),
        busy=counts.busy,
        callbacks=counts.callbacks,
        rules=rules,
    )


@dataclass(frozen=True)
class _Counts:
    waiting: int  # live conversations waiting
    ahead: int  # of those, the ones an agent takes before a conversation of the rank
    busy: int  # agents present in a live conversation now
    callbacks: int  # call-back items waiting (never in the estimate)


def _open_counts(session: Session, rank: int, present: list[str]) -> _Counts:
    rows = session.execute(
        select(HANDOVERS.status, HANDOVERS.callback, HANDOVERS.urgency_rank, HANDOVERS.agent).where(
            HANDOVERS.status.in_(OPEN_STATUSES)
        )
    ).all()
    waiting = [r for r in rows if r.status == HandoverStatus.WACHTEND.value]
    live = [r for r in waiting if not r.callback]
    busy = {
        r.agent
        for r in rows
        if r.status == HandoverStatus.IN_BEHANDELING.value and not r.callback and r.agent in present
    }
    return _Counts(
        waiting=len(live),
        ahead=sum(1 for r in live if r.urgency_rank >= rank),
        busy=len(busy),
        callbacks=len(waiting) - len(live),
    )


def request_handover(
    session: Session,
    *,
    conversation_id: str,
    channel: str,
    reason: str,
    summary: HandoverSummary | Mapping[str, object],
    now: datetime,
    client_id: str | None = None,
    ticket_id: int | None = None,
    callback: bool = False,
) -> Handover:
    """Put a conversation in the queue; an open handover of it is reused, reasons add up."""
    if not isinstance(summary, HandoverSummary):
        summary = HandoverSummary.from_dict(summary)
    existing = one_row(
        session,
        Handover,
        Handover.conversation_id == conversation_id,
        HANDOVERS.status.in_(OPEN_STATUSES),
    )
    urgency = summary.urgency or ""
    if existing is not None:
        if reason not in existing.reason:
            existing.reason = f"{existing.reason}; {reason}"
        existing.summary = summary.to_dict()
        existing.urgency_rank = max(existing.urgency_rank, URGENCY_RANK.get(urgency, 0))
        existing.callback = existing.callback or callback
        existing.ticket_id = existing.ticket_id or ticket_id
        # A conversation whose address became known later now belongs to that client.
        existing.client_id = existing.client_id or client_id
        session.flush()
        return existing
    return added(
        session,
        Handover(
            conversation_id=conversation_id,
            channel=channel,
            ticket_id=ticket_id,
            client_id=client_id,
            reason=reason,
            summary=summary.to_dict(),
            urgency_rank=URGENCY_RANK.get(urgency, 0),
            status=HandoverStatus.WACHTEND.value,
            callback=callback,
            requested_at=now,
        ),
    )


@dataclass(frozen=True)
class Lanes:
    """The queue in two lanes, each in the order agents should take it.

    Attributes:
        live: a tenant is waiting in the chat now.
        callbacks: a person promised to call the tenant back.
    """

    live: list[Handover]
    callbacks: list[Handover]


def _in_order() -> list[ColumnElement[object]]:
    # Waiting before taken (those have an agent already), then acuut, urgent, the rest;
    # within one urgency the longest waiting first.
    waiting_first = HANDOVERS.status != HandoverStatus.WACHTEND.value
    return [waiting_first, HANDOVERS.urgency_rank.desc(), HANDOVERS.requested_at, HANDOVERS.id]


def lanes(session: Session, scope: AgentScope = UNLIMITED) -> Lanes:
    """Open handovers of ``scope``'s clients: live conversations and call-backs apart."""
    found = rows_of(
        session,
        Handover,
        HANDOVERS.status.in_(OPEN_STATUSES),
        scope.where(HANDOVERS.client_id),
        order_by=_in_order(),
    )
    return Lanes(
        live=[h for h in found if not h.callback], callbacks=[h for h in found if h.callback]
    )


def queue(session: Session, scope: AgentScope = UNLIMITED) -> list[Handover]:
    """Open handovers of ``scope``'s clients: the live lane, then the call-back lane."""
    both = lanes(session, scope)
    return both.live + both.callbacks


def history(session: Session, limit: int, scope: AgentScope = UNLIMITED) -> list[Handover]:
    """Every handover of ``scope``'s clients so far, newest first (at most ``limit``)."""
    return rows_of(
        session,
        Handover,
        scope.where(HANDOVERS.client_id),
        order_by=[HANDOVERS.requested_at.desc(), HANDOVERS.id.desc()],
        limit=limit,
    )


def take(session: Session, handover_id: int, agent: str, now: datetime) -> Handover:
    """Take a waiting conversation; :class:`AlreadyTaken` when someone was first."""
    result = session.execute(
        update(Handover)
        .where(Handover.id == handover_id, Handover.status == HandoverStatus.WACHTEND.value)
        .values(status=HandoverStatus.IN_BEHANDELING.value, agent=agent, taken_at=now)
        .execution_options(synchronize_session=False)
    )
    handover: Handover | None = session.get(Handover, handover_id, populate_existing=True)
    if handover is None:
        raise HandoverNotFound(str(handover_id))
    if result.rowcount != 1:
        raise AlreadyTaken(handover.agent or "een collega")
    return handover


def _open(session: Session, handover_id: int) -> Handover:
    handover: Handover | None = session.get(Handover, handover_id)
    if handover is None or handover.status not in OPEN_STATUSES:
        raise HandoverNotFound(str(handover_id))
    return handover


def _end(session: Session, handover_id: int, status: HandoverStatus, now: datetime) -> Handover:
    """Close an open handover with ``status`` (how it ended)."""
    handover = _open(session, handover_id)
    handover.status = status.value
    handover.closed_at = now
    session.flush()
    return handover


def hand_back(session: Session, handover_id: int, now: datetime) -> Handover:
    """The bot continues the conversation where it was."""
    return _end(session, handover_id, HandoverStatus.TERUG_NAAR_BOT, now)


def close(session: Session, handover_id: int, now: datetime) -> Handover:
    """The agent finished the conversation."""
    return _end(session, handover_id, HandoverStatus.GESLOTEN, now)


def add_note(
    session: Session,
    conversation_id: str,
    author: str,
    text: str,
    now: datetime,
    ticket_id: int | None = None,
) -> Note:
    """An internal note (never shown to the tenant)."""
    text = text.strip()
    if not text:
        raise ValueError("een notitie mag niet leeg zijn")
    if len(text) > 5000:
        raise ValueError("een notitie mag hoogstens 5000 tekens zijn")
    note = Note(
        conversation_id=conversation_id,
        ticket_id=ticket_id,
        author=author,
        text=text,
        created_at=now,
    )
    session.add(note)
    record_contact(
        session,
        at=now,
        direction=Direction.INTERN,
        channel=Channel.CONSOLE,
        party=Party.MEDEWERKER,
        kind=ContactKind.BERICHT,
        summary=f"Interne notitie: {text}",
        ticket_id=ticket_id,
        conversation_id=conversation_id,
        by=author,
    )
    session.flush()
    return note


def notes(session: Session, conversation_id: str) -> list[Note]:
    """The notes of a conversation, oldest first."""
    return rows_of(
        session,
        Note,
        Note.conversation_id == conversation_id,
        order_by=[Note.created_at, Note.id],
    )
