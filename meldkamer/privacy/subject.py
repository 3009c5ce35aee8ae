"""A data subject's rights: find, export and erase what is held about one person.

A person is picked out by phone number, e-mail address or ticket number. By phone or
e-mail every ticket with that number or address is theirs, with the conversations those
tickets came from, the WhatsApp conversation of that number, and the messages sent to
it; by ticket number just that ticket and its conversation.

Erasure anonymises the tickets (the report keeps counting them, see
:mod:`meldkamer.privacy.scrub`), deletes the conversations' text from the tracker store,
the photos and notes, anonymises the handovers and messages, and deletes spool files set
aside. It waits while a ticket is still being handled or a melding still waits in the
spool: the tenant's emergency comes first. Every erasure is recorded (who, when, how
much), never whose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from meldkamer.clients.retention import RetentionAction
from meldkamer.intake.validation import Invalid, normalise_email, normalise_phone
from meldkamer.privacy import events, scrub
from meldkamer.privacy.followup import scrub_follow_up
from meldkamer.privacy.holdings import Holdings, gather, is_waiting, spool_files
from meldkamer.privacy.models import PrivacyAction, PrivacyActionKind
from meldkamer.rows import added, one_row, rows_of
from meldkamer.tickets.models import Ticket
from meldkamer.tickets.numbering import parse_ticket_number

#: WhatsApp conversations are named after the tenant's number (channels/whatsapp).
WHATSAPP_PREFIX = "wa-"


class PrivacyError(ValueError):
    """A request that cannot be carried out; the message says why, in Dutch."""


@dataclass(frozen=True)
class Selector:
    """Who: exactly one of phone (E.164), e-mail (lower case) or ticket number."""

    phone: str | None = None
    email: str | None = None
    ticket: str | None = None

    @classmethod
    def parse(
        cls, phone: str | None = None, email: str | None = None, ticket: str | None = None
    ) -> Selector:
        """Check and normalise what was typed.

        Raises:
            PrivacyError: none or more than one given, or one that is malformed.
        """
        if sum(value is not None for value in (phone, email, ticket)) != 1:
            raise PrivacyError("geef precies een van --phone, --email of --ticket")
        if phone is not None:
            number = normalise_phone(phone)
            if isinstance(number, Invalid):
                raise PrivacyError(f"{phone!r} is geen geldig telefoonnummer: {number.message}")
            return cls(phone=number)
        if email is not None:
            address = normalise_email(email)
            if not isinstance(address, str):
                raise PrivacyError(f"{email!r} is geen geldig e-mailadres")
            return cls(email=address)
        assert ticket is not None
        try:
            parse_ticket_number(ticket.strip().upper())
        except ValueError as error:
            raise PrivacyError(f"{ticket!r} is geen ticketnummer (MK-2026-000123)") from error
        return cls(ticket=ticket.strip().upper())


def find(session: Session, selector: Selector, spool: Path) -> Holdings:
    """Everything held about the person; anonymised tickets hold nothing of theirs.

    Raises:
        PrivacyError: the ticket number is unknown.
    """
    columns = Ticket.__table__.c
    conversations: set[str] = set()
    recipients: list[str] = []
    if selector.ticket is not None:
        ticket = one_row(session, Ticket, columns.number == selector.ticket)
        if ticket is None:
            raise PrivacyError(f"ticket {selector.ticket} bestaat niet")
        tickets = [] if scrub.is_anonymised(ticket) else [ticket]
    else:
        column, value = (
            (columns.telefoon, selector.phone)
            if selector.phone is not None
            else (columns.email, selector.email)
        )
        tickets = rows_of(session, Ticket, column == value)
        recipients = [str(value)]
        if selector.phone is not None:
            conversations.add(WHATSAPP_PREFIX + selector.phone.removeprefix("+"))
    holdings = gather(session, tickets, conversations, recipients)
    holdings.spool_files = spool_files(spool, _matcher(selector, holdings.conversations))
    return holdings


def _matcher(selector: Selector, conversations: set[str]) -> Any:
    def wanted(melding: dict[str, Any]) -> bool:
        if selector.phone is not None and melding.get("telefoon") == selector.phone:
            return True
        if selector.email is not None and melding.get("email") == selector.email:
            return True
        return melding.get("conversation_id") in conversations

    return wanted


@dataclass(frozen=True)
class Erased:
    """What an erasure did, by data class, and the files to unlink after the commit."""

    counts: dict[str, int]
    files: list[Path]


def erase(
    session: Session,
    holdings: Holdings,
    *,
    by: str,
    now: datetime,
    photo_root: Path,
    kind: PrivacyActionKind = PrivacyActionKind.WISSEN,
    client_id: str | None = None,
) -> Erased:
    """Remove the person's data as found (the caller commits, then unlinks ``files``).

    Raises:
        PrivacyError: a ticket is still open or a melding still waits in the spool.
    """
    counts, photo_files = begin_erasure(session, holdings, photo_root)
    anonymise = RetentionAction.ANONIMISEREN
    counts |= {
        "overdrachten": scrub.scrub_handovers(session, holdings.handovers, anonymise),
        "concepten": scrub.scrub_drafts(session, holdings.drafts, anonymise),
        "berichten": scrub.scrub_messages(session, holdings.messages, anonymise),
        "contactgegevens": scrub.anonymise_tickets(session, holdings.tickets),
        # What a conversation left without a ticket (a status question, a handover).
        "contacten": scrub_follow_up(
            session,
            ticket_ids=[t.id for t in holdings.tickets],
            conversations=holdings.conversations,
        ),
        "spool": len(holdings.spool_files),
    }
    record(session, kind, by, now, counts, client_id)
    return Erased(counts, photo_files + holdings.spool_files)


def begin_erasure(
    session: Session, holdings: Holdings, photo_root: Path
) -> tuple[dict[str, int], list[Path]]:
    """What every erasure does first: refuse while in hand, then delete events, photos, notes.

    Returns the counts so far and the photo files to unlink after the commit.

    Raises:
        PrivacyError: a ticket is still open or a melding still waits in the spool.
    """
    refuse_open(holdings)
    photo_files = scrub.delete_photos(session, holdings.photos, photo_root)
    counts = {
        "gesprekken": events.delete_events(session, holdings.conversations),
        "fotos": len(photo_files),
        "notities": scrub.scrub_notes(session, holdings.notes, RetentionAction.VERWIJDEREN),
    }
    return counts, photo_files


def refuse_open(holdings: Holdings) -> None:
    """Raise :class:`PrivacyError` while a ticket or spooled melding is still in hand."""
    still_open = [ticket.number for ticket in holdings.open_tickets()]
    if still_open:
        raise PrivacyError(
            f"nog open: {', '.join(still_open)}; sluit eerst af (afgerond of geannuleerd)"
        )
    if any(is_waiting(path) for path in holdings.spool_files):
        raise PrivacyError(
            "er wacht nog een melding in de spool; start de worker zodat die eerst wordt vastgelegd"
        )


def record(
    session: Session,
    kind: PrivacyActionKind,
    by: str,
    now: datetime,
    counts: dict[str, int],
    client_id: str | None = None,
) -> PrivacyAction:
    """Write the record of an erasure: who, when, how much; never whose."""
    if not by.strip():
        raise PrivacyError("zeg met --by wie dit doet")
    entry = PrivacyAction(
        kind=kind.value, by=by.strip()[:100], at=now, client_id=client_id, counts=counts
    )
    return added(session, entry)
