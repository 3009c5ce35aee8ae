"""Doorverbinden: an agent puts a tenant through to the client's own employee, registered.

The console's panel shows who is on duty at the client now (:func:`transfer_panel`); the
agent calls them and registers how it went, or mails them the ticket summary in one click
(:func:`register_transfer`). The person is looked up again on the server from the client
file: a form can name someone on duty, never an address of its own choosing. The
transfer (``doorverbindingen``), its contact-log row and the summary's outbox message are
written in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import Session

from meldkamer.clients.schema import Client
from meldkamer.contacts import Channel, ContactKind, Direction, Party, record_contact
from meldkamer.notify.outbox import enqueue, find_by_key
from meldkamer.rows import rows_of
from meldkamer.service.context import Collaborators
from meldkamer.sla.models import Transfer
from meldkamer.sla.transfer import (
    CALL_OUTCOMES,
    OUTCOME_LABELS,
    OnDuty,
    Person,
    TransferOutcome,
    on_duty,
    summary_email,
)
from meldkamer.tickets import Ticket, get_ticket

_transfers: Any = Transfer.__table__.c

#: The longest note an agent adds to a transfer.
MAX_NOTE = 500
#: How many earlier transfers the panel lists.
HISTORY = 10


class TransferError(ValueError):
    """The transfer cannot be registered; the message says why, in Dutch."""


@dataclass(frozen=True)
class Where:
    """What the transfer is about: a ticket, a conversation (without ticket yet), or both."""

    ticket_number: str | None = None
    conversation_id: str | None = None
    client_id: str | None = None


@dataclass(frozen=True)
class TransferRequest:
    """What the agent asks: whom (a key from the panel), how it went, a note."""

    by: str
    to: str
    outcome: str
    note: str | None = None


@dataclass(frozen=True)
class Registered:
    """The registered transfer; ``already``: this summary was mailed before (a double click)."""

    transfer_id: int | None
    to_name: str
    outcome_label: str
    already: bool = False


@dataclass(frozen=True)
class Panel:
    """The console's panel "Doorverbinden met opdrachtgever"."""

    on_duty: OnDuty
    may_mail: bool
    history: list[Transfer]
    outcome_labels: dict[str, str]
    #: The choices of the call's outcome (value, label), and the value of the mail button.
    call_outcomes: tuple[tuple[str, str], ...] = tuple(
        (o.value, OUTCOME_LABELS[o.value]) for o in CALL_OUTCOMES
    )
    mail_outcome: str = TransferOutcome.SAMENVATTING_GEMAILD.value


def _client(ctx: Collaborators, ticket: Ticket | None, where: Where) -> Client | None:
    return ctx.client(ticket.client_id if ticket is not None else where.client_id)


def _history(
    session: Session, ticket: Ticket | None, conversation_id: str | None
) -> list[Transfer]:
    mine = []
    if ticket is not None:
        mine.append(Transfer.ticket_id == ticket.id)
    if conversation_id:
        mine.append(Transfer.conversation_id == conversation_id)
    if not mine:
        return []
    newest_first = (_transfers.at.desc(), _transfers.id.desc())
    return rows_of(session, Transfer, or_(*mine), order_by=newest_first, limit=HISTORY)


def transfer_panel(
    ctx: Collaborators,
    session: Session,
    *,
    ticket: Ticket | None = None,
    conversation_id: str | None = None,
    client_id: str | None = None,
) -> Panel:
    """Who is on duty at the ticket's (else the conversation's) client now, and earlier transfers."""
    client = _client(ctx, ticket, Where(client_id=client_id))
    return Panel(
        on_duty=on_duty(client, ctx.clock()),
        may_mail=ticket is not None,
        history=_history(
            session, ticket, conversation_id or (ticket.conversation_id if ticket else None)
        ),
        outcome_labels=OUTCOME_LABELS,
    )


def _outcome(text: str) -> TransferOutcome:
    try:
        return TransferOutcome(text)
    except ValueError:
        raise TransferError("Kies hoe de doorverbinding is afgelopen") from None


def _person(duty: OnDuty, key: str) -> Person:
    found = next((p for p in duty.people if p.key == key), None)
    if found is None:
        raise TransferError(
            "Deze persoon heeft nu geen dienst bij de opdrachtgever; kies iemand uit de lijst"
        )
    return found


def register_transfer(ctx: Collaborators, where: Where, req: TransferRequest) -> Registered:
    """Register a transfer (and mail the summary when that is the outcome), in one transaction.

    Raises:
        TransferError: an unknown outcome, someone not on duty, a note too long, a summary
            without ticket or without e-mail address.
    """
    outcome = _outcome(req.outcome)
    note = (req.note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise TransferError(f"De notitie is te lang (ten hoogste {MAX_NOTE} tekens)")
    now = ctx.clock()
    with ctx.sessions.begin() as session:
        ticket = get_ticket(session, where.ticket_number) if where.ticket_number else None
        if where.ticket_number and ticket is None:
            raise TransferError("Deze melding bestaat niet")
        client = _client(ctx, ticket, where)
        person = _person(on_duty(client, now), req.to)
        key: str | None = None
        if outcome is TransferOutcome.SAMENVATTING_GEMAILD:
            key = _mail_summary(session, ticket, client, person, req.by, now)
            if key is None:
                return Registered(None, person.name, OUTCOME_LABELS[outcome.value], already=True)
        row = Transfer(
            ticket_id=ticket.id if ticket else None,
            conversation_id=(ticket.conversation_id if ticket else None) or where.conversation_id,
            by=req.by,
            to_name=person.name,
            to_phone=person.phone,
            to_email=person.email,
            at=now,
            outcome=outcome.value,
            note=note,
        )
        session.add(row)
        session.flush()
        _log(session, row, ticket, client, person, key)
        return Registered(row.id, person.name, OUTCOME_LABELS[outcome.value])


def _mail_summary(
    session: Session,
    ticket: Ticket | None,
    client: Client | None,
    person: Person,
    agent: str,
    now: datetime,
) -> str | None:
    """Queue the summary; ``None`` when this very mail was queued before (same minute)."""
    if ticket is None or client is None:
        raise TransferError("Een samenvatting kan alleen van een geregistreerde melding")
    if not person.email:
        raise TransferError(f"Van {person.name} is geen e-mailadres bekend")
    # A double click sends one mail; the same mail a minute later is a new, deliberate one.
    key = f"doorverbinding:{ticket.id}:{person.key}:{now.strftime('%Y%m%d%H%M')}"
    if find_by_key(session, key) is not None:
        return None
    subject, body = summary_email(ticket, client, person, agent)
    enqueue(
        session,
        key=key,
        kind="email",
        recipient=person.email,
        subject=subject,
        body=body,
        ticket_id=ticket.id,
        purpose="opdrachtgever",
        now=now,
    )
    return key


def _log(
    session: Session,
    row: Transfer,
    ticket: Ticket | None,
    client: Client | None,
    person: Person,
    key: str | None,
) -> None:
    mailed = key is not None
    summary = f"Doorverbinding met {person.name} ({person.role}): {OUTCOME_LABELS[row.outcome]}"
    record_contact(
        session,
        at=row.at,
        direction=Direction.UIT,
        channel=Channel.EMAIL if mailed else Channel.TELEFOON,
        party=Party.OPDRACHTGEVER,
        kind=ContactKind.DOORVERBINDING,
        summary=summary + (f" - {row.note}" if row.note else ""),
        ticket_id=row.ticket_id,
        conversation_id=row.conversation_id,
        client_id=ticket.client_id if ticket else (client.id if client else None),
        by=row.by,
        ref=key or f"doorverbinding:{row.id}",
    )
