"""Mails that must never be answered: robots, bounces, mailing lists and our own.

Answering an out-of-office reply makes a loop; answering a bounce mails a robot; a
list post is not a tenant. RFC 3834 (``Auto-Submitted``), the older ``Precedence``
header, Microsoft's and others' auto-reply headers, delivery reports (RFC 3464) and the
marker on every mail we send decide. The reason is logged, never shown to a tenant.
"""

from __future__ import annotations

from collections.abc import Collection
from email.message import Message
from email.utils import getaddresses

#: The header every mail of ours carries; a mail with it came back to us (a loop).
OWN_MARKER = "X-Meldkamer-Loop"

_ROBOT_SENDERS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply")
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply", "auto-reply"})
_AUTO_REPLY_HEADERS = (
    "X-Autoreply",
    "X-Autorespond",
    "X-Autoresponder",
    "X-Auto-Response",
)


def _header(message: Message, name: str) -> str:
    return str(message.get(name, "") or "").strip().lower()


def never_answer(message: Message, own_addresses: Collection[str] = ()) -> str | None:
    """Why ``message`` must not be answered (``None``: a person wrote it, as far as we can tell).

    ``own_addresses`` are the addresses we send from (lower case): a mail from one of
    them is our own coming back.
    """
    if message.get(OWN_MARKER) is not None:
        return "eigen bericht (lus)"
    senders = [address.lower() for _, address in getaddresses(message.get_all("From", []))]
    if any(address in own_addresses for address in senders):
        return "eigen afzender"
    auto = _header(message, "Auto-Submitted")
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    if _header(message, "Precedence") in _BULK_PRECEDENCE:
        return f"Precedence: {_header(message, 'Precedence')}"
    if any(message.get(name) is not None for name in _AUTO_REPLY_HEADERS):
        return "automatisch antwoord"
    suppress = _header(message, "X-Auto-Response-Suppress")
    if "oof" in suppress or suppress == "all":
        return "automatisch antwoord (afwezigheid)"
    if message.get("List-Id") is not None or message.get("List-Unsubscribe") is not None:
        return "mailinglijst"
    if message.get_content_type() == "multipart/report" or _header(message, "Return-Path") == "<>":
        return "onbestelbaar-melding"
    if any(address.split("@")[0] in _ROBOT_SENDERS for address in senders):
        return "afzender is een systeem"
    return None
