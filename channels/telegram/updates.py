"""What a Telegram update means for Meldkamer: text, a button press, a photo, or nothing.

Only private chats count: a melding holds a tenant's address and phone number, and one
conversation per person is what the assistant expects. Everything else Telegram sends a
bot (edits, group and channel posts, member changes, service messages) is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from telegram import Bot, Message, Update, User
from telegram.constants import ChatType

#: Telegram's usual commands, as the Rasa messages they stand for.
COMMANDS = {
    "start": "/greet",
    "help": "/greet",
    "stop": "/stop",
    "medewerker": "/vraag_medewerker",
}
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s.*)?$", re.DOTALL)
_SENDER = re.compile(r"^tg-(-?\d{1,20})$")


@dataclass(frozen=True)
class TextIn:
    """The tenant typed something."""

    chat_id: int
    text: str
    #: The sender's first and last name as Telegram shows them, unchecked.
    sender_name: str | None = None


@dataclass(frozen=True)
class ButtonIn:
    """The tenant pressed an inline button; ``data`` is its callback data."""

    chat_id: int
    query_id: str
    data: str
    #: The message the button belongs to, its text and the button's title: for showing
    #: the choice in the chat (a press leaves no message of the tenant's own).
    message_id: int | None = None
    question: str | None = None
    title: str | None = None
    sender_name: str | None = None


@dataclass(frozen=True)
class PhotoIn:
    """A photo, or an image sent as a file; the largest size Telegram has of it."""

    chat_id: int
    file_id: str
    size: int | None
    caption: str | None = None
    sender_name: str | None = None


@dataclass(frozen=True)
class UnsupportedIn:
    """A sticker, voice message, location, document, ...: the tenant gets a hint."""

    chat_id: int


Incoming = TextIn | ButtonIn | PhotoIn | UnsupportedIn


def sender_id(chat_id: int) -> str:
    """The Rasa conversation id of a Telegram chat."""
    return f"tg-{chat_id}"


def chat_id_of(sender: str) -> int:
    """The chat id in a Rasa conversation id ``tg-<chat_id>``; ValueError for others."""
    found = _SENDER.match(sender)
    if not found:
        raise ValueError(f"{sender!r} is not a Telegram conversation (tg-<chat id>)")
    return int(found.group(1))


def as_rasa_text(text: str) -> str:
    """Commands become their intents; other text starting with ``/`` loses the slash.

    Button payloads (``/inform{...}``) only come from callback data: a tenant typing one
    must not set triage facts directly.
    """
    text = text.strip()
    found = _COMMAND.match(text)
    if found and found.group(1).lower() in COMMANDS:
        return COMMANDS[found.group(1).lower()]
    return text.lstrip("/").strip() if text.startswith("/") else text


def to_update(data: Any, bot: Bot | None) -> Update | None:
    """A Telegram update from a decoded webhook body; ``None`` if it is not one."""
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        return None
    try:
        return Update.de_json(data, bot)
    except Exception:  # the body is untrusted: any shape error means "not an update"
        return None


def parse_update(update: Update) -> Incoming | None:
    """What the update asks of the assistant; ``None`` for updates it ignores."""
    if update.callback_query is not None:
        return _button(update)
    message = update.message
    if message is None or message.chat.type != ChatType.PRIVATE:
        return None
    return _message(message)


def name_of(user: User | None) -> str | None:
    """A person's first and last name as Telegram has them; ``None`` for a bot or nobody."""
    if user is None or user.is_bot:
        return None
    parts = (part for part in (user.first_name, user.last_name) if isinstance(part, str))
    return " ".join(part.strip() for part in parts if part.strip()) or None


def _message(message: Message) -> Incoming | None:
    chat_id = message.chat.id
    name = name_of(message.from_user)
    if message.text is not None:
        return TextIn(chat_id, message.text, sender_name=name)
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        return PhotoIn(chat_id, largest.file_id, largest.file_size, message.caption, name)
    document = message.document
    if document is not None and (document.mime_type or "").startswith("image/"):
        # A photo sent "as a file" (uncompressed): the store checks the bytes anyway.
        return PhotoIn(chat_id, document.file_id, document.file_size, message.caption, name)
    if message.effective_attachment is not None:
        return UnsupportedIn(chat_id)
    # Service messages (pinned, auto-delete timer changed, ...) say nothing to the bot.
    return None


def _button(update: Update) -> ButtonIn | None:
    query = update.callback_query
    if query is None or query.data is None:
        return None
    message = query.message
    if message is not None and message.chat.type != ChatType.PRIVATE:
        return None
    # Without the message (too old to show) the private chat's id is the user's id.
    chat_id = message.chat.id if message is not None else query.from_user.id
    name = name_of(query.from_user)
    if not isinstance(message, Message):
        return ButtonIn(chat_id, query.id, query.data, sender_name=name)
    return ButtonIn(
        chat_id,
        query.id,
        query.data,
        message_id=message.message_id,
        question=message.text,
        title=_title_of(message, query.data),
        sender_name=name,
    )


def _title_of(message: Message, data: str) -> str | None:
    markup = message.reply_markup
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None
