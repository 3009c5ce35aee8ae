"""Work orders (werkbonnen) sent to contractors, their life and its history."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Text

from meldkamer.db import ticket_id_column
from meldkamer.tickets.models import Base, UTCDateTime


class WorkOrderStatus(str, enum.Enum):
    """Where a work order stands."""

    VERSTUURD = "verstuurd"  # sent, not yet acknowledged
    BEVESTIGD = "bevestigd"  # the contractor clicked the link: they go
    GEESCALEERD = "geescaleerd"  # not acknowledged in time: the next one was asked
    ONDERWEG = "onderweg"  # on the way, with an expected arrival time
    TER_PLAATSE = "ter_plaatse"  # at the address
    GEREED = "gereed"  # done, with a short report
    NIET_GELUKT = "niet_gelukt"  # could not be done (the reason is in the report)
    GEANNULEERD = "geannuleerd"  # no longer needed


class WorkOrder(Base):
    """One request to one contractor for one ticket.

    Attributes:
        step: position in the escalation chain (0: the contractor on call first).
        chain: the contractor ids on call when the ticket was dispatched, in order.
        deadline: acuut: acknowledge by then or escalate; urgent: the work is due.
        token_hash: SHA-256 of the secret in the acknowledgement link; the secret itself
            is only in the link (see :mod:`meldkamer.dispatch.links`).
    """

    __tablename__ = "werkbonnen"

    id: int = Column(Integer, primary_key=True)
    ticket_id: int = ticket_id_column(ondelete="CASCADE", nullable=False)
    client_id: str = Column(String(64), nullable=False)
    trade: str = Column(String(20), nullable=False)
    urgency: str = Column(String(16), nullable=False)
    contractor_id: str = Column(String(64), nullable=False)
    contractor_name: str = Column(String(200), nullable=False)
    step: int = Column(Integer, nullable=False, default=0)
    chain: list[Any] = Column(JSON, nullable=False)
    token_hash: str = Column(String(64), nullable=False, unique=True)
    status: str = Column(
        String(16), nullable=False, index=True, default=WorkOrderStatus.VERSTUURD.value
    )
    deadline: datetime = Column(UTCDateTime(), nullable=False, index=True)
    created_at: datetime = Column(UTCDateTime(), nullable=False)
    acknowledged_at: datetime | None = Column(UTCDateTime(), nullable=True)
    eta_at: datetime | None = Column(UTCDateTime(), nullable=True)
    on_site_at: datetime | None = Column(UTCDateTime(), nullable=True)
    done_at: datetime | None = Column(UTCDateTime(), nullable=True)
    closed_at: datetime | None = Column(UTCDateTime(), nullable=True)
    # The contractor's short report when done, or the reason it did not work.
    report: str | None = Column(Text, nullable=True)
    # A photo on completion: a path in the attachment store.
    photo: str | None = Column(String(255), nullable=True)


class WorkOrderEvent(Base):
    """One change in a work order's life: who set which status, when, through what.

    Attributes:
        status_from: the status before (``None`` for the first event).
        by: who made the change (the contractor's name, an agent, ``systeem``).
        via: where it was made: ``pagina``, ``sms``, ``cli``, ``console``, ``systeem``.
    """

    __tablename__ = "werkbon_gebeurtenissen"

    id: int = Column(Integer, primary_key=True)
    work_order_id: int = Column(
        Integer, ForeignKey("werkbonnen.id", ondelete="CASCADE"), nullable=False
    )
    ticket_id: int = ticket_id_column(ondelete="CASCADE", nullable=False)
    status_from: str | None = Column(String(16), nullable=True)
    status_to: str = Column(String(16), nullable=False)
    eta_at: datetime | None = Column(UTCDateTime(), nullable=True)
    note: str | None = Column(Text, nullable=True)
    by: str = Column(String(100), nullable=False)
    via: str = Column(String(20), nullable=False)
    at: datetime = Column(UTCDateTime(), nullable=False, index=True)
