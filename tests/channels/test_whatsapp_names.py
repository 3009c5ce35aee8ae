"""The sender's WhatsApp profile name (issue 15): read from the webhook's contacts, matched
by wa_id, carried to the bot as metadata ``sender_name``; a bad contacts block is no name,
never a refused message."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from channels.common.inbox import Inbox
from channels.whatsapp import WhatsAppInput
from channels.whatsapp.webhook import IMAGE, REPLY, TEXT, Inbound, parse_webhook, profile_names
from tests.channels.test_whatsapp import Bot, deliver, settings
from tests.fakes.graph_api import DISPLAY_NUMBER, FakeGraphApi, MetaWebhooks, running_graph_api

WA_ID = "31612345678"
OTHER = "31687654321"
META = MetaWebhooks()


def body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()


def with_contacts(payload: dict[str, Any], contacts: Any) -> dict[str, Any]:
    """``payload`` (one change) with its ``value.contacts`` replaced; ``...`` removes them."""
    value = payload["entry"][0]["changes"][0]["value"]
    if contacts is ...:
        del value["contacts"]
    else:
        value["contacts"] = contacts
    return payload


def only_message(payload: dict[str, Any]) -> Inbound:
    [message] = parse_webhook(body(payload)).messages
    return message


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        (META.text(WA_ID, "de cv is stuk", name="Fatima el Amrani"), TEXT),
        (META.button_reply(WA_ID, "/affirm", "Ja", name="Fatima el Amrani"), REPLY),
        (META.image(WA_ID, "media-1", name="Fatima el Amrani"), IMAGE),
    ],
)
def test_the_senders_profile_name_comes_with_each_kind(payload: dict[str, Any], kind: str) -> None:
    message = only_message(payload)
    assert (message.kind, message.sender_name) == (kind, "Fatima el Amrani")


def test_without_contacts_there_is_no_name() -> None:
    message = only_message(with_contacts(META.text(WA_ID, "hallo"), ...))
    assert (message.text, message.sender_name) == ("hallo", None)


def test_a_contact_of_another_wa_id_is_not_the_senders_name() -> None:
    payload = with_contacts(
        META.text(WA_ID, "hallo"), [{"profile": {"name": "Jan"}, "wa_id": OTHER}]
    )
    assert only_message(payload).sender_name is None


def test_two_senders_in_one_webhook_each_keep_their_own_name() -> None:
    payload = META.text(WA_ID, "hallo")
    value = payload["entry"][0]["changes"][0]["value"]
    other = META.text(OTHER, "goedemiddag")["entry"][0]["changes"][0]["value"]
    value["messages"] += other["messages"]
    value["contacts"] = [
        {"profile": {"name": "Jan de Vries"}, "wa_id": OTHER},
        {"profile": {"name": "Fatima"}, "wa_id": WA_ID},
    ]
    names = {m.wa_id: m.sender_name for m in parse_webhook(body(payload)).messages}
    assert names == {WA_ID: "Fatima", OTHER: "Jan de Vries"}


@pytest.mark.parametrize(
    "contacts",
    [
        "Fatima",  # not a list
        {"profile": {"name": "Fatima"}, "wa_id": WA_ID},  # one object instead of a list
        [5],  # an entry that is no object
        [{"wa_id": WA_ID}],  # no profile
        [{"profile": "Fatima", "wa_id": WA_ID}],  # the profile no object
        [{"profile": {}, "wa_id": WA_ID}],  # no name
        [{"profile": {"name": 7}, "wa_id": WA_ID}],  # the name no string
        [{"profile": {"name": ""}, "wa_id": WA_ID}],  # an empty name
        [{"profile": {"name": "Fatima"}}],  # no wa_id
        [{"profile": {"name": "Fatima"}, "wa_id": int(WA_ID)}],  # the wa_id a number
        None,
    ],
)
def test_a_malformed_contacts_block_is_no_name_and_no_error(contacts: Any) -> None:
    message = only_message(with_contacts(META.text(WA_ID, "hallo"), contacts))
    assert (message.text, message.sender_name) == ("hallo", None)


def test_profile_names_keeps_the_good_entries_among_bad_ones() -> None:
    contacts = [7, {"profile": {"name": "Jan"}, "wa_id": OTHER}, {"wa_id": WA_ID}]
    assert profile_names(contacts) == {OTHER: "Jan"}


# --- the channel: the name as metadata, also after a restart -----------------------------------


@pytest.fixture
async def channel(tmp_path: Path) -> AsyncIterator[tuple[WhatsAppInput, FakeGraphApi]]:
    with running_graph_api() as graph:
        running = WhatsAppInput(settings(graph.url), inbox=Inbox(tmp_path / "inbox"))
        yield running, graph
        await running.close()


async def test_the_name_reaches_the_bot_as_metadata(
    channel: tuple[WhatsAppInput, FakeGraphApi],
) -> None:
    whatsapp, graph = channel
    meta, bot = MetaWebhooks(graph=graph), Bot()
    await deliver(whatsapp, meta.text(WA_ID, "de cv is stuk", name="Fatima el Amrani"), bot)
    await deliver(whatsapp, with_contacts(meta.text(WA_ID, "hallo"), ...), bot)
    named, nameless = bot.received
    entry = {"kind": "whatsapp", "key": DISPLAY_NUMBER}
    assert named.metadata == {"entry": entry, "sender_name": "Fatima el Amrani"}
    assert nameless.metadata == {"entry": entry}


async def test_the_name_survives_the_inbox_and_old_entries_still_load(
    channel: tuple[WhatsAppInput, FakeGraphApi],
) -> None:
    whatsapp, graph = channel
    assert whatsapp.inbox is not None
    graph.customer_wrote(WA_ID, 0)
    new = Inbound("wamid.new", WA_ID, TEXT, text="hallo", sender_name="Fatima")
    whatsapp.inbox.put(new.message_id, json.dumps(asdict(new)))
    # Kept by a server from before the name: no sender_name key at all.
    old = {k: v for k, v in asdict(new).items() if k != "sender_name"}
    whatsapp.inbox.put("wamid.old", json.dumps({**old, "message_id": "wamid.old"}))
    bot = Bot()
    assert await whatsapp.resume(bot) == 2
    await whatsapp.drain(10)
    names = {m.message_id: (m.metadata or {}).get("sender_name") for m in bot.received}
    assert names == {"wamid.new": "Fatima", "wamid.old": None}
