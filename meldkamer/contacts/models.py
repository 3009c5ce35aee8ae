"""The contact log: every message, call, mail, SMS and status change, linked to its ticket."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Integer, String, Text

from meldkamer.db import Base, UTCDateTime, ticket_id_column


class Contact(Base):
    """One contact: who spoke with whom, on which channel, when, and what it was about.

    Attributes:
        ticket_id: the ticket it belongs to; a contact outlives its ticket (the record of
            what was said must not vanish with it).
        direction: ``in`` (to us), ``uit`` (from us), ``intern`` (inside the meldkamer).
        channel: ``webchat``, ``whatsapp``, ``telegram``, ``rest``, ``sms``, ``email``,
            ``telefoon``, ``pagina``, ``console``, ``systeem``.
        party: the other side: ``huurder``, ``aannemer``, ``opdrachtgever``,
            ``medewerker``, ``assistent``, ``meldkamer``.
        kind: ``bericht``, ``sms``, ``email``, ``gesprek``, ``status``, ``overdracht``,
            ``doorverbinding``, ``escalatie``, ``statusvraag``.
        summary: short, in Dutch: what happened.
        ref: what it points at (an outbox key, a work order id, ...).
    """

    __tablename__ = "contacten"

    id: int = Column(Integer, primary_key=True)
    ticket_id: int | None = ticket_id_column(ondelete="SET NULL", nullable=True)
    conversation_id: str | None = Column(String(255), nullable=True, index=True)
    client_id: str | None = Column(String(64), nullable=True, index=True)
    at: datetime = Column(UTCDateTime(), nullable=False, index=True)
    direction: str = Column(String(8), nullable=False)
    channel: str = Column(String(20), nullable=False)
    party: str = Column(String(20), nullable=False)
    kind: str = Column(String(20), nullable=False)
    summary: str = Column(Text, nullable=False)
    by: str | None = Column(String(100), nullable=True)
    ref: str | None = Column(String(200), nullable=True)
