"""What the tracker store counts for /metrics once a message's events are stored."""

from __future__ import annotations

from rasa.shared.core.events import Event, UserUttered

from meldkamer.metrics.conversation import process_metrics


def count_messages(events: list[Event], first_new: int) -> None:
    """Count the committed ``events[first_new:]`` once: messages per channel, reply latency.

    Counted here, after the commit, rather than in each channel: every message of every
    channel is stored exactly once, and a batch kept during an outage counts when it
    is finally stored (the Rasa server's /metrics, rasa_addons/metrics.py).
    """
    channel = next(
        (e.input_channel for e in reversed(events[:first_new]) if isinstance(e, UserUttered)),
        None,
    )
    process_metrics().observe([e.as_dict() for e in events[first_new:]], channel)
