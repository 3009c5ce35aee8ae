"""Drafts of meldingen handed over incomplete (``meldingconcepten``, issue 12).

A melding the bot could not complete before the handover is kept here with everything
it collected, so no melding that reached us is lost: the agent turns it into a ticket
in phone mode (prefilled, only the missing facts asked), or the bot completes it after
the hand-back. Either way the new ticket links the draft (:func:`link_draft`).

One draft per conversation session: another handover in the same session (after a
hand-back) updates it; after **Afsluiten** (the handover closed) the tenant's next
melding is a new session and gets a draft of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, select, update
from sqlalchemy.orm import Session

from meldkamer.agents.scope import UNLIMITED, AgentScope
from meldkamer.attachments.store import for_conversation
from meldkamer.db import Base, UTCDateTime
from meldkamer.handover.models import Handover, HandoverStatus
from meldkamer.handover.summary import HandoverSummary
from meldkamer.rows import one_row, rows_of


class Draft(Base):
    """A melding as far as the bot got, until it becomes a ticket.

    Attributes:
        summary: :meth:`HandoverSummary.to_dict` of what was collected (facts, address,
            contact, description, photos), read back with :attr:`collected`.
        handover_id: the latest handover of the session; its closing ends the session.
        ticket_id: the ticket it became (``None``: still a draft).
        completed_by: who made that ticket (an agent's username, or ``assistent``).
    """

    __tablename__ = "meldingconcepten"

    id: int = Column(Integer, primary_key=True)
    conversation_id: str = Column(String(255), nullable=False, index=True)
    channel: str = Column(String(32), nullable=False)
    client_id: str | None = Column(String(64), nullable=True, index=True)
    handover_id: int | None = Column(
        Integer, ForeignKey("overnames.id", ondelete="SET NULL"), nullable=True
    )
    topic: str | None = Column(String(64), nullable=True)
    urgency: str | None = Column(String(20), nullable=True)
    summary: dict[str, Any] = Column(JSON, nullable=False)
    created_at: datetime = Column(UTCDateTime(), nullable=False, index=True)
    updated_at: datetime = Column(UTCDateTime(), nullable=False)
    ticket_id: int | None = Column(
        Integer, ForeignKey("tickets.id", ondelete="SET NULL"), nullable=True, index=True
    )
    completed_by: str | None = Column(String(100), nullable=True)
    completed_at: datetime | None = Column(UTCDateTime(), nullable=True)

    @property
    def collected(self) -> HandoverSummary:
        """What the bot collected, typed."""
        return HandoverSummary.from_dict(self.summary)

    @property
    def is_open(self) -> bool:
        """Not yet a ticket."""
        return self.ticket_id is None


DRAFTS = Draft.__table__.c
#: The order of a conversation's drafts on every list: the newest first.
_NEWEST_FIRST = (DRAFTS.created_at.desc(), DRAFTS.id.desc())


def _session_open(session: Session, draft: Draft) -> bool:
    """The draft's conversation session goes on: its handover was not closed (Afsluiten).

    A draft without a handover was kept while the call-back number was asked: nothing
    was queued yet, so the session is still the same.
    """
    if draft.handover_id is None:
        return True
    handover = session.get(Handover, draft.handover_id)
    return handover is None or handover.status != HandoverStatus.GESLOTEN.value


def current_draft(session: Session, conversation_id: str) -> Draft | None:
    """The open draft of the conversation's current session, if any."""
    found = rows_of(
        session, Draft, DRAFTS.conversation_id == conversation_id, order_by=_NEWEST_FIRST, limit=1
    )
    latest = found[0] if found else None
    if latest is None or not latest.is_open or not _session_open(session, latest):
        return None
    return latest


def keep_draft(
    session: Session,
    *,
    conversation_id: str,
    channel: str,
    summary: HandoverSummary,
    now: datetime,
    handover_id: int | None = None,
) -> Draft:
    """Store what was collected at this handover: the session's draft, made or updated."""
    draft = current_draft(session, conversation_id)
    if draft is None:
        draft = Draft(
            conversation_id=conversation_id, channel=channel[:32], created_at=now, summary={}
        )
        session.add(draft)
    draft.handover_id = handover_id or draft.handover_id
    draft.client_id = summary.client_id or draft.client_id
    draft.topic = summary.topic
    draft.urgency = summary.urgency
    draft.summary = summary.to_dict()
    draft.updated_at = now
    session.flush()
    return draft


def link_draft(session: Session, draft: Draft, ticket_id: int, by: str, now: datetime) -> None:
    """The draft became this ticket (made by ``by``); a linked draft keeps its first ticket."""
    if not draft.is_open:
        return
    draft.ticket_id = ticket_id
    draft.completed_by = by
    draft.completed_at = now
    session.flush()


def claim_draft(session: Session, draft_id: int, by: str, now: datetime) -> int | None:
    """Claim the draft for the ticket being registered now; ``None`` when claimed.

    One conditional UPDATE (``... WHERE ticket_id IS NULL``) inside the registering
    transaction: on PostgreSQL the second of two agents completing the same draft
    waits on the first's row lock and then finds the draft linked; SQLite's writers
    are serialised (``BEGIN IMMEDIATE``), so the second reads the first's link.

    Returns:
        ``None`` when this transaction may complete the draft (or it does not exist);
        else the id of the ticket it already became.
    """
    claimed = session.execute(
        update(Draft.__table__)
        .where(DRAFTS.id == draft_id, DRAFTS.ticket_id.is_(None))
        .values(completed_by=by[:100], completed_at=now)
    )
    if claimed.rowcount:
        return None
    linked: int | None = session.execute(
        select(DRAFTS.ticket_id).where(DRAFTS.id == draft_id)
    ).scalar_one_or_none()
    return linked


def draft_photos(session: Session, draft_id: int) -> list[str]:
    """Paths of the photos of the draft's conversation that no ticket has yet."""
    conversation: str | None = session.execute(
        select(DRAFTS.conversation_id).where(DRAFTS.id == draft_id)
    ).scalar_one_or_none()
    if conversation is None:
        return []
    return [a.path for a in for_conversation(session, conversation) if a.ticket_id is None]


def link_registered(
    session: Session,
    conversation_id: str,
    ticket_id: int,
    by: str,
    now: datetime,
    draft_id: int | None = None,
) -> Draft | None:
    """A ticket was registered: the draft it completes (``draft_id``, or the session's) links it."""
    draft = session.get(Draft, draft_id) if draft_id is not None else None
    if draft is None:
        draft = current_draft(session, conversation_id)
    if draft is None or not draft.is_open:
        return None
    link_draft(session, draft, ticket_id, by, now)
    return draft


def get_draft(session: Session, draft_id: int, scope: AgentScope = UNLIMITED) -> Draft | None:
    """The draft, when ``scope`` may see its client."""
    return one_row(session, Draft, DRAFTS.id == draft_id, scope.where(DRAFTS.client_id))


def drafts_of(session: Session, conversation_id: str) -> list[Draft]:
    """Every draft of a conversation, newest first (the conversation page)."""
    return rows_of(
        session, Draft, DRAFTS.conversation_id == conversation_id, order_by=_NEWEST_FIRST
    )


def open_drafts(session: Session, scope: AgentScope, limit: int) -> list[Draft]:
    """Drafts not yet a ticket, of ``scope``'s clients, newest first (at most ``limit``)."""
    return rows_of(
        session,
        Draft,
        DRAFTS.ticket_id.is_(None),
        scope.where(DRAFTS.client_id),
        order_by=_NEWEST_FIRST,
        limit=limit,
    )
