"""An agent's changes to a ticket, each registered with the old and new value, who and why.

An urgency change needs a reason; contact fields get the same checks as when the bot
asked the tenant (:data:`meldkamer.intake.fields.CHECKS`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from meldkamer.intake.fields import CHECKS
from meldkamer.intake.validation import Invalid
from meldkamer.rows import added, rows_of
from meldkamer.tickets.models import Ticket, TicketEdit
from meldkamer.tickets.store import change_status
from meldkamer.triage import Urgency

#: Ticket fields an agent may change.
EDITABLE = ("urgency", "status", "naam", "telefoon", "email", "beschrijving")


def edit_ticket(
    session: Session,
    ticket: Ticket,
    field: str,
    value: str,
    *,
    by: str,
    reason: str | None,
    now: datetime,
) -> TicketEdit | None:
    """Change one field, registering old and new value, who, when and why.

    Returns ``None`` when the value does not change.

    Raises:
        ValueError: unknown field, invalid value, or an urgency change without a reason.
    """
    if field not in EDITABLE:
        raise ValueError(f"veld {field!r} kan niet worden gewijzigd; wel: {', '.join(EDITABLE)}")
    reason = (reason or "").strip() or None
    new: str | None = value.strip()
    if field == "urgency":
        if new not in {u.value for u in Urgency}:
            raise ValueError(f"urgentie {new!r} bestaat niet; kies acuut, urgent of niet_urgent")
        if not reason:
            raise ValueError("een andere urgentie vraagt om een reden")
    elif field in CHECKS:
        # The same checks as when the bot asked the tenant.
        checked = CHECKS[field](new or "")
        if isinstance(checked, Invalid):
            raise ValueError(checked.message)
        new = checked
    old = getattr(ticket, field)
    if old == new:
        return None
    if field == "status":
        change_status(session, ticket, new or "", by=by, reason=reason, now=now)
    else:
        setattr(ticket, field, new)
        ticket.updated_at = now
    return added(
        session,
        TicketEdit(
            ticket_id=ticket.id,
            field=field,
            old=None if old is None else str(old),
            new=new,
            reason=reason,
            by=by,
            at=now,
        ),
    )


def edits(session: Session, ticket_id: int) -> list[TicketEdit]:
    """A ticket's edits, oldest first."""
    return rows_of(
        session,
        TicketEdit,
        TicketEdit.ticket_id == ticket_id,
        order_by=[TicketEdit.at, TicketEdit.id],
    )
