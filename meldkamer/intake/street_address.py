"""Reading an address as tenants give it without a postcode: "Lindelaan 12", "lindelaan 12a utrecht".

Many tenants do not know their postcode. This reads street, house number (with addition)
and an optional town from one answer; which postcode it is, is looked up in the clients'
address lists (:mod:`meldkamer.clients.streets`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from meldkamer.triage.answers import normalise

_LEAD_IN = re.compile(
    r"^(?:(?:mijn |het |ons )?adres(?: is)?:?|ik woon (?:op|aan|in)(?: de| het)?|"
    r"wij wonen (?:op|aan|in)(?: de| het)?|we wonen (?:op|aan|in)(?: de| het)?|het is|dat is)\s+"
)
_STREET_NUMBER = re.compile(
    r"^(?P<street>[^\W\d_][\w .'/-]*?[^\W\d_.]\.?)\s*,?\s+(?:nr\.?\s*|nummer\s+)?"
    r"(?P<number>[1-9][0-9]{0,4})"
    r"(?:\s*[-/]?\s*(?P<addition>[a-z](?![a-z])|[0-9]{1,4}(?![0-9])))?"
    r"(?:\s*,?\s*(?:te\s+|in\s+)?(?P<town>[^\W\d_][\w .'-]*[^\W\d_]))?\W*$"
)
_STREET_ONLY = re.compile(r"^(?P<street>[^\W\d_][\w .'-]*[^\W\d_])\W*$")
#: Words that end most Dutch street names: a message ending in one is a street, not a town.
STREET_WORDS = (
    "straat",
    "laan",
    "weg",
    "plein",
    "hof",
    "kade",
    "gracht",
    "dijk",
    "singel",
    "pad",
    "steeg",
    "dreef",
    "park",
    "erf",
    "plantsoen",
)


@dataclass(frozen=True)
class StreetAddress:
    """Street and house number, and the town when the tenant named it (all as typed)."""

    street: str
    huisnummer: int
    toevoeging: str | None = None
    town: str | None = None

    def __str__(self) -> str:
        addition = self.toevoeging or ""
        number = f"{self.huisnummer}{'-' if addition[:1].isdigit() else ''}{addition}"
        return f"{self.street} {number}" + (f", {self.town}" if self.town else "")


@dataclass(frozen=True)
class Unlisted:
    """A street and number in no client's list, and the tenant does not know the postcode.

    The melding is still taken: the address is kept as the tenant typed it, and since a
    ticket needs a postcode, a person completes it (the bot hands the melding over at the
    end with everything else collected).
    """

    address: StreetAddress

    @property
    def label(self) -> str:
        """What the summary and the agent see: the address as typed, without postcode."""
        return str(self.address)


#: The handover's reason for the agent's queue: only the postcode is missing.
UNLISTED_REASON = "Adres niet in de lijst en huurder weet de postcode niet: vul de postcode aan"


def _title(text: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in text.split())


def parse_street_address(text: str) -> StreetAddress | None:
    """Street, number and town from ``text``; ``None`` when it is no street address."""
    plain = _LEAD_IN.sub("", normalise(text).strip(" .,;:!"))
    match = _STREET_NUMBER.match(plain)
    if not match or len(match.group("street")) < 3:
        return None
    addition = match.group("addition")
    town = match.group("town")
    return StreetAddress(
        street=_title(match.group("street").rstrip(" ,")),
        huisnummer=int(match.group("number")),
        toevoeging=addition.upper() if addition else None,
        town=_title(town) if town else None,
    )


def street_without_number(text: str) -> str | None:
    """A street name on its own ("Lindelaan"), so the bot asks only for the number."""
    plain = _LEAD_IN.sub("", normalise(text).strip(" .,;:!"))
    match = _STREET_ONLY.match(plain)
    if not match or len(plain.split()) > 4:
        return None
    street = match.group("street")
    return _title(street) if street.split()[-1].endswith(STREET_WORDS) else None
