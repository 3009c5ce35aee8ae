"""The Dutch labels a client reads for the coded values of a melding.

Channel, status and urgency labels come from the label tables next to their enums
(:class:`meldkamer.labels.LabelTable`, which makes an unknown value readable rather than
showing it raw); the topic's label is its name in the urgency matrix.
"""

from __future__ import annotations

from functools import lru_cache

from meldkamer.contacts import CHANNEL_LABELS
from meldkamer.labels import readable
from meldkamer.tickets.models import STATUS_LABELS
from meldkamer.triage import load_table
from meldkamer.triage.table import URGENCY_LABELS, Urgency

__all__ = [
    "URGENCY_LABELS",
    "URGENCY_ORDER",
    "channel_label",
    "status_label",
    "topic_label",
    "topic_labels",
    "urgency_label",
]

#: The order in which a client reads the urgencies: the most pressing first.
URGENCY_ORDER: tuple[str, ...] = tuple(u.value for u in sorted(Urgency, key=lambda u: -u.rank))


@lru_cache(maxsize=1)
def topic_labels() -> dict[str, str]:
    """Topic code -> its Dutch name in the packaged urgency matrix (read once, on first use)."""
    return {code: topic.name for code, topic in load_table().topics.items()}


def topic_label(code: str) -> str:
    """The topic's Dutch name; an unknown code (a topic since removed) made readable."""
    return topic_labels().get(code) or readable(code)


def channel_label(code: str) -> str:
    """The channel's Dutch label."""
    return CHANNEL_LABELS.label(code)


def status_label(code: str) -> str:
    """The ticket status's Dutch label."""
    return STATUS_LABELS.label(code)


def urgency_label(code: str) -> str:
    """The urgency's Dutch label."""
    return URGENCY_LABELS.label(code)
