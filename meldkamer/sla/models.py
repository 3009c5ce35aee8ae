"""SLA clocks (sla_klokken) and transfers to the client's employee (doorverbindingen)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, Text

from meldkamer.db import Base, UTCDateTime


class SlaClock(Base):
    """One promise with a deadline on a ticket: acknowledged, on site, done, answered.

    Attributes:
        clock: ``bevestiging``, ``ter_plaatse``, ``gereed``, ``antwoord_medewerker``.
        state: ``loopt``, ``gehaald``, ``verlopen``, ``gestopt``.
        escalation_step: how far along the escalation chain a breach has gone.
    """

    __tablename__ = "sla_klokken"

    id: int = Column(Integer, primary_key=True)
    ticket_id: int = Column(
        Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True
    )
    work_order_id: int | None = Column(
        Integer, ForeignKey("werkbonnen.id", ondelete="SET NULL"), nullable=True
    )
    handover_id: int | None = Column(
        Integer, ForeignKey("overnames.id", ondelete="SET NULL"), nullable=True
    )
    clock: str = Column(String(30), nullable=False)
    target_at: datetime = Column(UTCDateTime(), nullable=False, index=True)
    met_at: datetime | None = Column(UTCDateTime(), nullable=True)
    breached_at: datetime | None = Column(UTCDateTime(), nullable=True)
    escalation_step: int = Column(Integer, nullable=False, default=0, server_default="0")
    escalated_at: datetime | None = Column(UTCDateTime(), nullable=True)
    state: str = Column(String(16), nullable=False, index=True)


class Transfer(Base):
    """An agent putting a tenant through to the client's own employee, and how it went.

    Attributes:
        by: the agent.
        outcome: ``verbonden``, ``geen_gehoor``, ``samenvatting_gemaild``, ...
    """

    __tablename__ = "doorverbindingen"

    id: int = Column(Integer, primary_key=True)
    # The record of a transfer outlives its ticket.
    ticket_id: int | None = Column(
        Integer, ForeignKey("tickets.id", ondelete="SET NULL"), nullable=True, index=True
    )
    conversation_id: str | None = Column(String(255), nullable=True, index=True)
    by: str = Column(String(100), nullable=False)
    to_name: str = Column(String(200), nullable=False)
    to_phone: str | None = Column(String(32), nullable=True)
    to_email: str | None = Column(String(254), nullable=True)
    at: datetime = Column(UTCDateTime(), nullable=False, index=True)
    outcome: str = Column(String(20), nullable=False)
    note: str | None = Column(Text, nullable=True)
