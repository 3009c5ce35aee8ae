"""What Meldkamer holds about someone: the rows and files, found once, used by export and erase.

A person (:mod:`meldkamer.privacy.subject`) or a client (:mod:`meldkamer.privacy.contract`)
is found as a :class:`Holdings`; :func:`export` writes it to a folder (``gegevens.json``,
the photos and the files attached to messages), and the erasures remove exactly what was
found. A client's holdings also hold its portal accounts (the names of its staff) and
change requests; a password hash is never exported.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from meldkamer.attachments.models import Attachment
from meldkamer.clients import store
from meldkamer.clients.models import ClientVersion
from meldkamer.contacts.models import Contact
from meldkamer.handover.drafts import Draft
from meldkamer.handover.models import Handover, Note
from meldkamer.intake.spool import FAILED_SUFFIX, SUFFIX
from meldkamer.notify.attachments import OutboxAttachment
from meldkamer.notify.models import OutboxMessage
from meldkamer.portal.models import ChangeRequest, PortalUser
from meldkamer.privacy import events, followup, scrub
from meldkamer.reports import mail_key_prefix
from meldkamer.tickets.models import Ticket, TicketEdit, TicketStatusChange

#: The file :func:`export` writes next to the ``fotos/`` folder.
EXPORT_FILE = "gegevens.json"
#: Columns never exported: a password hash is a credential, not data about someone.
SECRET_COLUMNS = frozenset({"password_hash"})


@dataclass
class Holdings:
    """The rows and files about one person or one client."""

    tickets: list[Ticket] = field(default_factory=list)
    conversations: set[str] = field(default_factory=set)
    photos: list[Attachment] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    handovers: list[Handover] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    events: int = 0
    spool_files: list[Path] = field(default_factory=list)
    client_versions: list[ClientVersion] = field(default_factory=list)
    attachments: list[OutboxAttachment] = field(default_factory=list)
    portal_users: list[PortalUser] = field(default_factory=list)
    change_requests: list[ChangeRequest] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How much was found, by data class."""
        return {
            "tickets": len(self.tickets),
            "gesprekken": self.events,
            "fotos": len(self.photos),
            "notities": len(self.notes),
            "overdrachten": len(self.handovers),
            "concepten": len(self.drafts),
            "berichten": len(self.messages),
            "contacten": len(self.contacts),
            "spool": len(self.spool_files),
            "klantbestanden": len(self.client_versions),
            "bijlagen": len(self.attachments),
            "portaalgebruikers": len(self.portal_users),
            "wijzigingsverzoeken": len(self.change_requests),
        }

    def is_empty(self) -> bool:
        """Whether nothing at all was found."""
        return not any(self.counts().values())

    def open_tickets(self) -> list[Ticket]:
        """Tickets still being handled: an erasure waits for them."""
        return [t for t in self.tickets if t.status not in scrub.CLOSED_STATUSES]


def gather(
    session: Session,
    tickets: list[Ticket],
    conversations: Collection[str],
    recipients: Collection[str] = (),
) -> Holdings:
    """Everything linked to these tickets and conversations (and messages to these recipients)."""
    ids = [t.id for t in tickets]
    talks = set(conversations) | scrub.conversation_ids(tickets)
    holdings = Holdings(tickets=tickets, conversations=talks)
    holdings.photos = _linked(session, Attachment, ids, talks)
    holdings.notes = _linked(session, Note, ids, talks)
    holdings.handovers = [
        h for h in _linked(session, Handover, ids, talks) if h.reason != scrub.REMOVED
    ]
    holdings.drafts = [
        d
        for d in _linked(session, Draft, ids, talks)
        if not d.conversation_id.startswith(scrub.ANONYMOUS_PREFIX)
    ]
    outbox = OutboxMessage.__table__.c
    holdings.messages = list(
        session.execute(
            select(OutboxMessage).where(
                or_(outbox.ticket_id.in_(ids), outbox.recipient.in_(list(recipients))),
                outbox.recipient != scrub.REMOVED,
            )
        ).scalars()
    )
    holdings.attachments = attachments_of_messages(session, holdings.messages)
    holdings.contacts = [
        c for c in _linked(session, Contact, ids, talks) if c.summary != followup.REMOVED
    ]
    holdings.events = len(events.events_of(session, talks))
    return holdings


def client_mail(key: Any, client_id: str) -> ColumnElement[bool]:
    """The condition that an outbox key is of a mail to the client itself, not to a tenant.

    Those mails have no ticket: the monthly reports (their PDF attached) and the
    confirmations of a changed client file. Their keys begin with the client's id.
    """
    prefixes = (mail_key_prefix(client_id), f"{store.PURPOSE}:{client_id}:")
    # autoescape: a "_" in a client id is a letter, not LIKE's wildcard.
    result: ColumnElement[bool] = or_(*(key.startswith(p, autoescape=True) for p in prefixes))
    return result


def attachments_of_messages(
    session: Session, messages: Iterable[OutboxMessage]
) -> list[OutboxAttachment]:
    """The files attached to these outbox messages (a monthly report's PDF)."""
    ids = [m.id for m in messages]
    if not ids:
        return []
    statement = select(OutboxAttachment).where(OutboxAttachment.__table__.c.message_id.in_(ids))
    return list(session.execute(statement.order_by(OutboxAttachment.id)).scalars())


def _linked(session: Session, model: Any, ids: list[int], talks: set[str]) -> list[Any]:
    columns = model.__table__.c
    statement = select(model).where(
        or_(columns.ticket_id.in_(ids), columns.conversation_id.in_(sorted(talks)))
    )
    return list(session.execute(statement.order_by(columns.id)).scalars())


def spool_files(folder: Path, wanted: Any) -> list[Path]:
    """Spool files (waiting or set aside) whose melding ``wanted(melding)`` picks out.

    A file that does not read as JSON cannot be matched; it is left for the retention
    term of set-aside files.
    """
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if not (path.name.endswith(SUFFIX) or path.name.endswith(FAILED_SUFFIX)):
            continue
        try:
            melding = json.loads(path.read_text("utf-8")).get("melding") or {}
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(melding, dict) and wanted(melding):
            found.append(path)
    return found


def is_waiting(path: Path) -> bool:
    """A spooled melding not yet registered (not one set aside)."""
    return not path.name.endswith(FAILED_SUFFIX)


def row_dict(row: Any) -> dict[str, Any]:
    """A row's columns as JSON-ready data."""
    return {
        column.name: _plain(getattr(row, column.key))
        for column in row.__table__.columns
        if column.name not in SECRET_COLUMNS
    }


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def export(session: Session, holdings: Holdings, photo_root: Path, out: Path) -> Path:
    """Write the holdings to ``out``: ``gegevens.json`` and ``fotos/``; returns the JSON file.

    Raises:
        OSError: the folder cannot be written.
    """
    out.mkdir(parents=True, exist_ok=True)
    photos = out / "fotos"
    for photo in holdings.photos:
        source = photo_root / photo.path
        if source.is_file():
            target = photos / photo.path.replace("/", "-")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    data = {
        "tickets": [_ticket(session, ticket) for ticket in holdings.tickets],
        "gesprekken": events.events_of(session, holdings.conversations),
        "fotos": [
            {**row_dict(p), "bestand": f"fotos/{p.path.replace('/', '-')}"} for p in holdings.photos
        ],
        "notities": _rows(holdings.notes),
        "overdrachten": _rows(holdings.handovers),
        "concepten": _rows(holdings.drafts),
        "berichten": _rows(holdings.messages),
        "contacten": _rows(holdings.contacts),
        "spool": [json.loads(path.read_text("utf-8")) for path in holdings.spool_files],
        "klantbestanden": _rows(holdings.client_versions),
        "bijlagen": _attachments(holdings.attachments, out),
        "portaalgebruikers": _rows(holdings.portal_users),
        "wijzigingsverzoeken": _rows(holdings.change_requests),
    }
    target = out / EXPORT_FILE
    target.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), "utf-8")
    return target


def _attachments(attachments: list[OutboxAttachment], out: Path) -> list[dict[str, Any]]:
    """Each attachment's file in ``bijlagen/``; its row without the bytes, naming the file."""
    rows = []
    for attachment in attachments:
        # The message id keeps two messages' "de-linde-2026-10.pdf" apart.
        name = f"{attachment.message_id}-{attachment.filename}"
        target = out / "bijlagen" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(bytes(attachment.data))
        row = {k: v for k, v in row_dict(attachment).items() if k != "data"}
        rows.append({**row, "bestand": f"bijlagen/{name}"})
    return rows


def _rows(rows: Iterable[Any]) -> list[dict[str, Any]]:
    return [row_dict(row) for row in rows]


def _ticket(session: Session, ticket: Ticket) -> dict[str, Any]:
    data = row_dict(ticket)
    for key, model in (("statuswijzigingen", TicketStatusChange), ("wijzigingen", TicketEdit)):
        rows = session.execute(
            select(model).where(model.__table__.c.ticket_id == ticket.id).order_by(model.id)
        ).scalars()
        data[key] = _rows(rows)
    return data
