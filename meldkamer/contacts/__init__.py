"""The contact log: one writer (:func:`record_contact`), one reader (:func:`contacts_for_ticket`).

Every inbound and outbound message, call, mail, SMS and status change of a ticket is one
row in ``contacten``, written in the same transaction as what caused it.
"""

from __future__ import annotations

from meldkamer.contacts.log import (
    CHANNEL_LABELS,
    DIRECTION_LABELS,
    KIND_LABELS,
    LABELS,
    PARTY_LABELS,
    Channel,
    ContactKind,
    Direction,
    Party,
    channel_of,
    contact_dict,
    contacts_for_ticket,
    record_contact,
)
from meldkamer.contacts.models import Contact
from meldkamer.contacts.sent import enqueue_logged

__all__ = [
    "CHANNEL_LABELS",
    "DIRECTION_LABELS",
    "KIND_LABELS",
    "LABELS",
    "PARTY_LABELS",
    "Channel",
    "Contact",
    "ContactKind",
    "Direction",
    "Party",
    "channel_of",
    "contact_dict",
    "enqueue_logged",
    "contacts_for_ticket",
    "record_contact",
]
