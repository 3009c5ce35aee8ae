"""E-mail and SMS conversations in the console: labelled, the original mail readable, and
the agent's reply on its way back by mail in the thread or by SMS.

The console talks to the loopback fake Rasa of conftest.py. Which output channel Rasa
then uses is decided by Rasa's own code (``rasa.server._get_output_channel`` and the
processor's side effects), replayed here on the tracker the fake holds, with the real
e-mail and SMS channels and their loopback fakes (SMTP server, SMS gateway).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.server import _get_output_channel
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from channels.common.inbox import Inbox
from channels.email import EmailInput
from channels.email.outgoing import Outgoing
from channels.email.output import EmailOutput
from channels.email.settings import EmailSettings
from channels.email.trackers import RasaTrackers
from channels.sms import SmsInput
from channels.sms.output import SmsOutput
from meldkamer.handover.service import request_handover
from meldkamer.mailin import METADATA_KEY
from meldkamer.mailin.reply import Thread
from tests.console.conftest import NOW, Agent, FakeRasa, summary
from tests.console.test_queue import next_event
from tests.fakes.mail import SmsGateway, SmtpServer
from tests.fakes.sms_inbound import INBOUND_SECRET

MAIL = "mail-" + "0123456789abcdef0123"
SMS = "sms-31612345678"
TENANT = "fatima@example.nl"
MAIL_ID = "<lekkage-1@example.nl>"
ORIGINAL = (
    "Hallo,\n\nEr lekt water door het plafond <script>alert('x')</script> & het wordt erger."
    "\n\nMet vriendelijke groet,\nFatima el Amrani"
)


def mail_facts(message_id: str = MAIL_ID, original: str = ORIGINAL) -> dict[str, Any]:
    """What the e-mail channel puts in each tenant message's metadata."""
    thread = Thread(TENANT, "Lekkage", message_id)
    return {
        METADATA_KEY: {
            "message_id": message_id,
            "thread": thread.to_dict(),
            "contact": {"name": "Fatima el Amrani"},
            "original": original,
        }
    }


def tenant(rasa: FakeRasa, conversation_id: str, text: str, channel: str, facts: Any) -> None:
    """A tenant's message as Rasa keeps it: its channel, metadata and NLU result."""
    parsed = {"text": text, "intent": {"name": "inform"}, "entities": []}
    rasa.add(
        conversation_id, "user", text, input_channel=channel, metadata=facts, parse_data=parsed
    )


def a_mail_conversation(rasa: FakeRasa) -> None:
    """A first mail, a detail the channel answered from it, the bot's question."""
    facts = mail_facts()
    tenant(rasa, MAIL, "Er lekt water door het plafond", "email", facts)
    rasa.add(MAIL, "bot", "Wat is uw adres?")
    tenant(rasa, MAIL, "1234 AB 12", "email", facts)
    rasa.add(MAIL, "bot", "Kunt u het water afsluiten?")


def handed_over(sessions: Any, conversation_id: str, channel: str) -> int:
    with sessions.begin() as session:
        return request_handover(
            session,
            conversation_id=conversation_id,
            channel=channel,
            reason="Huurder vraagt om een medewerker",
            summary=summary(),
            now=NOW,
        ).id


async def taken_by(agent: Agent, handover_id: int) -> int:
    assert (await agent.post(f"/overnemen/{handover_id}")).status == 303
    return handover_id


async def test_a_mail_conversation_shows_the_original_mail_escaped_once(
    sanne: Agent, sessions: Any, fake_rasa: FakeRasa
) -> None:
    a_mail_conversation(fake_rasa)
    handover_id = handed_over(sessions, MAIL, "email")
    queue = await (await sanne.get("/")).text()
    assert ">e-mail</td>" in queue and ">email</td>" not in queue  # the channel in Dutch
    await taken_by(sanne, handover_id)
    page = await (await sanne.get(f"/gesprek/{handover_id}")).text()
    assert " · e-mail · " in page  # the channel in Dutch, not its code
    assert page.count("Oorspronkelijke e-mail") == 1  # with the mail's first message only
    assert "<details" in page and "<summary>Oorspronkelijke e-mail</summary>" in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; het wordt erger." in page
    assert "Met vriendelijke groet,\nFatima el Amrani" in page  # as text, lines kept
    assert "per e-mail" in page and "per e-mail, uit hetzelfde bericht" in page
    # ... and the same through the live stream
    stream = await sanne.get(f"/api/gesprek/{handover_id}/events")
    html = (await next_event(stream, "gesprek"))["html"]
    stream.close()
    assert html.count("Oorspronkelijke e-mail") == 1 and "&lt;script&gt;" in html
    assert "<script>alert" not in html


async def test_a_second_mail_in_the_thread_has_its_own_original(
    sanne: Agent, sessions: Any, fake_rasa: FakeRasa
) -> None:
    a_mail_conversation(fake_rasa)
    answer = mail_facts("<antwoord-2@example.nl>", "Nee, de kraan zit vast.\n\n> Kunt u ...")
    tenant(fake_rasa, MAIL, "Nee, de kraan zit vast.", "email", answer)
    handover_id = await taken_by(sanne, handed_over(sessions, MAIL, "email"))
    page = await (await sanne.get(f"/gesprek/{handover_id}")).text()
    assert page.count("Oorspronkelijke e-mail") == 2
    assert "&gt; Kunt u ..." in page


async def test_an_sms_conversation_is_labelled_without_a_mail(
    sanne: Agent, sessions: Any, fake_rasa: FakeRasa
) -> None:
    facts = {METADATA_KEY: {"message_id": "in-1"}}
    tenant(fake_rasa, SMS, "ik ben buitengesloten", "sms", facts)
    handover_id = await taken_by(sanne, handed_over(sessions, SMS, "sms"))
    page = await (await sanne.get(f"/gesprek/{handover_id}")).text()
    assert " · sms · " in page and "per sms" in page
    assert "Oorspronkelijke e-mail" not in page


async def test_a_chat_is_shown_as_before(sanne: Agent, sessions: Any, fake_rasa: FakeRasa) -> None:
    chat = "web-" + "b" * 32
    tenant(fake_rasa, chat, "lekkage", "webchat", {})
    handover_id = await taken_by(sanne, handed_over(sessions, chat, "webchat"))
    page = await (await sanne.get(f"/gesprek/{handover_id}")).text()
    assert "lekkage" in page and "per webchat" not in page and "Oorspronkelijke" not in page


# --- the agent's reply: what Rasa does with what the console sends ---------------------------


async def replay_in_rasa(rasa: FakeRasa, conversation_id: str, channels: list[Any]) -> Any:
    """Rasa's handling of the console's last POST: the output channel and its side effects."""
    posted_to, body, query = rasa.posted[-1]
    assert posted_to == conversation_id
    assert query["output_channel"] == "latest" and query["execute_side_effects"] == "true"
    tracker = DialogueStateTracker.from_dict(conversation_id, rasa.events[conversation_id])
    store = InMemoryTrackerStore(Domain.empty())
    await store.save(tracker)
    app = SimpleNamespace(ctx=SimpleNamespace(input_channels=channels, agent=None))
    app.ctx.agent = SimpleNamespace(tracker_store=store)
    for channel in channels:
        if isinstance(getattr(channel, "trackers", None), RasaTrackers):
            channel.trackers.app = app
    output = _get_output_channel(SimpleNamespace(args=query, app=app), tracker)
    await MessageProcessor._send_bot_messages(
        [Event.from_parameters(e) for e in body], tracker, output
    )
    return output


@dataclass
class Outside:
    """The e-mail and SMS channels as the Rasa server has them, and where they send to."""

    smtp: SmtpServer
    gateway: SmsGateway
    email: EmailInput
    sms: SmsInput


@pytest.fixture
def outside(smtp_server: SmtpServer, sms_gateway: SmsGateway, tmp_path: Path) -> Outside:
    settings = EmailSettings(smtp=smtp_server.settings())
    email = EmailInput(
        settings,
        inbox=Inbox(tmp_path / "in"),
        outgoing=Outgoing(settings.smtp, Inbox(tmp_path / "out")),
    )
    sms = SmsInput(INBOUND_SECRET, sms_gateway.settings(), inbox=Inbox(tmp_path / "sms"))
    return Outside(smtp_server, sms_gateway, email, sms)


async def test_the_agents_reply_goes_out_as_a_mail_in_the_thread(
    sanne: Agent, sessions: Any, fake_rasa: FakeRasa, outside: Outside
) -> None:
    a_mail_conversation(fake_rasa)
    handover_id = await taken_by(sanne, handed_over(sessions, MAIL, "email"))
    answer = await sanne.post(f"/gesprek/{handover_id}/antwoord", {"tekst": "Wij komen eraan."})
    assert answer.status == 303
    output = await replay_in_rasa(fake_rasa, MAIL, [outside.sms, outside.email])
    assert isinstance(output, EmailOutput)
    sent: list[EmailMessage] = outside.smtp.mailbox.messages
    assert [str(m["To"]) for m in sent] == [TENANT]
    assert sent[0]["In-Reply-To"] == MAIL_ID and "Lekkage" in str(sent[0]["Subject"])
    text = " ".join(str(sent[0].get_body(("plain",)).get_content()).split())
    assert "Medewerker Sanne de Vries: Wij komen eraan." in text
    assert outside.gateway.accepted == []


async def test_the_agents_reply_goes_out_as_an_sms(
    sanne: Agent, sessions: Any, fake_rasa: FakeRasa, outside: Outside
) -> None:
    facts = {METADATA_KEY: {"message_id": "in-1"}}
    tenant(fake_rasa, SMS, "ik ben buitengesloten", "sms", facts)
    handover_id = await taken_by(sanne, handed_over(sessions, SMS, "sms"))
    answer = await sanne.post(f"/gesprek/{handover_id}/antwoord", {"tekst": "Ik bel u nu."})
    assert answer.status == 303
    output = await replay_in_rasa(fake_rasa, SMS, [outside.email, outside.sms])
    assert isinstance(output, SmsOutput)
    assert [(r["to"], r["text"]) for r in outside.gateway.accepted] == [
        ("+31612345678", "Medewerker Sanne de Vries: Ik bel u nu.")
    ]
    assert outside.smtp.mailbox.messages == []
