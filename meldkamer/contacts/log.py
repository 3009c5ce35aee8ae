"""Writing and reading the contact log; the values of its columns with their Dutch labels."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from meldkamer.contacts.models import Contact
from meldkamer.labels import LabelTable


class Direction(str, enum.Enum):
    """Which way the contact went."""

    IN = "in"
    UIT = "uit"
    INTERN = "intern"


class Channel(str, enum.Enum):
    """Where the contact took place."""

    WEBCHAT = "webchat"
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    REST = "rest"
    SMS = "sms"
    EMAIL = "email"
    TELEFOON = "telefoon"
    PAGINA = "pagina"
    CONSOLE = "console"
    SYSTEEM = "systeem"


class Party(str, enum.Enum):
    """The other side of the contact."""

    HUURDER = "huurder"
    AANNEMER = "aannemer"
    OPDRACHTGEVER = "opdrachtgever"
    MEDEWERKER = "medewerker"
    ASSISTENT = "assistent"
    MELDKAMER = "meldkamer"


class ContactKind(str, enum.Enum):
    """What sort of contact it was."""

    BERICHT = "bericht"
    SMS = "sms"
    EMAIL = "email"
    GESPREK = "gesprek"
    STATUS = "status"
    OVERDRACHT = "overdracht"
    DOORVERBINDING = "doorverbinding"
    ESCALATIE = "escalatie"
    STATUSVRAAG = "statusvraag"


# What agents read on the ticket page: one label per value, never the raw value.
DIRECTION_LABELS: LabelTable[Direction] = LabelTable(
    Direction,
    {
        Direction.IN: "binnengekomen",
        Direction.UIT: "verstuurd",
        Direction.INTERN: "intern",
    },
)
CHANNEL_LABELS: LabelTable[Channel] = LabelTable(
    Channel,
    {
        Channel.WEBCHAT: "webchat",
        Channel.WHATSAPP: "WhatsApp",
        Channel.TELEGRAM: "Telegram",
        Channel.REST: "app (REST)",
        Channel.SMS: "sms",
        Channel.EMAIL: "e-mail",
        Channel.TELEFOON: "telefoon",
        Channel.PAGINA: "werkbonpagina",
        Channel.CONSOLE: "console",
        Channel.SYSTEEM: "systeem",
    },
)
PARTY_LABELS: LabelTable[Party] = LabelTable(
    Party,
    {
        Party.HUURDER: "huurder",
        Party.AANNEMER: "aannemer",
        Party.OPDRACHTGEVER: "opdrachtgever",
        Party.MEDEWERKER: "medewerker",
        Party.ASSISTENT: "assistent",
        Party.MELDKAMER: "meldkamer",
    },
)
KIND_LABELS: LabelTable[ContactKind] = LabelTable(
    ContactKind,
    {
        ContactKind.BERICHT: "bericht",
        ContactKind.SMS: "sms",
        ContactKind.EMAIL: "e-mail",
        ContactKind.GESPREK: "gesprek",
        ContactKind.STATUS: "statuswijziging",
        ContactKind.OVERDRACHT: "overdracht aan medewerker",
        ContactKind.DOORVERBINDING: "doorverbinding",
        ContactKind.ESCALATIE: "escalatie",
        ContactKind.STATUSVRAAG: "vraag naar de status",
    },
)

#: The four label tables by column, for pages that show the whole log.
LABELS: dict[str, LabelTable[Any]] = {
    "direction": DIRECTION_LABELS,
    "channel": CHANNEL_LABELS,
    "party": PARTY_LABELS,
    "kind": KIND_LABELS,
}

_SUMMARY_MAX = 2000


def _value(kind: type[enum.Enum], value: enum.Enum | str, name: str) -> str:
    try:
        return str(kind(value).value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in kind)
        raise ValueError(f"{name} {value!r} onbekend; mogelijk: {allowed}") from None


def record_contact(
    session: Session,
    *,
    at: datetime,
    direction: Direction | str,
    channel: Channel | str,
    party: Party | str,
    kind: ContactKind | str,
    summary: str,
    ticket_id: int | None = None,
    conversation_id: str | None = None,
    client_id: str | None = None,
    by: str | None = None,
    ref: str | None = None,
) -> Contact:
    """Add one contact to the session (the caller commits, with what caused it).

    Raises:
        ValueError: an unknown direction/channel/party/kind, an empty summary, or a
            naive ``at``.
    """
    if at.tzinfo is None:
        raise ValueError("at heeft geen tijdzone")
    text = summary.strip()
    if not text:
        raise ValueError("summary is leeg")
    contact = Contact(
        ticket_id=ticket_id,
        conversation_id=conversation_id,
        client_id=client_id,
        at=at,
        direction=_value(Direction, direction, "direction"),
        channel=_value(Channel, channel, "channel"),
        party=_value(Party, party, "party"),
        kind=_value(ContactKind, kind, "kind"),
        summary=text[:_SUMMARY_MAX],
        by=by[:100] if by else None,
        ref=ref[:200] if ref else None,
    )
    session.add(contact)
    return contact


def channel_of(name: str | None) -> Channel:
    """The log's channel for an input channel's name (Rasa's bare API and unknown ones: REST)."""
    try:
        return Channel(name)
    except ValueError:
        return Channel.REST


def contacts_for_ticket(session: Session, ticket_id: int) -> list[Contact]:
    """The ticket's contacts, oldest first."""
    query = select(Contact).where(Contact.ticket_id == ticket_id).order_by(Contact.at, Contact.id)
    return list(session.execute(query).scalars())


def contact_dict(contact: Contact) -> dict[str, Any]:
    """A contact as plain data (for ``--json`` and the console)."""
    return {
        "at": contact.at.isoformat(),
        "direction": contact.direction,
        "channel": contact.channel,
        "party": contact.party,
        "kind": contact.kind,
        "summary": contact.summary,
        "by": contact.by,
        "ref": contact.ref,
    }
