"""The outbox table: every e-mail and SMS Meldkamer sends, queued and then registered.

Rows are written in the same transaction as the ticket change that causes them, so a
message exists exactly when the change does; a worker sends them afterwards.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Integer, String, Text

from meldkamer.db import ticket_id_column
from meldkamer.labels import LabelTable
from meldkamer.tickets.models import Base, UTCDateTime


class MessageKind(str, enum.Enum):
    """The channel a message goes out on."""

    EMAIL = "email"
    SMS = "sms"
    # A message to the tenant in their own chat conversation; the recipient is the
    # conversation id.
    CHAT = "chat"


class OutboxStatus(str, enum.Enum):
    """Where a message is in its delivery."""

    WACHTRIJ = "wachtrij"
    BEZIG = "bezig"
    VERZONDEN = "verzonden"
    MISLUKT = "mislukt"


class MessagePurpose(str, enum.Enum):
    """What a message is for (``outbox.purpose``); senders pass the value as text."""

    WERKBON = "werkbon"
    BEVESTIGING_HUURDER = "bevestiging_huurder"
    UPDATE_HUURDER = "update_huurder"
    OPDRACHTGEVER = "opdrachtgever"
    ESCALATIE = "escalatie"
    CONFIGURATIE = "configuratie"


# What agents read on the ticket page for each column of a message.
KIND_LABELS: LabelTable[MessageKind] = LabelTable(
    MessageKind,
    {MessageKind.EMAIL: "E-mail", MessageKind.SMS: "Sms", MessageKind.CHAT: "Chatbericht"},
)
STATUS_LABELS: LabelTable[OutboxStatus] = LabelTable(
    OutboxStatus,
    {
        OutboxStatus.WACHTRIJ: "wacht op verzending",
        OutboxStatus.BEZIG: "wordt verzonden",
        OutboxStatus.VERZONDEN: "verzonden",
        OutboxStatus.MISLUKT: "mislukt",
    },
)
PURPOSE_LABELS: LabelTable[MessagePurpose] = LabelTable(
    MessagePurpose,
    {
        MessagePurpose.WERKBON: "werkbon aan de aannemer",
        MessagePurpose.BEVESTIGING_HUURDER: "bevestiging aan de huurder",
        MessagePurpose.UPDATE_HUURDER: "stand van zaken aan de huurder",
        MessagePurpose.OPDRACHTGEVER: "bericht aan de opdrachtgever",
        MessagePurpose.ESCALATIE: "escalatie",
        MessagePurpose.CONFIGURATIE: "wijziging van de instellingen",
    },
)


class OutboxMessage(Base):
    """One e-mail or SMS to send, with the outcome of its delivery attempts."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("kind IN ('email', 'sms', 'chat')", name="kind"),
        CheckConstraint("status IN ('wachtrij', 'bezig', 'verzonden', 'mislukt')", name="status"),
    )

    id: int = Column(Integer, primary_key=True)
    # The caller's idempotency key, e.g. "werkbon:MK-2026-000001:jansen:1".
    key: str = Column(String(200), nullable=False, unique=True)
    # A message outlives its ticket: the record of what was sent must not vanish with it.
    ticket_id: int | None = ticket_id_column(ondelete="SET NULL", nullable=True)
    kind: str = Column(String(10), nullable=False)
    purpose: str = Column(String(40), nullable=False)
    recipient: str = Column(String(254), nullable=False)
    subject: str | None = Column(String(300), nullable=True)
    body: str = Column(Text, nullable=False)

    status: str = Column(
        String(20),
        nullable=False,
        index=True,
        default=OutboxStatus.WACHTRIJ.value,
        server_default=OutboxStatus.WACHTRIJ.value,
    )
    # How often a sender has taken the message on, counted when it is claimed so that
    # a message that crashes its sender every time still runs out of attempts.
    attempts: int = Column(Integer, nullable=False, default=0, server_default="0")
    next_attempt_at: datetime = Column(UTCDateTime(), nullable=False, index=True)
    # While a sender holds the message; after this moment the sender is presumed dead.
    locked_until: datetime | None = Column(UTCDateTime(), nullable=True)
    last_error: str | None = Column(Text, nullable=True)
    created_at: datetime = Column(UTCDateTime(), nullable=False)
    sent_at: datetime | None = Column(UTCDateTime(), nullable=True)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.key} {self.kind} {self.status}>"
