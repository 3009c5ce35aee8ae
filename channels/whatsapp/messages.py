"""The bodies the Cloud API accepts, built from Rasa's text, buttons and images.

Pure functions. WhatsApp's limits decide the form of a question with buttons:
up to 3 choices are reply buttons, up to 10 a list, more a numbered text the tenant
answers with a number. Titles are shortened to fit; a payload too long to be a reply id
travels as a short token the channel maps back (see :func:`reply_id`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 4096
#: The body of an interactive message.
MAX_BODY = 1024
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_ROW_ID = 200
#: Template parameters: WhatsApp caps the whole body at 1024 characters.
MAX_PARAMETER = 900
LIST_BUTTON = "Kies"
SECTION_TITLE = "Kies een antwoord"
DEFAULT_BODY = "Maak een keuze."
NUMBER_HINT = "Antwoord met het nummer van uw keuze."
#: Reply ids that stand for a payload kept by the channel.
TOKEN_PREFIX = "mk:"
_ELLIPSIS = "…"


@dataclass(frozen=True)
class Choice:
    """A button as Rasa gives it: what the tenant sees, what the bot receives."""

    title: str
    payload: str


def choices_from_buttons(buttons: list[dict[str, Any]]) -> list[Choice]:
    """Rasa's buttons as choices; a button without payload answers with its title."""
    found = []
    for button in buttons:
        title = str(button.get("title") or "").strip()
        payload = str(button.get("payload") or "").strip() or title
        if payload:
            found.append(Choice(title or payload, payload))
    return found


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, cut at paragraphs, lines or words."""
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        # No break in the first half: cut mid-word rather than leave tiny parts.
        cut = cut if cut > limit // 2 else limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts


def interactive_parts(text: str) -> tuple[list[str], str]:
    """Text messages to send first, and the body of the interactive message after them.

    A body has room for 1024 characters; when the text is longer its last paragraph,
    usually the question itself, is the body and the rest goes before it as text.
    """
    text = text.strip()
    if len(text) <= MAX_BODY:
        return [], text
    head, separator, last = text.rpartition("\n\n")
    if separator and head.strip() and len(last.strip()) <= MAX_BODY:
        return split_text(head), last.strip()
    parts = split_text(text, MAX_BODY)
    return parts[:-1], parts[-1]


def shorten(title: str, limit: int) -> str:
    """``title`` in at most ``limit`` characters, cut after a whole word with an ellipsis."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    room = title[: limit - 1]
    cut = room.rfind(" ")
    # Keep whole words when that leaves a readable start; else cut the word.
    head = room[:cut] if cut >= limit // 2 else room
    return head.rstrip(" ,.;:-") + _ELLIPSIS


def _unique_titles(titles: list[str], limit: int) -> list[str]:
    """WhatsApp refuses two equal titles in one message: number the repeats."""
    seen: set[str] = set()
    unique = []
    for title in titles:
        candidate, number = title, 2
        while candidate in seen:
            suffix = f" {number}"
            candidate = shorten(title, limit - len(suffix)) + suffix
            number += 1
        seen.add(candidate)
        unique.append(candidate)
    return unique


def token_for(payload: str) -> str:
    """A short, stable reply id for a payload that does not fit."""
    return TOKEN_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:32]


def reply_id(payload: str, limit: int) -> str:
    """The reply id for ``payload``: the payload itself when it fits, else its token."""
    if len(payload) <= limit and not payload.startswith(TOKEN_PREFIX):
        return payload
    return token_for(payload)


def reply_ids(choices: list[Choice], limit: int) -> list[str]:
    """Reply ids for the choices, distinct as WhatsApp requires."""
    ids: list[str] = []
    for index, choice in enumerate(choices):
        identifier = reply_id(choice.payload, limit)
        if identifier in ids:
            # The same payload twice: the repeat gets a token of its own.
            identifier = token_for(f"{index}:{choice.payload}")
        ids.append(identifier)
    return ids


def text_body(text: str) -> dict[str, Any]:
    """A plain text message (``text`` at most :data:`MAX_TEXT` characters)."""
    return {"type": "text", "text": {"body": text, "preview_url": False}}


def image_body(url: str) -> dict[str, Any]:
    """An image by link."""
    return {"type": "image", "image": {"link": url}}


def _interactive(kind: str, text: str, action: dict[str, Any]) -> dict[str, Any]:
    """An interactive message of ``kind`` (button, list); its body text may not be empty."""
    return {
        "type": "interactive",
        "interactive": {"type": kind, "body": {"text": text or DEFAULT_BODY}, "action": action},
    }


def button_body(text: str, choices: list[Choice], ids: list[str]) -> dict[str, Any]:
    """Reply buttons for at most :data:`MAX_BUTTONS` choices."""
    titles = _unique_titles([shorten(c.title, MAX_BUTTON_TITLE) for c in choices], MAX_BUTTON_TITLE)
    buttons = [
        {"type": "reply", "reply": {"id": identifier, "title": title}}
        for identifier, title in zip(ids, titles, strict=True)
    ]
    return _interactive("button", text, {"buttons": buttons})


def list_body(text: str, choices: list[Choice], ids: list[str]) -> dict[str, Any]:
    """A list of at most :data:`MAX_ROWS` rows; a shortened title's full text is the description."""
    titles = _unique_titles([shorten(c.title, MAX_ROW_TITLE) for c in choices], MAX_ROW_TITLE)
    rows: list[dict[str, str]] = []
    for identifier, title, choice in zip(ids, titles, choices, strict=True):
        row = {"id": identifier, "title": title}
        if title != " ".join(choice.title.split()):
            row["description"] = shorten(choice.title, MAX_ROW_DESCRIPTION)
        rows.append(row)
    sections = [{"title": SECTION_TITLE, "rows": rows}]
    return _interactive("list", text, {"button": LIST_BUTTON, "sections": sections})


def numbered_text(text: str, choices: list[Choice]) -> str:
    """The question with its choices numbered, for when buttons and lists do not fit."""
    lines = [f"{number}. {choice.title}" for number, choice in enumerate(choices, start=1)]
    head = f"{text.strip()}\n\n" if text.strip() else ""
    return head + "\n".join(lines) + f"\n\n{NUMBER_HINT}"


def template_parameter(text: str) -> str:
    """``text`` as a template parameter: WhatsApp refuses newlines, tabs and long runs of spaces."""
    flat = re.sub(r"\s*\n\s*", " | ", text.strip())
    flat = re.sub(r"\s+", " ", flat)
    return shorten(flat, MAX_PARAMETER) if len(flat) > MAX_PARAMETER else flat


def template_body(name: str, language: str, text: str) -> dict[str, Any]:
    """The approved template with ``text`` as its one body parameter."""
    return {
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": language},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": template_parameter(text)}]}
            ],
        },
    }


def addressed(to: str, body: dict[str, Any]) -> dict[str, Any]:
    """The full request body for ``POST /{phone_number_id}/messages``."""
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **body}
