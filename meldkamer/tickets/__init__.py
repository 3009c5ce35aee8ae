"""The ticket store: every melding the assistant takes in becomes a numbered ticket."""

from __future__ import annotations

from meldkamer.tickets.models import (
    ALLOWED_TRANSITIONS,
    Base,
    Ticket,
    TicketCounter,
    TicketStatus,
    TicketStatusChange,
    can_transition,
    check_transition,
)
from meldkamer.tickets.numbering import (
    format_ticket_number,
    next_ticket_number,
    parse_ticket_number,
)
from meldkamer.tickets.store import (
    NewTicket,
    StatusConflictError,
    bounded,
    change_status,
    create_ticket,
    find_by_melding_id,
    flag_attention,
    get_ticket,
    list_tickets,
    open_ticket,
    ticket_to_dict,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "Base",
    "NewTicket",
    "StatusConflictError",
    "Ticket",
    "TicketCounter",
    "TicketStatus",
    "TicketStatusChange",
    "bounded",
    "can_transition",
    "change_status",
    "check_transition",
    "create_ticket",
    "find_by_melding_id",
    "flag_attention",
    "format_ticket_number",
    "get_ticket",
    "list_tickets",
    "open_ticket",
    "next_ticket_number",
    "parse_ticket_number",
    "ticket_to_dict",
]
