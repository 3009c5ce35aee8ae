"""The registry of all clients: look-ups by address and entry point, and refused clashes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from meldkamer.clients import (
    AddressRange,
    Client,
    ClientRegistry,
    Complex,
    Entries,
    RegistryConflictError,
    conflicts,
    load_client,
)
from meldkamer.triage import load_table

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def clients() -> dict[str, Client]:
    table = load_table()
    return {
        path.stem: load_client(path, table).client
        for path in sorted((ROOT / "clients").glob("*.yml"))
    }


@pytest.fixture(scope="module")
def registry(clients) -> ClientRegistry:
    return ClientRegistry(clients.values())


def other(client: Client, **changes: object) -> Client:
    """A different client (own id, no entry points, no complexes) unless changes say otherwise."""
    fields: dict[str, object] = {"id": "ander", "entries": Entries(), "complexes": ()}
    fields.update(changes)
    return replace(client, **fields)  # type: ignore[arg-type]


def test_get_and_ids(registry, clients) -> None:
    assert registry.ids() == ["de-linde", "vve-beheer-noord"]
    assert registry.get("de-linde") is clients["de-linde"]
    assert len(registry) == 2 and "de-linde" in registry
    assert [c.id for c in registry] == ["de-linde", "vve-beheer-noord"]
    with pytest.raises(KeyError, match="onbekende opdrachtgever 'woonzorg'"):
        registry.get("woonzorg")


@pytest.mark.parametrize(
    ("postcode", "huisnummer", "expected"),
    [
        # A range of the corporation.
        ("1234 AB", 12, ("de-linde", "lindehof")),
        # A whole postcode of the corporation, written loosely.
        ("1235cd", 3, ("de-linde", "kerkplein")),
        # A range of the VvE manager.
        ("9876 AB", 120, ("vve-beheer-noord", "vve-de-wadden")),
        # Just outside that range.
        ("9876 AB", 121, None),
        # A postcode of nobody.
        ("1000 AA", 1, None),
        # Not a postcode.
        ("12", 1, None),
    ],
)
def test_find_by_address(registry, postcode, huisnummer, expected) -> None:
    found = registry.find_by_address(postcode, huisnummer)
    assert (None if found is None else (found[0].id, found[1].id)) == expected


@pytest.mark.parametrize(
    ("kind", "key", "expected"),
    [
        # The corporation's webchat site key.
        ("webchat", "de-linde-demo", "de-linde"),
        # The VvE's webchat site key.
        ("webchat", "vve-noord-demo", "vve-beheer-noord"),
        # An unknown site key.
        ("webchat", "onbekend", None),
        # A WhatsApp number in E.164.
        ("whatsapp", "+31610000900", "de-linde"),
        # The same number as a Dutch mobile number.
        ("whatsapp", "06 1000 0900", "de-linde"),
        # The same number as some WhatsApp gateways send it.
        ("whatsapp", "whatsapp:+31610000900", "de-linde"),
        # The VvE's number.
        ("whatsapp", "+31 6 1000 0950", "vve-beheer-noord"),
        # A number of nobody.
        ("whatsapp", "+31612345678", None),
        # Not a number at all.
        ("whatsapp", "hallo", None),
        # A Telegram bot as written in the file.
        ("telegram", "DeLindeDemoBot", "de-linde"),
        # Telegram usernames are case-insensitive and often written with @.
        ("telegram", "@delindedemobot", "de-linde"),
        # The webchat key of one client is not a Telegram bot.
        ("telegram", "de-linde-demo", None),
        # An intake mail address, in whatever case the mail's To header has it.
        ("email", "Storing@De-Linde.example.nl", "de-linde"),
        ("email", "onbekend@de-linde.example.nl", None),
    ],
)
def test_find_by_entry(registry, kind, key, expected) -> None:
    found = registry.find_by_entry(kind, key)
    assert (found.id if found else None) == expected


def test_find_by_entry_refuses_an_unknown_kind(registry) -> None:
    with pytest.raises(ValueError, match="onbekende ingang 'sms'"):
        registry.find_by_entry("sms", "+31610000900")


def test_an_empty_registry_finds_nothing() -> None:
    empty = ClientRegistry()
    assert empty.ids() == [] and empty.find_by_address("1234 AB", 1) is None
    assert empty.find_by_entry("webchat", "de-linde-demo") is None


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        # A second client with the same id.
        ({"id": "de-linde"}, "opdrachtgever 'de-linde' komt twee keer voor"),
        # Another client that claims the corporation's webchat site key.
        ({"entries": Entries(webchat=("de-linde-demo",))}, "webchat 'de-linde-demo'"),
        # Another client with the corporation's WhatsApp number.
        ({"entries": Entries(whatsapp=("+31610000900",))}, "whatsapp '+31610000900'"),
        # Another client with the corporation's Telegram bot, in other letters.
        ({"entries": Entries(telegram=("DELINDEDEMOBOT",))}, "telegram 'delindedemobot'"),
        # Another client with a complex overlapping Lindehof's house numbers.
        (
            {"complexes": (Complex("dubbel", "Dubbel", (AddressRange("1234 AB", 40, 50),)),)},
            "adres 1234 AB 40-50 van 'ander' (complex 'dubbel') overlapt met 1234 AB 1-45 "
            "van 'de-linde' (complex 'lindehof')",
        ),
        # Another client claiming a whole postcode that De Linde has part of.
        (
            {"complexes": (Complex("heel", "Heel", (AddressRange("1234 AD"),)),)},
            "overlapt met 1234 AD 2-60",
        ),
    ],
)
def test_clashing_clients_are_refused(clients, changes, words) -> None:
    linde = clients["de-linde"]
    clash = other(linde, **changes)
    with pytest.raises(RegistryConflictError) as caught:
        ClientRegistry([linde, clash])
    assert any(words in conflict for conflict in caught.value.conflicts), caught.value.conflicts


def test_neighbouring_ranges_do_not_clash(clients) -> None:
    linde = clients["de-linde"]
    neighbour = other(
        linde, complexes=(Complex("buren", "Buren", (AddressRange("1234 AB", 46, 80),)),)
    )
    registry = ClientRegistry([linde, neighbour])
    assert registry.find_by_address("1234 AB", 46)[0].id == "ander"  # type: ignore[index]
    assert registry.find_by_address("1234 AB", 45)[0].id == "de-linde"  # type: ignore[index]


def test_all_clashes_are_listed(clients) -> None:
    linde = clients["de-linde"]
    clash = other(
        linde,
        # The intake mail address (issue 16) left out: the count below names the older kinds.
        entries=replace(linde.entries, email=()),
        complexes=(Complex("x", "X", (AddressRange("1234 AC"),)),),
    )
    assert len(conflicts([linde, clash])) == 4  # webchat, whatsapp, telegram, address
