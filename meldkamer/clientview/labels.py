"""The Dutch labels a client reads for the coded values of a melding.

Channel and status labels come from their own modules' tables; the topic's label is its
name in the urgency matrix. The urgency had no label table outside the console (which
``meldkamer`` may not import), so it is kept here, beside the others a client sees.
"""

from __future__ import annotations

from functools import lru_cache

from meldkamer.contacts import CHANNEL_LABELS
from meldkamer.tickets.models import STATUS_LABELS
from meldkamer.triage import load_table

URGENCY_LABELS: dict[str, str] = {
    "acuut": "Acuut",
    "urgent": "Urgent",
    "niet_urgent": "Niet urgent",
}

#: The order in which a client reads the urgencies: the most pressing first.
URGENCY_ORDER: tuple[str, ...] = ("acuut", "urgent", "niet_urgent")


@lru_cache(maxsize=1)
def topic_labels() -> dict[str, str]:
    """Topic code -> its Dutch name in the packaged urgency matrix (read once, on first use)."""
    return {code: topic.name for code, topic in load_table().topics.items()}


def topic_label(code: str) -> str:
    """The topic's Dutch name; an unknown code (a topic since removed) reads as itself."""
    return topic_labels().get(code, code.replace("_", " "))


def channel_label(code: str) -> str:
    """The channel's Dutch label."""
    return CHANNEL_LABELS.get(code, code)


def status_label(code: str) -> str:
    """The ticket status's Dutch label."""
    return STATUS_LABELS.get(code, code)


def urgency_label(code: str) -> str:
    """The urgency's Dutch label."""
    return URGENCY_LABELS.get(code, code.replace("_", " "))
