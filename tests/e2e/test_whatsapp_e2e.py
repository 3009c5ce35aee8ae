"""End to end: WhatsApp webhooks into the real Rasa and action servers, answers to a fake Graph API.

The Rasa server runs with a credentials file of its own that switches the WhatsApp
channel on, and an environment pointing the channel at the fake Graph API
(tests/fakes/graph_api.py). The tenant is played by :func:`devstack.tenant.converse`
through :class:`WhatsAppTenant`, which turns its answers into webhooks signed like Meta's
and reads the bot's questions from what the fake Graph API received.
"""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from channels.common.apology import APOLOGY
from devstack.stack import Stack
from devstack.stored import database, stored_ticket
from devstack.tenant import converse
from meldkamer.attachments.models import Attachment
from meldkamer.intake.validation import format_phone
from meldkamer.tickets import Ticket
from tests.e2e.whatsappstack import Running
from tests.fakes.graph_api import APP_SECRET, VERIFY_TOKEN, tiny_jpeg

pytestmark = pytest.mark.e2e

HOUR = 3600


@pytest.fixture(scope="module")
def running(whatsapp: Running) -> Running:
    """The session's WhatsApp stack (tests/e2e/conftest.py), shared with the follow-up tests."""
    return whatsapp


def new_wa_id() -> str:
    return "316" + str(uuid.uuid4().int)[:8]


def tracker_events(stack: Stack, sender: str) -> list[dict[str, Any]]:
    url = stack.api(f"/conversations/{sender}/tracker")
    with urllib.request.urlopen(url, timeout=30) as reply:
        events = json.loads(reply.read())["events"] or []
    return events


def wait_for_turns(stack: Stack, sender: str, user_messages: int, timeout: float = 30) -> None:
    """Wait until the bot handled ``user_messages`` messages and listens again."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = tracker_events(stack, sender)
        users = sum(1 for e in events if e["event"] == "user")
        if users >= user_messages and events[-1].get("name") == "action_listen":
            return
        time.sleep(0.1)
    raise TimeoutError(f"{sender}: {user_messages} handled messages expected")


class WhatsAppTenant:
    """The interface :func:`converse` talks to (``say``), over WhatsApp."""

    def __init__(self, running: Running, wa_id: str | None = None, name: str = "Fatima") -> None:
        self.running = running
        self.wa_id = wa_id or new_wa_id()
        #: The tenant's WhatsApp profile name, in every webhook's contacts.
        self.name = name
        self.sender = f"wa-{self.wa_id}"
        self.offered: dict[str, tuple[str, str]] = {}  # reply id -> (reply type, title)
        self.handled = 0
        self.last_payload: dict[str, Any] | None = None

    def post(self, payload: dict[str, Any], messages: int = 1) -> list[dict[str, Any]]:
        """Post a webhook, wait for the bot's turn(s); returns what WhatsApp received for us."""
        before = len(self.running.graph.sent(self.wa_id))
        status, _ = self.running.meta.post(self.running.webhook, payload)
        assert status == 200
        self.last_payload = payload
        self.handled += messages
        # The first answer shows the bot is at work; only then is the tracker asked, since
        # asking Rasa for a conversation that does not exist yet would start one.
        self.running.graph.wait_for_sent(before + 1, to=self.wa_id)
        wait_for_turns(self.running.stack, self.sender, self.handled)
        return self.running.graph.sent(self.wa_id)[before:]

    def say(self, sender: str, message: str) -> list[dict[str, Any]]:
        """Tap the button or row with this payload when one was offered, else type it."""
        meta = self.running.meta
        if message in self.offered:
            kind, title = self.offered[message]
            build = meta.button_reply if kind == "button" else meta.list_reply
            payload = build(self.wa_id, message, title, name=self.name)
        else:
            payload = meta.text(self.wa_id, message, name=self.name)
        return [self._as_rest(m) for m in self.post(payload)]

    def _as_rest(self, sent: dict[str, Any]) -> dict[str, Any]:
        """A message WhatsApp received, as the REST channel shows it (what converse reads)."""
        if sent["type"] == "text":
            return {"text": sent["text"]["body"]}
        if sent["type"] == "template":
            return {"text": sent["template"]["components"][0]["parameters"][0]["text"]}
        if sent["type"] == "image":
            return {"image": sent["image"]["link"]}
        interactive = sent["interactive"]
        if interactive["type"] == "button":
            options = [
                (b["reply"]["id"], b["reply"]["title"]) for b in interactive["action"]["buttons"]
            ]
        else:
            rows = interactive["action"]["sections"][0]["rows"]
            options = [(r["id"], r.get("description") or r["title"]) for r in rows]
        self.offered = {i: (interactive["type"], t) for i, t in options}
        return {
            "text": interactive["body"]["text"],
            "buttons": [{"title": t, "payload": i} for i, t in options],
        }


def agent_replies(running: Running, tenant: WhatsAppTenant) -> None:
    """Agent Sanne answers "Ik bel u zo." through Rasa's API."""
    assert running.stack.agent_says(tenant.sender, "Ik bel u zo.", "whatsapp") == 200


def count(database_url: str, column: Any) -> int:
    with database(database_url) as session:
        return int(session.execute(select(func.count(column))).scalar_one())


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


# --- the tests ---------------------------------------------------------------------------------


def test_verification_handshake(running: Running) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "8213"}
    assert get(f"{running.webhook}?{urlencode(query)}") == (200, "8213")
    wrong = {**query, "hub.verify_token": "raden"}
    assert get(f"{running.webhook}?{urlencode(wrong)}")[0] == 403


def test_melding_over_whatsapp_ends_in_a_ticket(running: Running) -> None:
    tenant = WhatsAppTenant(running)
    # "hallo": the ten topics come as a list; the tenant picks a row.
    first = tenant.post(running.meta.text(tenant.wa_id, "hallo"))
    lists = [m for m in first if m["type"] == "interactive"]
    assert lists and lists[-1]["interactive"]["type"] == "list"
    for message in first:
        tenant._as_rest(message)  # notes the rows offered
    row = "/melding_lekkage_waterleiding"
    assert row in tenant.offered
    # From there the tenant of the REST tests answers: buttons as buttons, the rest typed.
    number, transcript = converse(
        tenant,  # type: ignore[arg-type]
        row,
        {"leiding_gesprongen": True, "leiding_afsluitbaar": False},
        sender=tenant.sender,
    )
    ticket = stored_ticket(running.stack.database_url, number)
    assert (ticket.topic, ticket.channel, ticket.conversation_id) == (
        "lekkage_waterleiding",
        "whatsapp",
        tenant.sender,
    )
    # The number written to led to the client (metadata entry -> slot opdrachtgever).
    clients = {
        e["value"]
        for e in tracker_events(running.stack, tenant.sender)
        if e["event"] == "slot" and e["name"] == "opdrachtgever"
    }
    assert clients == {"de-linde"}, "\n".join(transcript)
    assert ticket.facts.get("leiding_afsluitbaar") is False
    # Interactive replies were used: at least one button message went out and was answered.
    kinds = {m.get("interactive", {}).get("type") for m in running.graph.sent(tenant.wa_id)}
    assert {"button", "list"} <= kinds
    assert running.graph.refused() == []

    # Meta delivers the last message ("ja") again: no second ticket, no second answer.
    tickets, sent = (
        count(running.stack.database_url, Ticket.id),
        len(running.graph.sent(tenant.wa_id)),
    )
    assert running.meta.post(running.webhook, tenant.last_payload)[0] == 200
    time.sleep(1.5)
    assert count(running.stack.database_url, Ticket.id) == tickets
    assert len(running.graph.sent(tenant.wa_id)) == sent

    # An agent answers within 24 hours through Rasa's API: free text.
    agent_replies(running, tenant)
    last = running.graph.sent(tenant.wa_id)[-1]
    assert last["type"] == "text" and last["text"]["body"] == "Medewerker Sanne: Ik bel u zo."


def test_the_profile_name_and_number_are_confirmed_not_asked(running: Running) -> None:
    """Issue 15: the tenant's WhatsApp name and number are in the summary, never asked."""
    tenant = WhatsAppTenant(running, name="Fatima el Amrani 🌸")
    number, transcript = converse(
        tenant,  # type: ignore[arg-type]
        "de leiding onder de gootsteen is gesprongen",
        {"leiding_gesprongen": True, "leiding_afsluitbaar": False},
        contact={"naam": "Iemand Anders", "telefoon": "06-99999999"},
        sender=tenant.sender,
    )
    log = "\n".join(transcript)
    for asked in ("Wat is uw naam", "Hoe heet u", "telefoonnummer"):
        assert asked not in log, log
    assert "Iemand Anders" not in log and "06-99999999" not in log, log
    phone = format_phone("+" + tenant.wa_id)
    assert "bot: • Naam: Fatima el Amrani" in transcript, log
    assert f"bot: • Telefoon: {phone}" in transcript, log
    ticket = stored_ticket(running.stack.database_url, number)
    assert (ticket.naam, ticket.telefoon) == ("Fatima el Amrani", "+" + tenant.wa_id)


def test_same_message_id_twice_is_handled_once(running: Running) -> None:
    tenant = WhatsAppTenant(running)
    payload = running.meta.text(tenant.wa_id, "hallo", message_id=f"wamid.{uuid.uuid4().hex}")
    replies = tenant.post(payload)
    assert running.meta.post(running.webhook, payload)[0] == 200
    time.sleep(1.5)
    assert len(running.graph.sent(tenant.wa_id)) == len(replies)
    assert sum(e["event"] == "user" for e in tracker_events(running.stack, tenant.sender)) == 1


@pytest.mark.parametrize(
    ("signature", "status", "logged"),
    [
        (None, 401, "missing signature"),  # no X-Hub-Signature-256
        ("sha256=" + "ab" * 32, 403, "wrong signature"),  # forged
    ],
)
def test_bad_signatures_are_refused_and_logged(
    running: Running, signature: str | None, status: int, logged: str
) -> None:
    wa_id = new_wa_id()
    code, _ = running.meta.post(
        running.webhook, running.meta.text(wa_id, "hallo"), signature=signature
    )
    assert code == status
    assert logged in running.stack.log()
    assert APP_SECRET not in running.stack.log()
    time.sleep(0.5)
    assert running.graph.sent(wa_id) == []


def test_malformed_body_is_a_400(running: Running) -> None:
    status, body = running.meta.post(
        running.webhook, None, raw=b'{"object": "whatsapp_business_account", "entry": 5'
    )
    assert status == 400 and body == {"error": "body is geen JSON"}
    # ...and the server goes on serving.
    assert get(f"{running.stack.url}/webhooks/whatsapp/")[0] == 200


def test_status_callback_is_accepted_and_nothing_is_sent(running: Running) -> None:
    before = len(running.graph.requests)
    for status in ("sent", "delivered", "read", "failed"):
        errors = (
            [{"code": 131026, "title": "Message undeliverable"}] if status == "failed" else None
        )
        payload = running.meta.status(f"wamid.{uuid.uuid4().hex}", status, new_wa_id(), errors)
        assert running.meta.post(running.webhook, payload)[0] == 200
    time.sleep(0.5)
    assert len(running.graph.requests) == before
    assert "failed: 131026: Message undeliverable" in running.stack.log()


def test_photo_is_downloaded_stored_and_acknowledged(running: Running) -> None:
    tenant = WhatsAppTenant(running)
    jpeg = tiny_jpeg()
    media_id = f"media-{uuid.uuid4().hex[:8]}"
    running.graph.add_media(media_id, jpeg)
    replies = tenant.post(running.meta.image(tenant.wa_id, media_id))
    assert any("foto" in m.get("text", {}).get("body", "") for m in replies), replies
    stored_files = [p for p in running.uploads.rglob("*.jpg") if p.read_bytes() == jpeg]
    assert len(stored_files) == 1
    assert count(running.stack.database_url, Attachment.id) >= 1
    paths = {r.path for r in running.graph.requests if r.method == "GET"}
    assert {f"/{media_id}", f"/media-download/{media_id}"} <= paths


def test_after_24_hours_only_the_template_is_sent(running: Running) -> None:
    # Meta delivers a message the tenant sent 25 hours ago (its retries run for days): the
    # window is closed, so the bot's answer and an agent's reply go as the template.
    tenant = WhatsAppTenant(running)
    late = running.meta.text(tenant.wa_id, "hallo", timestamp=time.time() - 25 * HOUR)
    replies = tenant.post(late)
    assert replies and {m["type"] for m in replies} == {"template"}
    agent_replies(running, tenant)
    last = running.graph.sent(tenant.wa_id)[-1]
    assert last["type"] == "template" and last["template"]["name"] == "meldkamer_update"
    assert (
        last["template"]["components"][0]["parameters"][0]["text"]
        == "Medewerker Sanne: Ik bel u zo."
    )
    assert running.graph.refused() == []


# --- faults: the action server down, the Rasa server killed (these restart processes) ----------


def test_silence_with_the_action_server_down_gets_an_apology(running: Running) -> None:
    stack = running.stack
    tenant = WhatsAppTenant(running)
    os.kill(stack.processes[0].pid, signal.SIGKILL)
    try:
        status, _ = running.meta.post(running.webhook, running.meta.text(tenant.wa_id, "hallo"))
        assert status == 200
        running.graph.wait_for_sent(1, to=tenant.wa_id)
        assert [m["text"]["body"] for m in running.graph.sent(tenant.wa_id)] == [APOLOGY]
    finally:
        stack.restart(0)


def test_a_message_acknowledged_before_a_crash_is_answered_once_after_restart(
    running: Running,
) -> None:
    """200 given, then ``kill -9`` while the bot waits for a stalled action server."""
    stack = running.stack
    tenant = WhatsAppTenant(running)
    actions = stack.processes[0]
    os.kill(actions.pid, signal.SIGSTOP)  # the action server hangs: the turn cannot end
    try:
        payload = running.meta.text(tenant.wa_id, "de leiding onder de gootsteen is gesprongen")
        assert running.meta.post(running.webhook, payload)[0] == 200
        time.sleep(1)  # the bot is now waiting for the stalled action server
        os.kill(stack.processes[1].pid, signal.SIGKILL)
        assert running.graph.sent(tenant.wa_id) == []
    finally:
        os.kill(actions.pid, signal.SIGCONT)
    stack.restart(1)
    running.graph.wait_for_sent(1, to=tenant.wa_id)
    wait_for_turns(stack, tenant.sender, 1)
    users = [e for e in tracker_events(stack, tenant.sender) if e["event"] == "user"]
    assert [e["text"] for e in users] == ["de leiding onder de gootsteen is gesprongen"]
    # Meta retries the message (as it would without our 200): nothing new.
    sent = len(running.graph.sent(tenant.wa_id))
    assert running.meta.post(running.webhook, payload)[0] == 200
    time.sleep(1.5)
    assert len(running.graph.sent(tenant.wa_id)) == sent
    assert not list(stack.inbox.rglob("*.json"))
