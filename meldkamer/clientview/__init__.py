"""What of a melding a client may see: the one definition the portal, CSV and report share."""

from __future__ import annotations

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
    "URGENCY_LABELS",
    "URGENCY_ORDER",
    "ClientMelding",
    "channel_label",
    "client_melding",
    "client_meldingen",
    "status_label",
    "topic_label",
    "topic_labels",
    "urgency_label",
]
