"""The answer mail: what the assistant said, its options spelled out, in the tenant's thread.

One mail per tenant mail (not one per bot message): the bot's messages in order, the
last question's options numbered, what happened to attachments, a link to the web
chat, and the quoted question the tenant answers to. The headers thread it
(``In-Reply-To``, ``References``, ``Re:`` subject with the ticket number) and mark it
as ours, so a robot's answer to it and our own copy coming back are never answered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from meldkamer.contact import EMERGENCY_PHONE, MELDKAMER_PHONE
from meldkamer.mailin.choices import numbered
from meldkamer.mailin.hygiene import OWN_MARKER
from meldkamer.mailin.threads import reply_subject

#: Said when a mail could not be read; agents have it.
UNREADABLE_REPLY = (
    "Wij hebben uw e-mail ontvangen, maar konden hem niet automatisch lezen. "
    "Een medewerker van de meldkamer bekijkt hem zo snel mogelijk."
)
#: Said when an acuut mail goes to the agents' queue at once.
ACUUT_QUEUED = (
    "Dit klinkt dringend. Uw melding staat bij onze medewerkers bovenaan de lijst. "
    "Wij nemen zo snel mogelijk contact met u op."
)
ACUUT_CALL_BACK = "Wij bellen u terug op {phone}."
ACUUT_NO_PHONE = f"Wacht niet op onze e-mail: bel de meldkamer, dag en nacht, op {MELDKAMER_PHONE}."
NOT_A_PHOTO = (
    "De bijlage {name} hebben wij niet gebruikt: wij nemen alleen foto's aan "
    "(JPG, PNG, WebP of HEIC)."
)
PHOTO_REFUSED = "De foto {name} hebben wij niet gebruikt: {reason}"
CONTINUE_BY_MAIL = "U kunt gewoon op deze e-mail antwoorden."
WEBCHAT = "Sneller: chat met onze digitale assistent via {url}"
FOOTER = (
    f"Meldkamer storingsdienst, dag en nacht bereikbaar op {MELDKAMER_PHONE}. "
    f"Is er gevaar voor mensen? Bel {EMERGENCY_PHONE}."
)
AGENT_PREFIX = "Medewerker {name}:"


@dataclass(frozen=True)
class Thread:
    """Where the answer goes: the tenant, the subject and the ids it answers."""

    recipient: str
    subject: str
    message_id: str
    references: tuple[str, ...] = ()
    ticket: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "subject": self.subject,
            "message_id": self.message_id,
            "references": list(self.references),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Thread:
        return cls(
            recipient=str(data["recipient"]),
            subject=str(data.get("subject") or ""),
            message_id=str(data.get("message_id") or ""),
            references=tuple(str(r) for r in data.get("references") or ()),
        )


@dataclass(frozen=True)
class ReplyText:
    """The parts of the answer, in the order they are written."""

    said: Sequence[Mapping[str, Any]] = ()
    notes: Sequence[str] = ()
    webchat_url: str | None = None
    quoted: str = ""
    asks: bool = field(default=True)


def bot_text(said: Sequence[Mapping[str, Any]]) -> str:
    """The bot's messages as paragraphs; the last one with buttons gets them numbered."""
    paragraphs = []
    for index, message in enumerate(said):
        text = str(message.get("text") or "").strip()
        agent = message.get("agent")
        if agent:
            text = f"{AGENT_PREFIX.format(name=agent)} {text}"
        buttons = message.get("buttons") or []
        if buttons and index == _last_with_buttons(said):
            text = f"{text}\n{numbered(buttons)}".strip()
        if text:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def _last_with_buttons(said: Sequence[Mapping[str, Any]]) -> int:
    return max((i for i, m in enumerate(said) if m.get("buttons")), default=-1)


def reply_body(parts: ReplyText) -> str:
    """The whole plain-text body."""
    blocks = [bot_text(parts.said), *parts.notes]
    if parts.asks:
        blocks.append(CONTINUE_BY_MAIL)
        if parts.webchat_url:
            blocks.append(WEBCHAT.format(url=parts.webchat_url))
    blocks.append(f"-- \n{FOOTER}")
    if parts.quoted.strip():
        blocks.append("\n".join("> " + line for line in parts.quoted.strip().splitlines()))
    return "\n\n".join(block for block in blocks if block.strip()) + "\n"


def build_reply(thread: Thread, body: str, *, mail_from: str, message_id: str) -> EmailMessage:
    """The answer as a threaded, plain-text UTF-8 mail, marked as ours."""
    email = EmailMessage()
    email["From"] = mail_from
    email["To"] = thread.recipient
    email["Subject"] = reply_subject(thread.subject, thread.ticket)
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = message_id
    if thread.message_id:
        email["In-Reply-To"] = thread.message_id
        references = [*thread.references, thread.message_id]
        email["References"] = " ".join(dict.fromkeys(references[-20:]))
    # RFC 3834: robots must not answer this; the marker finds our own mail coming back.
    email["Auto-Submitted"] = "auto-replied"
    email[OWN_MARKER] = "1"
    email.set_content(body, charset="utf-8", cte="quoted-printable")
    return email
