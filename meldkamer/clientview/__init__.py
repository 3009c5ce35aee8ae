"""What of a melding a client may see: the one definition the portal, CSV and report share."""

from __future__ import annotations

from meldkamer.clientview.followup import (
    OUTCOME_LABELS,
    ClientClock,
    ClientContact,
    ClientWorkOrder,
    client_clocks,
    client_contacts,
    client_work_orders,
    ticket_contacts,
)
from meldkamer.clientview.labels import (
    URGENCY_LABELS,
    URGENCY_ORDER,
    channel_label,
    status_label,
    topic_label,
    topic_labels,
    urgency_label,
)
from meldkamer.clientview.meldingen import ClientMelding, client_melding, client_meldingen

__all__ = [
    "OUTCOME_LABELS",
    "URGENCY_LABELS",
    "URGENCY_ORDER",
    "ClientClock",
    "ClientContact",
    "ClientMelding",
    "ClientWorkOrder",
    "channel_label",
    "client_clocks",
    "client_contacts",
    "client_melding",
    "client_meldingen",
    "client_work_orders",
    "status_label",
    "ticket_contacts",
    "topic_label",
    "topic_labels",
    "urgency_label",
]
