"""End to end on WhatsApp: updates inside and outside the 24-hour window; the status lookup.

The stack of tests/e2e/test_whatsapp_e2e.py (real Rasa and action servers, the Graph API
fake); the steps are set as ``meldkamer werkbon status`` sets them and the worker's chat
delivery sends the updates through Rasa's API into the tenant's WhatsApp conversation.
"""

# The stack fixture is imported from the channel's own e2e module and taken as an argument.
# ruff: noqa: F811

from __future__ import annotations

import time
from typing import Any

import pytest

from devstack.followup import chat_sender, deliver, set_step
from devstack.tenant import converse, said
from tests.e2e.test_whatsapp_e2e import (  # noqa: F401 - running is the stack fixture
    HOUR,
    Running,
    WhatsAppTenant,
    running,
)

pytestmark = pytest.mark.e2e

BURST_PIPE = {"leiding_gesprongen": True, "leiding_afsluitbaar": False}


class LateTenant(WhatsAppTenant):
    """A tenant whose messages Meta delivers 25 hours late: the window is closed."""

    def say(self, sender: str, message: str) -> list[dict[str, Any]]:
        late = self.running.meta.text(self.wa_id, message, timestamp=time.time() - 25 * HOUR)
        return [self._as_rest(m) for m in self.post(late)]


def melding(tenant: WhatsAppTenant, first: str, answers: dict[str, Any]) -> str:
    number, _ = converse(tenant, first, answers, sender=tenant.sender)  # type: ignore[arg-type]
    return number


def test_inside_the_window_the_update_is_a_text(running: Running) -> None:
    tenant = WhatsAppTenant(running)
    number = melding(tenant, "de leiding onder de gootsteen is gesprongen", BURST_PIPE)
    set_step(running.stack, number, "onderweg", eta_minutes=20)
    deliver(running.stack, chat_sender(running.stack))
    last = running.graph.sent(tenant.wa_id)[-1]
    assert last["type"] == "text", last
    assert (
        last["text"]["body"].startswith(f"Melding {number}") and "onderweg" in last["text"]["body"]
    )


def test_outside_the_window_the_update_goes_as_the_template(running: Running) -> None:
    tenant = LateTenant(running)
    number = melding(tenant, "ik ben buitengesloten", {})
    set_step(running.stack, number, "bevestigd")
    deliver(running.stack, chat_sender(running.stack))
    last = running.graph.sent(tenant.wa_id)[-1]
    assert last["type"] == "template" and last["template"]["name"] == "meldkamer_update"
    text = last["template"]["components"][0]["parameters"][0]["text"]
    assert text.startswith(f"Melding {number}") and "opdracht aangenomen" in text
    assert running.graph.refused() == []


def test_status_lookup_only_for_the_senders_own_tickets(running: Running) -> None:
    owner = WhatsAppTenant(running)
    number = melding(owner, "de leiding onder de gootsteen is gesprongen", BURST_PIPE)
    set_step(running.stack, number, "onderweg", eta_minutes=40)
    told = said(owner.say(owner.sender, "hoe staat het met mijn melding"))
    assert number in told and "verwachting" in told  # no number or address asked
    stranger = WhatsAppTenant(running)
    for _ in range(2):
        refused = said(stranger.say(stranger.sender, f"wat is de status van {number}"))
        assert number not in refused and "onderweg" not in refused
        assert "geen melding" in refused.lower()
    third = said(stranger.say(stranger.sender, f"status {number}"))
    assert "medewerker" in third and "onderweg" not in third
