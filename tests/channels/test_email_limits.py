"""New e-mail conversations per sender address are limited like the other channels'.

The channel runs with a collecting bot (the assistant's side is in
tests/e2e/test_email_e2e.py), the demo clients' database and the fake SMTP server
for its answers; the limiter's clock is moved by the test.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import UserMessage

from channels.common.inbox import Inbox
from channels.common.limits import TOO_MANY_CONVERSATIONS
from channels.email import EmailInput, intake
from channels.email.outgoing import Outgoing
from channels.email.settings import EmailSettings
from meldkamer.composition import collaborators
from meldkamer.contact import EMERGENCY_PHONE, MELDKAMER_PHONE
from meldkamer.ratelimit import Limit
from tests.fakes.mail import SmtpServer
from tests.security.test_rate_limits import HOURS, Clock, sender_intake

TENANT = "huurder@example.nl"


class Bot:
    """Hears the tenant and answers, as the assistant would."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    async def __call__(self, message: UserMessage) -> None:
        self.heard.append(message.text or "")
        await message.output_channel.send_response(message.sender_id, {"text": "Dank u."})


def mail(number: int, text: str, sender: str = TENANT, answers: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "storing@de-linde.example.nl"
    message["Subject"] = f"Melding {number}"
    message["Message-ID"] = f"<melding-{number}@example.nl>"
    if answers:
        message["In-Reply-To"] = answers
    message.set_content(text)
    return bytes(message)


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


async def test_new_mail_conversations_per_address_are_limited_and_told_once(
    demo_sessions: Any, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    clock = Clock()
    settings = EmailSettings(smtp=smtp_server.settings())
    channel = EmailInput(
        settings,
        inbox=Inbox(tmp_path / "in"),
        outgoing=Outgoing(settings.smtp, Inbox(tmp_path / "out")),
        intake_services=intake.Services(
            collaborators(demo_sessions), sender_intake(clock, Limit(2, 24 * HOURS))
        ),
        clock=clock,
    )
    bot = Bot()
    sent = smtp_server.mailbox.messages

    assert await channel.handle(mail(1, "Lekkage in de keuken."), bot) == "answered"
    ours = str(sent[-1]["Message-ID"])
    # The tenant's answer in the same thread is no new conversation.
    assert await channel.handle(mail(2, "Het is erger.", answers=ours), bot) == "answered"
    assert await channel.handle(mail(3, "Nu ook de cv kapot."), bot) == "answered"
    refused = await channel.handle(mail(4, "En de deur klemt."), bot)
    assert refused.startswith("refused")
    # Told once in the window: a forged sender must not let us flood someone's inbox.
    assert (await channel.handle(mail(5, "En het raam."), bot)).startswith("refused")
    assert await channel.handle(mail(6, "Gaslucht.", sender="buren@example.nl"), bot) == "answered"

    assert bot.heard == [
        "Lekkage in de keuken.",
        "Het is erger.",
        "Nu ook de cv kapot.",
        "Gaslucht.",
    ]
    to_tenant = [m for m in sent if str(m["To"]) == TENANT]
    assert len(to_tenant) == 4
    told = to_tenant[-1]
    assert TOO_MANY_CONVERSATIONS in " ".join(body(told).split())
    assert MELDKAMER_PHONE in body(told) and EMERGENCY_PHONE in body(told)
    assert told["In-Reply-To"] == "<melding-4@example.nl>"

    clock.now += 24 * HOURS + 1
    assert await channel.handle(mail(7, "Lekkage bij de buren."), bot) == "answered"
    assert bot.heard[-1] == "Lekkage bij de buren."
