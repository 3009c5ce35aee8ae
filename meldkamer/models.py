"""Every table of Meldkamer on one metadata: import this to see the whole schema.

Alembic's environment and the schema tests import it, so a new model module only
needs one line here.
"""

from __future__ import annotations

from meldkamer.agents.models import Agent, AgentClient, ConsoleSession
from meldkamer.attachments.models import Attachment
from meldkamer.clients.models import ClientVersion
from meldkamer.contacts.models import Contact
from meldkamer.db import Base
from meldkamer.dispatch.models import WorkOrder, WorkOrderEvent
from meldkamer.handover.drafts import Draft
from meldkamer.handover.models import Handover, Note
from meldkamer.metrics.heartbeat import WorkerHeartbeat
from meldkamer.notify.attachments import OutboxAttachment
from meldkamer.notify.models import OutboxMessage
from meldkamer.portal.models import ChangeRequest, PortalSession, PortalUser
from meldkamer.privacy.models import PrivacyAction
from meldkamer.sla.models import SlaClock, Transfer
from meldkamer.tickets.models import Ticket, TicketCounter, TicketEdit, TicketStatusChange

__all__ = [
    "Agent",
    "AgentClient",
    "Attachment",
    "Base",
    "ChangeRequest",
    "ClientVersion",
    "ConsoleSession",
    "Contact",
    "Draft",
    "Handover",
    "Note",
    "OutboxAttachment",
    "OutboxMessage",
    "PortalSession",
    "PortalUser",
    "PrivacyAction",
    "SlaClock",
    "Ticket",
    "TicketCounter",
    "TicketEdit",
    "TicketStatusChange",
    "Transfer",
    "WorkOrder",
    "WorkOrderEvent",
    "WorkerHeartbeat",
]
