"""The notification outbox: e-mails and SMS messages queued with the ticket change.

Only the models and the queue functions are imported here; the senders and the
worker (which need aiohttp and the network) are imported from their own modules.
"""

from __future__ import annotations

from meldkamer.notify.models import MessageKind, OutboxMessage, OutboxStatus
from meldkamer.notify.outbox import (
    MAX_ATTEMPTS,
    claim_due,
    enqueue,
    find_by_key,
    mark_failed,
    mark_sent,
    messages_for_ticket,
    outbox_to_dict,
    release,
    retry_delay,
)

__all__ = [
    "MAX_ATTEMPTS",
    "MessageKind",
    "OutboxMessage",
    "OutboxStatus",
    "claim_due",
    "enqueue",
    "find_by_key",
    "mark_failed",
    "mark_sent",
    "messages_for_ticket",
    "outbox_to_dict",
    "release",
    "retry_delay",
]
