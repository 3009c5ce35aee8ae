"""A client's data at the end of a contract: hand it over (export) and delete it (erase).

As processor (verwerker) Meldkamer returns or deletes the client's personal data when
the contract ends. Everything of the client goes: its tickets with their history and
work orders, the conversations they came from, photos, notes, handovers, messages (also
the mails to the client itself: monthly reports with their PDF, confirmations of its
client file), spooled meldingen, the versions of its client file, its portal accounts
(the names of its staff, with their sessions) and its change requests. Other clients'
data is not touched: only rows that belong to this client's tickets or carry its id are
selected.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from meldkamer.clients.models import ClientVersion
from meldkamer.clients.retention import RetentionAction
from meldkamer.contacts.models import Contact
from meldkamer.handover.drafts import Draft
from meldkamer.handover.models import Handover
from meldkamer.notify.models import OutboxMessage
from meldkamer.portal.models import ChangeRequest, PortalSession, PortalUser
from meldkamer.privacy import scrub
from meldkamer.privacy.followup import scrub_follow_up
from meldkamer.privacy.holdings import (
    Holdings,
    attachments_of_messages,
    client_mail,
    gather,
    spool_files,
)
from meldkamer.privacy.models import PrivacyActionKind
from meldkamer.privacy.subject import Erased, PrivacyError, begin_erasure, record
from meldkamer.rows import rows_of
from meldkamer.tickets.models import Ticket


def find_client(session: Session, client_id: str, spool: Path) -> Holdings:
    """Everything held for the client.

    Raises:
        PrivacyError: nothing at all is known of this client id.
    """
    tickets = rows_of(
        session, Ticket, Ticket.__table__.c.client_id == client_id, order_by=[Ticket.id]
    )
    holdings = gather(session, tickets, ())
    handovers = Handover.__table__.c
    known = {h.id for h in holdings.handovers}
    holdings.handovers += [
        h
        for h in session.execute(select(Handover).where(handovers.client_id == client_id)).scalars()
        if h.id not in known
    ]
    known = {d.id for d in holdings.drafts}
    holdings.drafts += [d for d in _of_client(session, Draft, client_id) if d.id not in known]
    holdings.client_versions = _of_client(session, ClientVersion, client_id)
    _client_mail(session, client_id, holdings)
    holdings.portal_users = _of_client(session, PortalUser, client_id)
    holdings.change_requests = _of_client(session, ChangeRequest, client_id)
    holdings.spool_files = spool_files(spool, lambda m: m.get("client_id") == client_id)
    if holdings.is_empty():
        raise PrivacyError(f"onbekende opdrachtgever {client_id!r}: niets gevonden")
    return holdings


def _of_client(session: Session, model: Any, client_id: str) -> list[Any]:
    columns = model.__table__.c
    statement = select(model).where(columns.client_id == client_id).order_by(columns.id)
    return list(session.execute(statement).scalars())


def _client_mail(session: Session, client_id: str, holdings: Holdings) -> None:
    """Add the mails to the client itself (no ticket) and every found message's files."""
    outbox = OutboxMessage.__table__.c
    known = {m.id for m in holdings.messages}
    statement = select(OutboxMessage).where(
        outbox.ticket_id.is_(None), client_mail(outbox.key, client_id)
    )
    holdings.messages += [
        m for m in session.execute(statement.order_by(outbox.id)).scalars() if m.id not in known
    ]
    holdings.attachments = attachments_of_messages(session, holdings.messages)


def erase_client(
    session: Session,
    client_id: str,
    holdings: Holdings,
    *,
    by: str,
    now: datetime,
    photo_root: Path,
) -> Erased:
    """Delete everything of the client as found (the caller commits, then unlinks ``files``).

    Raises:
        PrivacyError: a ticket is still open or a melding still waits in the spool.
    """
    counts, photo_files = begin_erasure(session, holdings, photo_root)
    remove = RetentionAction.VERWIJDEREN
    counts |= {
        "concepten": scrub.scrub_drafts(session, holdings.drafts, remove),
        "overdrachten": scrub.scrub_handovers(session, holdings.handovers, remove),
        "bijlagen": len(holdings.attachments),
        "berichten": scrub.scrub_messages(session, holdings.messages, remove),
        "contacten": _delete_contacts(session, client_id, holdings),
        "tickets": _delete_all(session, holdings.tickets),
        "klantbestanden": _delete_all(session, holdings.client_versions),
        "portaalgebruikers": _delete_portal_users(session, holdings.portal_users),
        "wijzigingsverzoeken": _delete_all(session, holdings.change_requests),
        "spool": len(holdings.spool_files),
    }
    record(session, PrivacyActionKind.OPDRACHTGEVER_WISSEN, by, now, counts, client_id)
    return Erased(counts, photo_files + holdings.spool_files)


def _delete_all(session: Session, rows: list[Any]) -> int:
    # A ticket's status history, edits and work orders go with it (ON DELETE CASCADE).
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def _delete_portal_users(session: Session, users: list[PortalUser]) -> int:
    # Their sessions first: the foreign key cascades too, but a session row must not
    # outlive its user on a database whose cascade was switched off.
    ids = [user.id for user in users]
    if ids:
        session.execute(
            delete(PortalSession)
            .where(PortalSession.__table__.c.user_id.in_(ids))
            .execution_options(synchronize_session=False)
        )
    return _delete_all(session, users)


def _delete_contacts(session: Session, client_id: str, holdings: Holdings) -> int:
    # Contacts outlive their ticket (SET NULL): delete them first, with the client's own.
    count = scrub_follow_up(
        session,
        ticket_ids=[t.id for t in holdings.tickets],
        conversations=holdings.conversations,
        delete=True,
    )
    for contact in rows_of(session, Contact, Contact.__table__.c.client_id == client_id):
        session.delete(contact)
        count += 1
    session.flush()
    return count
