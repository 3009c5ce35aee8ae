"""Removing personal data from rows and files: one way per data class.

The retention job, a data subject's erasure and a client's erasure all select what to
remove and then call these, so every path removes the same fields the same way. Each
function skips what was done before (anonymising twice changes nothing), flushes but
does not commit, and returns how many rows or files it changed.

An anonymised ticket keeps what the monthly report needs: number, client, complex,
topic, facts and outcome (urgency, reasons), channel, times, statuses and work orders.
It loses name, phone, e-mail, description, house number and addition, and the letters
of the postcode (the four digits stay: a district for the report, no address); its
conversation id, which for WhatsApp is the phone number, becomes ``anoniem-<number>``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from meldkamer.attachments.models import Attachment
from meldkamer.clients.retention import RetentionAction
from meldkamer.handover.drafts import Draft
from meldkamer.handover.models import Handover, Note
from meldkamer.notify.attachments import OutboxAttachment
from meldkamer.notify.models import OutboxMessage
from meldkamer.privacy.followup import scrub_follow_up
from meldkamer.tickets.models import Ticket, TicketEdit, TicketStatus

logger = logging.getLogger(__name__)

#: The name of an anonymised ticket; also how a ticket is known to be anonymised.
ANONYMOUS_NAME = "[geanonimiseerd]"
#: How an anonymised row's conversation id begins.
ANONYMOUS_PREFIX = "anoniem-"
#: What replaces the recipient and the reason text of anonymised rows.
REMOVED = "[verwijderd]"
#: Ticket fields that hold personal data, also in the history of edits.
PERSONAL_TICKET_FIELDS = (
    "naam",
    "telefoon",
    "email",
    "beschrijving",
    "postcode",
    "huisnummer",
    "huisnummer_toevoeging",
)
#: What a handover summary keeps when anonymised: the melding, not the person.
SUMMARY_KEEPS = ("topic", "facts", "unknown_facts", "outcome", "ticket", "opdrachtgever")
#: Statuses after which nothing more happens to a ticket.
CLOSED_STATUSES = (TicketStatus.AFGEROND.value, TicketStatus.GEANNULEERD.value)
#: Handover statuses after which the handover is history.
CLOSED_HANDOVERS = ("gesloten", "terug_naar_bot")
#: Outbox statuses after which a message is history (never one still to be sent).
FINISHED_MESSAGES = ("verzonden", "mislukt")


def is_anonymised(ticket: Ticket) -> bool:
    """Whether the ticket's personal data is gone already."""
    return ticket.naam == ANONYMOUS_NAME


def anonymous_conversation(ticket: Ticket) -> str:
    """The conversation id an anonymised ticket keeps."""
    return f"{ANONYMOUS_PREFIX}{ticket.number}"


def anonymise_tickets(session: Session, tickets: Iterable[Ticket]) -> int:
    """Remove the personal data of tickets and of their edit history."""
    count = 0
    done: list[Ticket] = []
    conversations: set[str] = set()
    for ticket in tickets:
        if is_anonymised(ticket):
            continue
        done.append(ticket)
        conversations.add(ticket.conversation_id)
        ticket.naam = ANONYMOUS_NAME
        ticket.telefoon = ""
        ticket.email = None
        ticket.beschrijving = ""
        ticket.huisnummer = 0
        ticket.huisnummer_toevoeging = None
        ticket.postcode = ticket.postcode[:4]
        ticket.conversation_id = anonymous_conversation(ticket)
        edits = session.execute(
            select(TicketEdit).where(
                TicketEdit.ticket_id == ticket.id,
                TicketEdit.__table__.c.field.in_(PERSONAL_TICKET_FIELDS),
            )
        ).scalars()
        for edit in edits:
            edit.old = edit.new = None
        count += 1
    # The contact log, work-order notes and transfers of these tickets quote the tenant too.
    scrub_follow_up(session, ticket_ids=[t.id for t in done], conversations=conversations)
    session.flush()
    return count


def delete_photos(session: Session, photos: Iterable[Attachment], root: Path) -> list[Path]:
    """Delete photo rows; returns their files, to unlink once the transaction is committed.

    :func:`unlink_files` does that after the commit (a rollback then leaves no row without its file;
    a crash in between leaves a file without a row, which :func:`orphan_photos` finds).
    """
    files: list[Path] = []
    for photo in photos:
        files.append(root / photo.path)
        session.delete(photo)
    session.flush()
    return files


def orphan_photos(session: Session, root: Path, older_than: float) -> list[Path]:
    """Photo files without a row, last changed before ``older_than`` (a POSIX time)."""
    if not root.is_dir():
        return []
    known = set(session.execute(select(Attachment.path)).scalars())
    found = []
    for path in root.rglob("*"):
        if path.is_file() and path.relative_to(root).as_posix() not in known:
            if path.stat().st_mtime < older_than:
                found.append(path)
    return found


def unlink_files(paths: Iterable[Path]) -> int:
    """Delete files; one already gone counts as deleted. Returns how many are gone now."""
    count = 0
    for path in paths:
        try:
            path.unlink(missing_ok=True)
            count += 1
        except OSError as error:
            # The name is a random hex id: logging it gives away nothing about anyone.
            logger.error("kan %s niet verwijderen: %s", path.name, error.strerror)
    return count


def scrub_notes(session: Session, notes: Iterable[Note], action: RetentionAction) -> int:
    """Delete notes, or empty their text (the note that there was a note stays)."""
    return _scrub(session, notes, action, _empty_note)


def scrub_messages(
    session: Session, messages: Iterable[OutboxMessage], action: RetentionAction
) -> int:
    """Delete outbox messages, or remove their recipient, subject and text.

    Either way their attachments go: a file is the message's content (a monthly report's
    PDF). They are deleted here rather than left to the foreign key's ON DELETE CASCADE,
    since an anonymised message keeps its row.
    """
    rows = list(messages)
    ids = [message.id for message in rows]
    if ids:
        attachments = OutboxAttachment.__table__.c
        session.execute(
            delete(OutboxAttachment)
            .where(attachments.message_id.in_(ids))
            .execution_options(synchronize_session=False)
        )
    return _scrub(session, rows, action, _empty_message)


def scrub_handovers(
    session: Session, handovers: Iterable[Handover], action: RetentionAction
) -> int:
    """Delete handovers, or keep only the melding part of their summary."""
    return _scrub(session, handovers, action, _empty_handover)


def scrub_drafts(session: Session, drafts: Iterable[Draft], action: RetentionAction) -> int:
    """Delete drafts of meldingen, or keep only the melding part of what they collected."""
    return _scrub(session, drafts, action, _empty_draft)


def _scrub(
    session: Session, rows: Iterable[Any], action: RetentionAction, empty: Callable[[Any], bool]
) -> int:
    count = 0
    for row in rows:
        if action is RetentionAction.VERWIJDEREN:
            session.delete(row)
            count += 1
        elif empty(row):
            count += 1
    session.flush()
    return count


def _empty_note(note: Note) -> bool:
    if note.text == "":
        return False
    note.text = ""
    return True


def _empty_message(message: OutboxMessage) -> bool:
    if message.recipient == REMOVED:
        return False
    message.recipient = REMOVED
    message.subject = None
    message.body = ""
    return True


def _empty_handover(handover: Handover) -> bool:
    kept = {key: value for key, value in handover.summary.items() if key in SUMMARY_KEEPS}
    if handover.reason == REMOVED and kept == handover.summary:
        return False
    handover.summary = kept
    handover.reason = REMOVED
    if not handover.conversation_id.startswith(ANONYMOUS_PREFIX):
        handover.conversation_id = f"{ANONYMOUS_PREFIX}overname-{handover.id}"
    return True


def _empty_draft(draft: Draft) -> bool:
    if draft.conversation_id.startswith(ANONYMOUS_PREFIX):
        return False
    draft.summary = {key: value for key, value in draft.summary.items() if key in SUMMARY_KEEPS}
    draft.conversation_id = f"{ANONYMOUS_PREFIX}concept-{draft.id}"
    return True


def conversation_ids(tickets: Sequence[Ticket]) -> set[str]:
    """The conversations these tickets came from (before anonymising them)."""
    return {ticket.conversation_id for ticket in tickets}
