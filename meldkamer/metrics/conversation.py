"""Conversation metrics of the Rasa server and the action server (one registry per process).

Messages in and out per channel and the reply latency are read from the events a
conversation stores (Rasa's ``user`` and ``bot`` events as dicts, so this module needs
no Rasa): rasa_addons/tracker_store.py passes each batch it committed, so every
message is counted once, whichever channel brought it. Action errors are counted by
the action server (rasa_addons/action_server.py). Both serve ``/metrics`` with the
console's access rule (:mod:`meldkamer.metrics.access`, rasa_addons/metrics.py).

Names are defined here once; the alert and dashboard tests check against
:func:`exposed_names`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram

#: The label of a message whose channel, or an error whose action, is not known.
UNKNOWN = "onbekend"
#: Seconds: a reply within 0.25 s is instant, one after 30 s a tenant has given up on.
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0)

Event = Mapping[str, Any]


class ConversationMetrics:
    """The counters and the histogram of one process, on a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.received = Counter(
            "meldkamer_messages_received",
            "Messages from tenants stored in a conversation, per channel.",
            ("channel",),
            registry=self.registry,
        )
        self.sent = Counter(
            "meldkamer_messages_sent",
            "Bot and agent messages stored in a conversation, per channel.",
            ("channel",),
            registry=self.registry,
        )
        self.latency = Histogram(
            "meldkamer_reply_latency_seconds",
            "From a tenant's message to the bot's first reply to it, per channel.",
            ("channel",),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.action_errors = Counter(
            "meldkamer_action_errors",
            "Custom action calls that ended in an error (HTTP 4xx/5xx), per action.",
            ("action",),
            registry=self.registry,
        )

    def observe(self, events: Iterable[Event], channel: str | None = None) -> None:
        """Count one committed batch of a conversation's new events, in order.

        ``channel`` is the conversation's channel before the batch (for a bot message
        with no tenant message before it in the batch, such as an agent's reply).
        """
        asked_at: float | None = None
        for event in events:
            kind = event.get("event")
            if kind == "user":
                channel = event.get("input_channel") or channel
                self.received.labels(channel or UNKNOWN).inc()
                asked_at = _timestamp(event)
            elif kind == "bot":
                label = channel or UNKNOWN
                self.sent.labels(label).inc()
                answered_at = _timestamp(event)
                if asked_at is not None and answered_at is not None:
                    self.latency.labels(label).observe(max(answered_at - asked_at, 0.0))
                asked_at = None

    def action_failed(self, action: str | None) -> None:
        """One action call that the action server answered with an error."""
        self.action_errors.labels(action or UNKNOWN).inc()


def _timestamp(event: Event) -> float | None:
    value = event.get("timestamp")
    return float(value) if isinstance(value, (int, float)) else None


@functools.cache
def process_metrics() -> ConversationMetrics:
    """The one set of conversation metrics of this process (made on first use)."""
    return ConversationMetrics()


def exposed_names() -> frozenset[str]:
    """Every series name the Rasa server and the action server can show."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}
    return frozenset(
        family.name + suffix
        for family in ConversationMetrics().registry.collect()
        for suffix in suffixes[family.type]
    )
