"""SLA clocks (sla_klokken) and transfers to the client's employee (doorverbindingen)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, Text

from meldkamer.db import Base, UTCDateTime, ticket_id_column


class SlaClock(Base):
    """One promise with a deadline on a ticket: acknowledged, on site, done, answered.

    Attributes:
        clock: ``bevestiging``, ``ter_plaatse``, ``gereed``, ``antwoord_medewerker``.
        state: ``loopt``, ``gehaald``, ``verlopen``, ``gestopt``.
        escalation_step: how far along the escalation chain a breach has gone.
        ack_token_hash: the link of the step sent last (supervisor, piket); each step
            gets a new link, so an earlier step's link no longer works.
    """

    __tablename__ = "sla_klokken"

    id: int = Column(Integer, primary_key=True)
    # Empty while a handed-over chat has no ticket yet (its answer clock runs all the same).
    ticket_id: int | None = ticket_id_column(ondelete="CASCADE", nullable=True)
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
    # SHA-256 of the secret in the acknowledgement link of the last escalation step.
    ack_token_hash: str | None = Column(String(64), nullable=True, unique=True)


class Transfer(Base):
    """An agent putting a tenant through to the client's own employee, and how it went.

    Attributes:
        by: the agent.
        outcome: ``verbonden``, ``geen_gehoor``, ``samenvatting_gemaild``, ...
    """

    __tablename__ = "doorverbindingen"

    id: int = Column(Integer, primary_key=True)
    # The record of a transfer outlives its ticket.
    ticket_id: int | None = ticket_id_column(ondelete="SET NULL", nullable=True)
    conversation_id: str | None = Column(String(255), nullable=True, index=True)
    by: str = Column(String(100), nullable=False)
    to_name: str = Column(String(200), nullable=False)
    to_phone: str | None = Column(String(32), nullable=True)
    to_email: str | None = Column(String(254), nullable=True)
    at: datetime = Column(UTCDateTime(), nullable=False, index=True)
    outcome: str = Column(String(20), nullable=False)
    note: str | None = Column(Text, nullable=True)
