"""End to end on Telegram: the updates in the tenant's chat; the status lookup by sender.

The stack of tests/e2e/test_telegram_e2e.py (real Rasa and action servers, the Bot API
fake); the worker's chat delivery sends the updates through Rasa's API.
"""

# The stack fixture is imported from the channel's own e2e module and taken as an argument.
# ruff: noqa: F811

from __future__ import annotations

import pytest

from devstack.followup import chat_sender, deliver, set_step
from tests.e2e.test_telegram_e2e import (  # noqa: F401 - stack is the fixture
    TelegramStack,
    TelegramTenant,
    play_melding,
    said,
    stack,
)

pytestmark = pytest.mark.e2e

BURST_PIPE = {"leiding_gesprongen": True, "leiding_afsluitbaar": False}


def test_each_step_reaches_the_telegram_chat(stack: TelegramStack) -> None:
    tenant = TelegramTenant(stack)
    number, _ = play_melding(tenant, "lekkage_waterleiding", BURST_PIPE)
    for status, expected in (("bevestigd", "opdracht aangenomen"), ("ter_plaatse", "aangekomen")):
        set_step(stack, number, status)
        deliver(stack, chat_sender(stack))
        (update,) = tenant.replies()
        assert update["text"].startswith(f"Melding {number}") and expected in update["text"]


def test_status_lookup_only_from_the_tickets_own_chat(stack: TelegramStack) -> None:
    owner = TelegramTenant(stack)
    number, _ = play_melding(owner, "lekkage_waterleiding", BURST_PIPE)
    told = said(owner.say("hoe staat het met mijn melding"))
    assert number in told
    stranger = TelegramTenant(stack)
    refused = said(stranger.say(f"hoe staat het met {number}? postcode 1234 AB 12"))
    assert number not in refused and "geen melding" in refused.lower()
