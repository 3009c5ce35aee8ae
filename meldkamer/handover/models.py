"""Handovers and agents' internal notes (ticket edits: :mod:`meldkamer.tickets.models`)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Integer, String, Text

from meldkamer.db import Base, UTCDateTime, ticket_id_column
from meldkamer.labels import LabelTable


class HandoverStatus(str, enum.Enum):
    """Where a handed-over conversation stands."""

    WACHTEND = "wachtend"  # in the queue, no agent yet
    IN_BEHANDELING = "in_behandeling"  # an agent has taken it
    TERUG_NAAR_BOT = "terug_naar_bot"  # the agent handed it back; the bot continues
    GESLOTEN = "gesloten"  # done


OPEN_STATUSES = (HandoverStatus.WACHTEND.value, HandoverStatus.IN_BEHANDELING.value)
#: What agents read for each status.
STATUS_LABELS: LabelTable[HandoverStatus] = LabelTable(
    HandoverStatus,
    {
        HandoverStatus.WACHTEND: "Wachtend",
        HandoverStatus.IN_BEHANDELING: "In behandeling",
        HandoverStatus.TERUG_NAAR_BOT: "Terug naar assistent",
        HandoverStatus.GESLOTEN: "Afgesloten",
    },
)


class Handover(Base):
    """A conversation the bot handed to the agents.

    Attributes:
        summary: what the bot knew (topic, facts, outcome, address, contact, photos).
        urgency_rank: 2 acuut, 1 urgent, 0 niet urgent or unknown; the queue sorts on it.
        callback: no agent was available: a person calls the tenant back.
    """

    __tablename__ = "overnames"

    id: int = Column(Integer, primary_key=True)
    conversation_id: str = Column(String(255), nullable=False, index=True)
    channel: str = Column(String(32), nullable=False)
    ticket_id: int | None = ticket_id_column(ondelete="SET NULL", nullable=True)
    client_id: str | None = Column(String(64), nullable=True)
    reason: str = Column(Text, nullable=False)
    summary: dict[str, Any] = Column(JSON, nullable=False)
    urgency_rank: int = Column(Integer, nullable=False, default=0)
    status: str = Column(
        String(20), nullable=False, index=True, default=HandoverStatus.WACHTEND.value
    )
    agent: str | None = Column(String(100), nullable=True)
    callback: bool = Column(Boolean, nullable=False, default=False)
    requested_at: datetime = Column(UTCDateTime(), nullable=False, index=True)
    taken_at: datetime | None = Column(UTCDateTime(), nullable=True)
    closed_at: datetime | None = Column(UTCDateTime(), nullable=True)


class Note(Base):
    """An agent's internal note on a conversation or ticket; never shown to the tenant."""

    __tablename__ = "notities"

    id: int = Column(Integer, primary_key=True)
    conversation_id: str = Column(String(255), nullable=False, index=True)
    ticket_id: int | None = ticket_id_column(ondelete="SET NULL", nullable=True)
    author: str = Column(String(100), nullable=False)
    text: str = Column(Text, nullable=False)
    created_at: datetime = Column(UTCDateTime(), nullable=False)
