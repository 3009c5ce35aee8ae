"""Personal data in what follows a ticket: the contact log, work-order notes, transfers.

The contact log's summaries quote messages (a tenant's name in a confirmation, a
contractor's report), work-order steps carry the contractor's notes, and a transfer
notes what was said. Anonymising keeps what the monthly report counts (when, which
channel, which way, which kind, which ticket and client) and drops the words and the
conversation id (for WhatsApp the tenant's phone number); a client's erasure deletes.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from meldkamer.contacts.models import Contact
from meldkamer.dispatch.models import WorkOrder, WorkOrderEvent
from meldkamer.sla.models import Transfer

#: What replaces an anonymised summary (also how such a row is known).
REMOVED = "[verwijderd]"


def _linked(model: Any, ticket_ids: Collection[int], conversations: Collection[str]) -> Any:
    columns = model.__table__.c
    return select(model).where(
        or_(
            columns.ticket_id.in_(list(ticket_ids)),
            columns.conversation_id.in_(list(conversations)),
        )
    )


def scrub_follow_up(
    session: Session,
    *,
    ticket_ids: Collection[int],
    conversations: Collection[str] = (),
    delete: bool = False,
) -> int:
    """Anonymise (or delete) the follow-up rows of these tickets and conversations.

    Returns how many rows changed; running it twice changes nothing the second time.
    """
    count = 0
    for contact in session.execute(_linked(Contact, ticket_ids, conversations)).scalars():
        if delete:
            session.delete(contact)
        elif contact.summary == REMOVED:
            continue
        else:
            contact.summary, contact.conversation_id = REMOVED, None
        count += 1
    for transfer in session.execute(_linked(Transfer, ticket_ids, conversations)).scalars():
        if delete:
            session.delete(transfer)
        elif transfer.note is None and transfer.conversation_id is None:
            continue
        else:
            transfer.note, transfer.conversation_id = None, None
        count += 1
    count += _clear(session, WorkOrderEvent, "note", ticket_ids)
    count += _clear(session, WorkOrder, "report", ticket_ids)
    session.flush()
    return count


def unlinked_contacts(session: Session, before: Any, client_scope: Any) -> list[Contact]:
    """Contacts of conversations that never became a ticket, older than ``before``."""
    columns = Contact.__table__.c
    return list(
        session.execute(
            select(Contact).where(
                columns.ticket_id.is_(None),
                columns.at < before,
                columns.summary != REMOVED,
                client_scope(columns.client_id),
            )
        ).scalars()
    )


def anonymise_contacts(session: Session, contacts: Collection[Contact]) -> int:
    """Drop the words and the conversation id of these contacts."""
    for contact in contacts:
        contact.summary, contact.conversation_id = REMOVED, None
    session.flush()
    return len(contacts)


def _clear(session: Session, model: Any, column: str, ticket_ids: Collection[int]) -> int:
    columns = model.__table__.c
    rows = session.execute(
        select(model).where(columns.ticket_id.in_(list(ticket_ids)), columns[column].isnot(None))
    ).scalars()
    count = 0
    for row in rows:
        setattr(row, column, None)
        count += 1
    return count
