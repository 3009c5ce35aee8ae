"""Everything registered on a ticket: messages, work orders with their history, SLA, contacts.

The seed promises that every contact is registered; this gathers it for the command
line and the agent console.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from meldkamer.attachments.store import for_ticket
from meldkamer.contacts import contact_dict, contacts_for_ticket
from meldkamer.dispatch.models import WorkOrder, WorkOrderEvent
from meldkamer.notify.outbox import messages_for_ticket
from meldkamer.sla.service import sla_for_ticket
from meldkamer.tickets import Ticket, ticket_to_dict


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _history(events: list[WorkOrderEvent]) -> list[dict[str, object]]:
    return [
        {
            "at": e.at.isoformat(),
            "status_from": e.status_from,
            "status_to": e.status_to,
            "eta_at": _iso(e.eta_at),
            "note": e.note,
            "by": e.by,
            "via": e.via,
        }
        for e in events
    ]


def dossier(session: Session, ticket: Ticket) -> dict[str, object]:
    """The ticket as JSON-friendly data, with its messages, work orders and photos."""
    orders = session.execute(
        select(WorkOrder).where(WorkOrder.ticket_id == ticket.id).order_by(WorkOrder.id)
    ).scalars()
    events: dict[int, list[WorkOrderEvent]] = {}
    for event in session.execute(
        select(WorkOrderEvent)
        .where(WorkOrderEvent.ticket_id == ticket.id)
        .order_by(WorkOrderEvent.at, WorkOrderEvent.id)
    ).scalars():
        events.setdefault(event.work_order_id, []).append(event)
    return {
        **ticket_to_dict(ticket),
        "messages": [
            {
                "kind": m.kind,
                "purpose": m.purpose,
                "recipient": m.recipient,
                "subject": m.subject,
                "status": m.status,
                "attempts": m.attempts,
                "created_at": m.created_at.isoformat(),
                "sent_at": m.sent_at.isoformat() if m.sent_at else None,
                "last_error": m.last_error,
            }
            for m in messages_for_ticket(session, ticket.id)
        ],
        "workorders": [
            {
                "id": o.id,
                "contractor": o.contractor_name,
                "trade": o.trade,
                "urgency": o.urgency,
                "step": o.step,
                "status": o.status,
                "deadline": o.deadline.isoformat(),
                "created_at": o.created_at.isoformat(),
                "acknowledged_at": _iso(o.acknowledged_at),
                "eta_at": _iso(o.eta_at),
                "on_site_at": _iso(o.on_site_at),
                "done_at": _iso(o.done_at),
                "closed_at": _iso(o.closed_at),
                "report": o.report,
                "photo": o.photo,
                "history": _history(events.get(o.id, [])),
            }
            for o in orders
        ],
        "sla": sla_for_ticket(session, ticket.id),
        "contacts": [contact_dict(c) for c in contacts_for_ticket(session, ticket.id)],
        "photos": [
            {"path": a.path, "content_type": a.content_type, "size": a.size}
            for a in for_ticket(session, ticket.id)
        ],
    }
