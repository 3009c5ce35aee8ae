"""Finding an address by street and house number in the clients' address lists.

A tenant who does not know the postcode types "Lindelaan 12"; the address ranges of the
client files name their street and town (``straat``, ``plaats``), so the postcode, client
and complex follow. Small typos are forgiven ("Lindenlaan"); a street that exists in two
towns gives both candidates, and the town tells them apart. What the lookup asks is in
the tenant's language (``meldkamer/intake/teksten/<taal>.yml``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from meldkamer.clients.registry import ClientRegistry
from meldkamer.clients.schema import Client, Complex
from meldkamer.intake.catalog import Catalog, catalog
from meldkamer.intake.street_address import (
    StreetAddress,
    Unlisted,
    parse_street_address,
    street_without_number,
)
from meldkamer.intake.validation import Address, normalise_postcode, parse_address
from meldkamer.triage.answers import is_unknown, normalise

#: How alike a typed street and a listed one must be (difflib's ratio, 0..1).
STREET_SIMILARITY = 0.85
#: Towns are short; one wrong letter in "Lindendam" is still the town.
TOWN_SIMILARITY = 0.8


@dataclass(frozen=True)
class StreetMatch:
    """An address range that has the tenant's street and house number."""

    client: Client
    complex: Complex
    postcode: str
    street: str
    town: str | None
    #: How alike the typed street was (1.0: the same).
    similarity: float

    def label(self, address: StreetAddress) -> str:
        """``Lindelaan 12, Lindendam``: the address as a button shows it."""
        number = StreetAddress(self.street, address.huisnummer, address.toevoeging)
        return f"{number}, {self.town}" if self.town else str(number)


def _alike(typed: str, listed: str) -> float:
    a, b = normalise(typed), normalise(listed)
    return 1.0 if a == b else SequenceMatcher(None, a, b).ratio()


def find_by_street(registry: ClientRegistry, address: StreetAddress) -> list[StreetMatch]:
    """The address ranges of every client with this street and number, best match first.

    With a town, only ranges in (or without) that town count. Of several spellings that
    match, only the closest is kept: "Kerkplein" does not also find "Kerkpad".
    """
    found: list[StreetMatch] = []
    for client in registry:
        for complex_, rng in client.address_ranges():
            if rng.street is None or not rng.low <= address.huisnummer <= rng.high:
                continue
            similarity = _alike(address.street, rng.street)
            if similarity < STREET_SIMILARITY:
                continue
            if address.town and rng.town and _alike(address.town, rng.town) < TOWN_SIMILARITY:
                continue
            found.append(
                StreetMatch(client, complex_, rng.postcode, rng.street, rng.town, similarity)
            )
    if not found:
        return []
    best = max(match.similarity for match in found)
    return sorted(
        (m for m in found if m.similarity == best), key=lambda m: (m.town or "", m.postcode)
    )


@dataclass(frozen=True)
class Found:
    """The address is clear: postcode and number, with the client and complex when served."""

    address: Address
    #: What the summary shows: ``Lindelaan 12, 1234 AB Lindendam`` or ``1234 AB 12``.
    label: str
    place: tuple[Client, Complex] | None


@dataclass(frozen=True)
class Ask:
    """Something is missing or ambiguous: what to say, with candidate addresses as buttons."""

    message: str
    #: (title, payload): the payload is the candidate as postcode and number.
    choices: tuple[tuple[str, str], ...] = ()


def _found(registry: ClientRegistry, address: Address, label: str | None = None) -> Found:
    place = registry.find_by_address(address.postcode, address.huisnummer)
    return Found(address, label or str(address), place)


def _from_street(registry: ClientRegistry, street: StreetAddress, say: Catalog) -> Found | Ask:
    matches = find_by_street(registry, street)
    if len(matches) == 1:
        match = matches[0]
        address = Address(match.postcode, street.huisnummer, street.toevoeging)
        number = str(StreetAddress(match.street, street.huisnummer, street.toevoeging))
        label = f"{number}, {match.postcode}" + (f" {match.town}" if match.town else "")
        return Found(address, label, (match.client, match.complex))
    if matches:
        choices = tuple(
            (m.label(street), str(Address(m.postcode, street.huisnummer, street.toevoeging)))
            for m in matches
        )
        return Ask(say("welk_adres"), choices)
    typed = StreetAddress(street.street, street.huisnummer, street.toevoeging, street.town)
    return Ask(say("straat_niet_gevonden", adres=str(typed)))


def resolve_address(
    registry: ClientRegistry,
    text: str,
    earlier: Sequence[str] = (),
    *,
    language: str | None = None,
) -> Found | Ask | Unlisted:
    """Read the tenant's answer to the address question, with their earlier answers to it.

    A postcode with number is taken as it is (unknown addresses too: a person calls back).
    A street and number are looked up; one not found asks for the postcode only, and a
    postcode sent next is completed with the number given before; "weet ik niet" then
    takes the street and number as typed (:class:`Unlisted`), so the melding is still taken.
    What it asks is in ``language`` (Dutch when ``None``).
    """
    say = catalog(language)
    parsed = parse_address(text)
    if isinstance(parsed, Address):
        return _found(registry, parsed)
    street = parse_street_address(text)
    if street is not None:
        return _from_street(registry, street, say)
    before = next((s for s in map(parse_street_address, reversed(earlier)) if s), None)
    postcode = normalise_postcode(text)
    if isinstance(postcode, str) and before is not None:
        return _found(registry, Address(postcode, before.huisnummer, before.toevoeging))
    if is_unknown(text):
        return Unlisted(before) if before else Ask(say("postcode_onbekend"))
    name = street_without_number(text)
    if name is not None:
        return Ask(say("straat_zonder_nummer", straat=name))
    return Ask(parsed.in_language(language))
