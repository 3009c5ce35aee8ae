"""Rasa's REST channel with checked input and an apology when the action server is away.

Registered in credentials.yml as ``channels.rest.RestInput``; it keeps the name ``rest``,
so the URLs stay ``/webhooks/rest/`` (health) and ``/webhooks/rest/webhook``.

What differs from Rasa's own channel:

* The body is checked before Rasa sees it: a JSON object with ``sender`` (text, at most
  255 characters: the tracker store's column) and ``message`` (text, at most
  :data:`MAX_TEXT` characters), optional ``metadata`` (an object) and ``input_channel``
  (text). Anything else is a 400 (413 when too long) with ``{"error": ...}``, never a 500.
* Rasa says nothing when a custom action fails: a tenant whose message reached the bot
  while the action server was down would get an empty answer. When handling a message
  produced no bot message and the action server does not answer ``/health`` within
  a second (channels/common/apology.py), the channel answers with :data:`APOLOGY`. What the
  tenant told before is kept in the tracker; the next message continues the melding.
* Nobody can pose as a tenant of another channel: a ``sender`` in another channel's id
  space (:data:`OTHER_CHANNELS`: ``wa-``, ``tg-``, ``web-``, ``tel-``) is refused with 403,
  and the body's ``input_channel`` and ``metadata`` are checked but never passed on (the
  message is always ``rest``'s, without metadata), so a client cannot move where the
  agent's next reply goes.
* It is meant for local use and integrations with a secret: with ``MELDKAMER_REST_SECRET``
  set, every message needs ``Authorization: Bearer <secret>``; in production
  (``MELDKAMER_PRODUCTION``) without that secret the channel is off (403 on every message).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common.apology import APOLOGY, action_server_answers, action_url_of
from meldkamer.logformat import bound
from rasa_addons.deployment import PRODUCTION_ENV, is_production

logger = logging.getLogger(__name__)

#: The longest message text accepted. Longer than the web chat's 5000: REST clients (an
#: integration, a test) may paste a long description, which the bot reads as any other.
MAX_TEXT = 20_000
#: The longest sender id: Rasa's SQL tracker store keeps it in a VARCHAR(255).
MAX_SENDER = 255
#: The largest request body accepted, metadata included.
MAX_BODY = 256 * 1024

#: Sender id prefixes of the other channels (channels/whatsapp, channels/telegram,
#: channels/webchat, the console's phone intake): their conversations are not REST's.
OTHER_CHANNELS = ("wa-", "tg-", "web-", "tel-")
SECRET_ENV = "MELDKAMER_REST_SECRET"

# C0 controls except tab, newline and carriage return, and lone UTF-16 surrogates: a
# browser or app never sends them in text, and the database cannot store some of them.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_BAD_SENDER_CHARS = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


class InvalidRequest(Exception):
    """A request body the channel refuses; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def parse_body(raw: bytes | None) -> dict[str, Any]:
    """The checked request body; raises :class:`InvalidRequest` for anything not accepted."""
    if raw is not None and len(raw) > MAX_BODY:
        raise InvalidRequest(413, f"verzoek is groter dan {MAX_BODY} bytes")
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidRequest(400, "verwacht een JSON-object") from None
    if not isinstance(body, dict):
        raise InvalidRequest(400, "verwacht een JSON-object")
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip():
        raise InvalidRequest(400, "sender ontbreekt of is geen tekst")
    if len(sender) > MAX_SENDER:
        raise InvalidRequest(400, f"sender is langer dan {MAX_SENDER} tekens")
    if _BAD_SENDER_CHARS.search(sender):
        raise InvalidRequest(400, "sender bevat ongeldige tekens")
    if not isinstance(message, str):
        raise InvalidRequest(400, "message ontbreekt of is geen tekst")
    if len(message) > MAX_TEXT:
        raise InvalidRequest(413, f"bericht is langer dan {MAX_TEXT} tekens")
    if _BAD_CHARS.search(message):
        raise InvalidRequest(400, "bericht bevat ongeldige tekens")
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise InvalidRequest(400, "metadata moet een JSON-object zijn")
    channel = body.get("input_channel")
    if channel is not None and (
        not isinstance(channel, str)
        or not 0 < len(channel) <= 64
        or _BAD_SENDER_CHARS.search(channel)
    ):
        raise InvalidRequest(400, "input_channel is ongeldig")
    return body


def check_sender(sender: str) -> None:
    """Refuse (403) a sender id that belongs to another channel's conversations."""
    lowered = sender.strip().lower()
    for prefix in OTHER_CHANNELS:
        if lowered.startswith(prefix):
            raise InvalidRequest(
                403, f"sender '{prefix}...' hoort bij een ander kanaal; kies een andere sender"
            )


def check_access(authorization: str | None, env: Mapping[str, str]) -> None:
    """Refuse (403) a message the deployment does not take over REST; see the module."""
    secret = env.get(SECRET_ENV, "").strip()
    if secret:
        given = (authorization or "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), secret.encode()):
            raise InvalidRequest(403, "REST-kanaal: geheim ontbreekt of is onjuist")
    elif is_production(env):
        raise InvalidRequest(403, f"REST-kanaal staat uit ({PRODUCTION_ENV} zonder {SECRET_ENV})")


class RestInput(RasaRestInput):
    """The REST channel (``/webhooks/rest/webhook``) with checked input and an apology."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health route and the webhook."""
        rest = Blueprint("meldkamer_rest_webhook", __name__)

        @rest.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                check_access(request.headers.get("Authorization"), os.environ)
                body = parse_body(request.body)
                check_sender(body["sender"])
            except InvalidRequest as refused:
                return response.json({"error": refused.message}, status=refused.status)
            # input_channel and metadata stay behind: a client must not choose them.
            sender, text, channel = body["sender"], body["message"], self.name()
            if _stream_requested(request):
                return response.stream(  # type: ignore[return-value]
                    self.stream_response(on_new_message, text, sender, channel, None),
                    content_type="text/event-stream",
                )
            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, sender, input_channel=channel)
            # The message's id correlates the log lines, up to the action server's.
            with bound(conversation_id=sender, correlation_id=message.message_id):
                try:
                    await on_new_message(message)
                except asyncio.CancelledError:
                    logger.error("rest: handling the message of %s timed out", sender)
                except Exception:
                    logger.exception("rest: handling the message of %s failed", sender)
            messages = list(collector.messages)
            if not messages and not await action_server_answers(action_url_of(request.app)):
                logger.error("rest: no answer for %s and the action server is down", sender)
                messages.append({"recipient_id": sender, "text": APOLOGY})
            return response.json(messages)

        return rest


def _stream_requested(request: Request) -> bool:
    value = request.args.get("stream", "")
    return isinstance(value, str) and value.lower() == "true"
