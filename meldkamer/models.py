"""Every table of Meldkamer on one metadata: import this to see the whole schema.

Alembic's environment and the schema tests import it, so a new model module only
needs one line here.
"""

from __future__ import annotations

from meldkamer.agents.models import Agent, ConsoleSession
from meldkamer.attachments.models import Attachment
from meldkamer.clients.models import ClientVersion
from meldkamer.dispatch.models import WorkOrder
from meldkamer.handover.models import Handover, Note, TicketEdit
from meldkamer.notify.models import OutboxMessage
from meldkamer.tickets.models import Base, Ticket, TicketCounter, TicketStatusChange

__all__ = [
    "Agent",
    "Attachment",
    "Base",
    "ClientVersion",
    "ConsoleSession",
    "Handover",
    "Note",
    "OutboxMessage",
    "Ticket",
    "TicketCounter",
    "TicketEdit",
    "TicketStatusChange",
    "WorkOrder",
]
