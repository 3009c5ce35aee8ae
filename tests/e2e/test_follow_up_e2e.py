"""End to end: the tenant hears every step on their channel, asks the status, says it is not solved.

A real Rasa server and action server (the web chat and REST channels); the steps are
set as ``meldkamer werkbon status`` sets them and the worker's delivery round sends the
updates: into the web chat through Rasa's API (the stream shows them, also after a
reload), by SMS through the SMS gateway fake for a REST tenant.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from devstack.followup import WebchatTenant, chat_sender, context, deliver, set_step
from devstack.stack import Stack
from devstack.tenant import converse, said
from meldkamer.notify.sms import SmsSender
from meldkamer.tickets import get_ticket
from tests.fakes.mail import running_sms_gateway

pytestmark = pytest.mark.e2e

BURST_PIPE = (
    "de leiding onder de gootsteen is gesprongen",
    {"leiding_gesprongen": True, "leiding_afsluitbaar": False},
)
STEPS = [
    ("bevestigd", {}, "heeft de opdracht aangenomen"),
    ("onderweg", {"eta_minutes": 30}, "naar verwachting om"),
    ("ter_plaatse", {}, "is bij u aangekomen"),
    ("gereed", {"note": "Leiding onder de gootsteen vervangen."}, "heeft het werk afgerond"),
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("follow-up")
    running = Stack(
        database_url=f"sqlite:///{workdir / 'meldkamer.db'}",
        workdir=workdir,
        channels=("rest", "channels.webchat.WebchatInput"),
        unset=("REDIS_URL",),
    ).start()
    yield running
    running.stop()


def bot_texts(messages: list[dict[str, object]]) -> list[str]:
    return [str(m.get("text") or "") for m in messages if m.get("from") == "bot"]


def test_a_web_chat_tenant_hears_every_step_also_after_a_reload(stack: Stack) -> None:
    tenant = WebchatTenant(stack)
    number, _ = converse(tenant, *BURST_PIPE)  # type: ignore[arg-type]
    tenant.read()
    for status, data, expected in STEPS:
        set_step(stack, number, status, **data)
        assert deliver(stack, chat_sender(stack)) == 1
        (update,) = bot_texts(tenant.read())
        assert update.startswith(f"Melding {number}") and expected in update
    assert "Leiding onder de gootsteen vervangen." in update and "nog niet opgelost" in update
    # The widget reloaded: the updates are in the history, in order, once each.
    history = bot_texts(tenant.history())
    updates = [t for t in history if t.startswith(f"Melding {number}:")]
    assert [next(e for _, _, e in STEPS if e in t) for t in updates] == [e for _, _, e in STEPS]


def test_nog_niet_opgelost_in_the_web_chat_reopens_with_a_follow_up(stack: Stack) -> None:
    tenant = WebchatTenant(stack)
    number, _ = converse(tenant, *BURST_PIPE)  # type: ignore[arg-type]
    for status, data, _ in STEPS:
        set_step(stack, number, status, **data)
    deliver(stack, chat_sender(stack))
    tenant.read()
    answer = said(tenant.say(tenant.session, "het is nog niet opgelost"))
    assert number in answer and "vervolgmelding" in answer, answer
    with context(stack) as ctx, ctx.sessions() as session:
        ticket = get_ticket(session, number)
        assert ticket is not None and ticket.status == "afgerond"
    follow_up = answer.split("vervolgmelding: ")[1][:14]
    with context(stack) as ctx, ctx.sessions() as session:
        again = get_ticket(session, follow_up)
        assert again is not None and again.status == "doorgezet" and again.attention


def test_a_rest_tenant_gets_each_step_by_sms(stack: Stack) -> None:
    number, _ = converse(stack, *BURST_PIPE)  # type: ignore[arg-type]

    async def run() -> list[str]:
        async with running_sms_gateway() as gateway:
            for status, data, _ in STEPS:
                set_step(stack, number, status, **data)
            await asyncio.to_thread(deliver, stack, {"sms": SmsSender(gateway.settings())})
            return [str(r["text"]) for r in gateway.accepted if r["to"] == "+31612345678"]

    texts = [t for t in asyncio.run(run()) if t.startswith(f"Melding {number}:")]
    assert len(texts) == len(STEPS)
    assert all(e in t for t, (_, _, e) in zip(texts, STEPS, strict=True))
    assert "088-3746100" in texts[-1]  # whom to call when it is not solved


def test_status_lookup_over_rest_only_with_proof(stack: Stack) -> None:
    number, _ = converse(stack, *BURST_PIPE, sender="eigenaar")  # type: ignore[arg-type]
    set_step(stack, number, "onderweg", eta_minutes=45)
    guesser = "rader"
    assert "nummer van uw melding" in said(stack.say(guesser, "hoe staat het met mijn melding"))
    assert "postcode" in said(stack.say(guesser, number))
    wrong = said(stack.say(guesser, "1234 AB 14"))  # the neighbours' house
    assert "geen melding vinden" in wrong and number not in wrong.split("Wat is")[0]
    stack.say(guesser, "MK-2026-999999")
    assert "geen melding vinden" in said(stack.say(guesser, "1234 AB 12"))
    stack.say(guesser, number)
    third = said(stack.say(guesser, "1234 AB 16"))
    assert "medewerker" in third and "onderweg" not in third
    # The tenant with the right proof hears the status and the expected time.
    owner = "huurder-met-bewijs"
    stack.say(owner, "wanneer komt de monteur")
    told = said(stack.say(owner, f"{number} 1234 AB 12"))
    assert number in told and "onderweg" in told and "verwachting" in told


def test_status_lookup_in_the_web_chat(stack: Stack) -> None:
    owner = WebchatTenant(stack)
    number, _ = converse(owner, *BURST_PIPE)  # type: ignore[arg-type]
    other = WebchatTenant(stack)  # another browser: the same number without the address fails
    other.say(other.session, f"hoe staat het met {number}")
    refused = said(other.say(other.session, "1000 AA 1"))
    assert "geen melding vinden" in refused
    told = said(other.say(other.session, f"{number}, 1234 AB 12"))
    assert number in told and "vakman" in told
