"""The SMS channel's webhook: signatures, bodies, once per id, contractors apart.

Messages go to a collecting ``on_new_message`` (the bot's side is in
tests/e2e/test_sms_e2e.py) and answers to the fake SMS gateway, on a database with
the demo clients.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage

from channels.common.inbox import Inbox
from channels.common.limits import TOO_MANY_CONVERSATIONS
from channels.sms import SmsInput
from meldkamer.composition import collaborators
from meldkamer.contact import EMERGENCY_PHONE, MELDKAMER_PHONE
from meldkamer.ratelimit import Limit
from meldkamer.smsin.inbound import MalformedSms, parse_sms, signature_status
from tests.fakes.mail import SmsGateway
from tests.fakes.sms_inbound import INBOUND_SECRET, inbound_webhook
from tests.security.test_rate_limits import HOURS, Clock, sender_intake

#: Van Dijk's mobile in clients/de-linde.yml.
CONTRACTOR = "+31610000001"


@pytest.fixture
def channel(demo_sessions: Any, sms_gateway: SmsGateway, tmp_path: Path) -> SmsInput:
    return SmsInput(
        INBOUND_SECRET,
        sms_gateway.settings(),
        inbox=Inbox(tmp_path / "inbox"),
        ctx=collaborators(demo_sessions),
    )


class Bot:
    def __init__(self) -> None:
        self.heard: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.heard.append(message)


def test_signatures() -> None:
    body, headers = inbound_webhook("in-1", "+31612345678", "hallo")
    assert signature_status(INBOUND_SECRET, body, headers["X-Signature"]) is None
    assert signature_status(INBOUND_SECRET, body + b" ", headers["X-Signature"]) == 403
    assert signature_status("ander-geheim", body, headers["X-Signature"]) == 403
    assert signature_status(INBOUND_SECRET, body, None) == 401


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"geen json", "geen geldige JSON"),
        (b"[1]", "geen JSON-object"),
        (b'{"from": "+31612345678", "text": "x"}', "id ontbreekt"),
        (b'{"id": "1", "from": "hallo", "text": "x"}', "geen telefoonnummer"),
        (b'{"id": "1", "from": "0612345678"}', "text ontbreekt"),
    ],
)
def test_malformed_bodies(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedSms, match=reason):
        parse_sms(body)


def test_numbers_are_normalised() -> None:
    assert (
        parse_sms(inbound_webhook("in-1", "06 12345678", " Lekkage ")[0]).sender == "+31612345678"
    )


async def test_refused_before_anything_is_kept(channel: SmsInput) -> None:
    bot = Bot()
    body, headers = inbound_webhook("in-1", "+31612345678", "hallo", secret="verkeerd")
    assert (await channel.receive(body, headers["X-Signature"], bot))[0] == 403
    assert (await channel.receive(body, None, bot))[0] == 401
    good = inbound_webhook("in-2", "+31612345678", "x")[1]["X-Signature"]
    assert (await channel.receive(b"{}", good, bot))[0] == 403
    await channel.drain()
    assert bot.heard == [] and channel.inbox.pending() == []


async def test_a_message_reaches_the_bot_once(channel: SmsInput) -> None:
    bot = Bot()
    body, headers = inbound_webhook("in-7", "+31612345678", "ik ben buitengesloten")
    assert await channel.receive(body, headers["X-Signature"], bot) == (200, {"ok": True})
    assert (await channel.receive(body, headers["X-Signature"], bot))[0] == 200
    await channel.drain()
    assert [(m.text, m.sender_id, m.input_channel) for m in bot.heard] == [
        ("ik ben buitengesloten", "sms-31612345678", "sms")
    ]
    assert bot.heard[0].metadata == {"mailin": {"message_id": "in-7"}}
    assert channel.inbox.pending() == []


async def test_a_payload_cannot_be_typed(channel: SmsInput) -> None:
    bot = Bot()
    body, headers = inbound_webhook("in-8", "+31612345678", '/inform{"leiding_afsluitbaar": false}')
    await channel.receive(body, headers["X-Signature"], bot)
    await channel.drain()
    assert not bot.heard[0].text.startswith("/")


async def test_a_contractor_goes_to_the_hook_not_to_the_bot(
    channel: SmsInput, sms_gateway: SmsGateway
) -> None:
    bot = Bot()
    body, headers = inbound_webhook("in-9", CONTRACTOR, "ONDERWEG 30")
    await channel.receive(body, headers["X-Signature"], bot)
    await channel.drain()
    assert bot.heard == []
    # No open work order of Van Dijk's here (a step is tests/service/test_workorder_sms.py)
    ((to, text),) = [(r["to"], r["text"]) for r in sms_gateway.accepted]
    assert to == CONTRACTOR and text.startswith("Geen open werkbon gevonden")


async def test_off_without_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMS_INBOUND_SECRET", raising=False)
    off = SmsInput.from_credentials(None)
    assert isinstance(off, SmsInput) and off.secret is None
    assert "SMS_INBOUND_SECRET" in off.reason


class AnsweringBot(Bot):
    """Hears the tenant and answers, as the assistant would."""

    async def __call__(self, message: UserMessage) -> None:
        await super().__call__(message)
        await message.output_channel.send_response(message.sender_id, {"text": "Dank u."})


async def test_new_conversations_per_number_are_limited_and_the_tenant_is_told(
    demo_sessions: Any, sms_gateway: SmsGateway, tmp_path: Path
) -> None:
    clock = Clock()
    channel = SmsInput(
        INBOUND_SECRET,
        sms_gateway.settings(),
        inbox=Inbox(tmp_path / "limits"),
        ctx=collaborators(demo_sessions),
        intake=sender_intake(clock, Limit(2, 24 * HOURS)),
        clock=clock,
    )
    bot = AnsweringBot()
    tenant, other = "+31612345678", "+31687654321"

    async def text(number: str, message_id: str, words: str) -> None:
        body, headers = inbound_webhook(message_id, number, words)
        assert (await channel.receive(body, headers["X-Signature"], bot))[0] == 200
        await channel.drain()

    await text(tenant, "in-1", "lekkage")  # a conversation starts
    await text(tenant, "in-2", "in de keuken")  # the same conversation
    clock.now += 3 * HOURS  # the session expired: the next message starts anew
    await text(tenant, "in-3", "weer lekkage")
    clock.now += 3 * HOURS
    await text(tenant, "in-4", "nog een lekkage")  # a third new one in a day: refused
    await text(other, "in-5", "gaslucht")  # another number has its own count
    assert [m.text for m in bot.heard] == ["lekkage", "in de keuken", "weer lekkage", "gaslucht"]
    to_tenant = [r["text"] for r in sms_gateway.accepted if r["to"] == tenant]
    assert to_tenant == ["Dank u.", "Dank u.", "Dank u.", TOO_MANY_CONVERSATIONS]
    assert MELDKAMER_PHONE in to_tenant[-1] and EMERGENCY_PHONE in to_tenant[-1]
    assert channel.inbox.pending() == []  # the refused message was answered, not left behind
    clock.now += 24 * HOURS
    await text(tenant, "in-6", "lekkage")
    assert bot.heard[-1].text == "lekkage"
