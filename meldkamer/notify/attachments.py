"""Files sent with an outbox e-mail (``outbox_bijlagen``): the monthly report's PDF.

The file is stored in the database next to its message, in the same transaction, so a
message is never sent without the attachment it was queued with and any worker on any
host can send it. Only e-mails carry attachments.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, select
from sqlalchemy.orm import Session
from typing_extensions import Unpack

from meldkamer.db import Base, UTCDateTime
from meldkamer.notify.mail import AttachmentLoader
from meldkamer.notify.models import MessageKind, OutboxMessage
from meldkamer.notify.outbox import Outgoing, enqueue

#: An SMTP server refuses large mails; a monthly report is far below this.
MAX_ATTACHMENT_BYTES = 8 * 1024 * 1024
_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_CONTENT_TYPE = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")


class OutboxAttachment(Base):
    """One file attached to one outbox e-mail."""

    __tablename__ = "outbox_bijlagen"
    __table_args__ = (
        UniqueConstraint("message_id", "filename", name="uq_outbox_bijlagen_message_id_filename"),
    )

    id: int = Column(Integer, primary_key=True)
    message_id: int = Column(
        Integer, ForeignKey("outbox.id", ondelete="CASCADE"), nullable=False, index=True
    )
    filename: str = Column(String(200), nullable=False)
    content_type: str = Column(String(100), nullable=False)
    size: int = Column(Integer, nullable=False)
    data: bytes = Column(LargeBinary, nullable=False)
    created_at: datetime = Column(UTCDateTime(), nullable=False)


@dataclass(frozen=True)
class MailAttachment:
    """A file to send with an e-mail: its name, MIME type and bytes."""

    filename: str
    content_type: str
    data: bytes

    def __post_init__(self) -> None:
        if not _FILENAME.match(self.filename):
            raise ValueError(f"bestandsnaam {self.filename!r}: alleen letters, cijfers, . _ -")
        if not _CONTENT_TYPE.match(self.content_type):
            raise ValueError(f"MIME-type {self.content_type!r} is ongeldig")
        if not self.data:
            raise ValueError(f"bijlage {self.filename!r} is leeg")
        if len(self.data) > MAX_ATTACHMENT_BYTES:
            raise ValueError(
                f"bijlage {self.filename!r} is groter dan {MAX_ATTACHMENT_BYTES} bytes"
            )


def attachments_of(session: Session, message_id: int) -> list[MailAttachment]:
    """The files attached to outbox message ``message_id``, in the order they were added."""
    query = (
        select(OutboxAttachment)
        .where(OutboxAttachment.message_id == message_id)
        .order_by(OutboxAttachment.id)
    )
    return [
        MailAttachment(row.filename, row.content_type, bytes(row.data))
        for row in session.execute(query).scalars()
    ]


def session_loader(sessions: Callable[[], Session]) -> AttachmentLoader:
    """An :data:`AttachmentLoader` that opens a session of ``sessions`` for each read."""

    def load(message_id: int) -> list[MailAttachment]:
        with sessions() as session:
            return attachments_of(session, message_id)

    return load


def enqueue_with_attachments(
    session: Session,
    *,
    attachments: Sequence[MailAttachment],
    now: datetime,
    **mail: Unpack[Outgoing],
) -> OutboxMessage:
    """Queue an e-mail with files, or return the one already queued under ``key``.

    Idempotent like :func:`~meldkamer.notify.outbox.enqueue`: a message that already
    exists keeps the attachments it was queued with. The files go in the caller's
    transaction, so they are committed exactly when the message is.

    Raises:
        ValueError: a malformed message (see ``enqueue``), no attachment, or two with one name.
    """
    if not attachments:
        raise ValueError("geen bijlage opgegeven")
    names = [a.filename for a in attachments]
    if len(set(names)) != len(names):
        raise ValueError(f"dubbele bestandsnaam in de bijlagen: {names}")
    message = enqueue(session, kind=MessageKind.EMAIL, now=now, **mail)
    has_files = session.execute(
        select(OutboxAttachment.id).where(OutboxAttachment.message_id == message.id).limit(1)
    ).first()
    if has_files is None:
        for attachment in attachments:
            session.add(
                OutboxAttachment(
                    message_id=message.id,
                    filename=attachment.filename,
                    content_type=attachment.content_type,
                    size=len(attachment.data),
                    data=attachment.data,
                    created_at=now,
                )
            )
        session.flush()
    return message
