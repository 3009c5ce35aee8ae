"""Recording photos and linking them to tickets."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from meldkamer.attachments.files import StoredFile
from meldkamer.attachments.models import Attachment
from meldkamer.rows import added, one_row, rows_of


def record(session: Session, stored: StoredFile, conversation_id: str, now: datetime) -> Attachment:
    """Register a stored photo for a conversation (the caller commits)."""
    return added(
        session,
        Attachment(
            conversation_id=conversation_id,
            path=stored.relative,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            created_at=now,
        ),
    )


def find_by_path(session: Session, relative: str) -> Attachment | None:
    """The photo stored under ``relative`` (a path in the upload folder), if registered."""
    return one_row(session, Attachment, Attachment.__table__.c.path == relative)


def link_to_ticket(
    session: Session, conversation_id: str, paths: Iterable[str], ticket_id: int
) -> int:
    """Attach the conversation's photos with these paths to a ticket; returns how many."""
    wanted = list(paths)
    if not wanted:
        return 0
    rows = session.execute(
        select(Attachment).where(
            Attachment.conversation_id == conversation_id,
            Attachment.__table__.c.path.in_(wanted),
        )
    ).scalars()
    count = 0
    for attachment in rows:
        attachment.ticket_id = ticket_id
        count += 1
    session.flush()
    return count


def for_conversation(session: Session, conversation_id: str) -> list[Attachment]:
    """The photos of a conversation, oldest first."""
    return rows_of(
        session, Attachment, Attachment.conversation_id == conversation_id, order_by=[Attachment.id]
    )


def for_ticket(session: Session, ticket_id: int) -> list[Attachment]:
    """The photos of a ticket, oldest first."""
    return rows_of(session, Attachment, Attachment.ticket_id == ticket_id, order_by=[Attachment.id])
