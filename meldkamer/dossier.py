"""Everything registered on a ticket: messages sent or failed, work orders, photos.

The seed promises that every contact is registered; this gathers it for the command
line and the agent console.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from meldkamer.attachments.store import for_ticket
from meldkamer.dispatch.models import WorkOrder
from meldkamer.notify.outbox import messages_for_ticket
from meldkamer.tickets import Ticket, ticket_to_dict


def dossier(session: Session, ticket: Ticket) -> dict[str, object]:
    """The ticket as JSON-friendly data, with its messages, work orders and photos."""
    orders = session.execute(
        select(WorkOrder).where(WorkOrder.ticket_id == ticket.id).order_by(WorkOrder.id)
    ).scalars()
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
        "work_orders": [
            {
                "contractor": o.contractor_name,
                "trade": o.trade,
                "urgency": o.urgency,
                "step": o.step,
                "status": o.status,
                "deadline": o.deadline.isoformat(),
                "created_at": o.created_at.isoformat(),
                "acknowledged_at": o.acknowledged_at.isoformat() if o.acknowledged_at else None,
            }
            for o in orders
        ],
        "photos": [
            {"path": a.path, "content_type": a.content_type, "size": a.size}
            for a in for_ticket(session, ticket.id)
        ],
    }
