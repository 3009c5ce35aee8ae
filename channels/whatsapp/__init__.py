"""The WhatsApp channel: tenants write to a client's WhatsApp number (Cloud API).

Routes, under ``/webhooks/whatsapp/``:

* ``GET  /``: health; says whether the channel is on;
* ``GET  webhook``: Meta's verification handshake (``hub.mode``, ``hub.verify_token``,
  ``hub.challenge``);
* ``POST webhook``: messages and status callbacks, signed by Meta with the app secret
  (``X-Hub-Signature-256``); answered 200 at once, the messages are handled after.

Configured in credentials.yml as ``channels.whatsapp.WhatsAppInput`` without secrets;
environment: ``WHATSAPP_ACCESS_TOKEN``, ``WHATSAPP_APP_SECRET``, ``WHATSAPP_VERIFY_TOKEN``,
``WHATSAPP_PHONE_NUMBER_ID``, ``WHATSAPP_DISPLAY_NUMBER`` (required; without them the
channel is off), ``WHATSAPP_API_URL``, ``WHATSAPP_TEMPLATE``, ``REDIS_URL``,
``MELDKAMER_UPLOAD_DIR``. See docs/CHANNELS.md.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime, timezone
from functools import partial
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common.apology import ActionServer, apologise_if_silent
from channels.common.background import Background
from channels.common.channel import EnvironmentChannel
from channels.common.correlation import handle
from channels.common.inbox import Inbox, inbox_dir
from channels.common.limits import (
    TOO_MANY_CONVERSATIONS,
    Conversations,
    Intake,
    intake_from_env,
    may_start,
)
from channels.common.locks import KeyedLocks
from channels.whatsapp import webhook
from channels.whatsapp.graph import GraphClient, GraphError, MediaTooLarge
from channels.whatsapp.messages import TOKEN_PREFIX
from channels.whatsapp.output import SENDER_PREFIX, Clock, WhatsAppOutput
from channels.whatsapp.settings import WhatsAppSettings, missing_variables, settings_from_env
from channels.whatsapp.state import ChannelState
from channels.whatsapp.webhook import Inbound, StatusUpdate
from meldkamer.attachments.files import MAX_BYTES, RejectedFile, check, store_file, upload_dir

__all__ = ["WhatsAppInput", "WhatsAppOutput"]

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

UNSUPPORTED_TEXT = (
    "Ik begrijp alleen tekst en foto's. Typ in een paar woorden wat er aan de hand is, "
    "of stuur een foto."
)
NOT_A_PHOTO = "Dit bestand is geen foto. Stuur een foto (JPG, PNG, WebP of HEIC)."
TOO_LARGE = "De foto is te groot (meer dan 10 MB). Stuur een kleinere foto."
DOWNLOAD_FAILED = "Het ophalen van de foto lukte niet. Probeer het nog eens."
#: How long a stopping server waits for messages still being handled.
DRAIN_SECONDS = 10.0


class WhatsAppInput(EnvironmentChannel):
    """Input channel for the WhatsApp Business Cloud API."""

    channel = "whatsapp"
    label = "WhatsApp"

    @classmethod
    def from_environment(cls) -> InputChannel:
        """A missing secret switches the channel off."""
        settings = settings_from_env()
        if settings is None:
            missing = missing_variables()
            logger.warning(
                "WhatsApp channel is OFF: environment variables missing: %s", ", ".join(missing)
            )
            return cls(None, missing=missing)
        return cls(settings)

    def __init__(
        self,
        settings: WhatsAppSettings | None,
        *,
        missing: list[str] | None = None,
        clock: Clock = time.time,
        state: ChannelState | None = None,
        graph: GraphClient | None = None,
        action_server: ActionServer | None = None,
        intake: Intake | None = None,
        inbox: Inbox | None = None,
    ) -> None:
        self.settings = settings
        self.missing = missing or []
        self.clock = clock
        self.state = state or ChannelState(settings.redis_url if settings else None)
        self.graph = graph or (
            GraphClient(settings.api_url, settings.access_token, settings.phone_number_id)
            if settings
            else None
        )
        self._tasks = Background()
        self._locks = KeyedLocks()
        #: Asked when the bot stays silent; the webhook route gives it the app.
        self.action_server = action_server or ActionServer()
        self.intake = intake or intake_from_env(settings.redis_url if settings else None)
        self.conversations = Conversations(clock)
        #: Messages received and not yet handled: on disk before Meta gets its 200.
        self.inbox = inbox or (
            Inbox(inbox_dir("whatsapp", settings.phone_number_id)) if settings else None
        )

    def get_output_channel(self) -> WhatsAppOutput | None:
        """The output for messages sent through Rasa's API (an agent's reply, an update)."""
        if self.settings is None or self.graph is None:
            return None
        return WhatsAppOutput(self.settings, self.graph, self.state, self.clock)

    # --- routes -----------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        if self.settings is None:
            return {"status": "off", "missing": self.missing}
        return {"status": "ok"}

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The webhook routes; only a health route while the channel is off."""
        whatsapp = self.with_health(Blueprint("whatsapp_webhook", __name__))
        if self.settings is None:
            return whatsapp

        @whatsapp.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            status, text = self.verify(
                request.args.get("hub.mode"),
                request.args.get("hub.verify_token"),
                request.args.get("hub.challenge"),
            )
            return response.text(text, status=status)

        @whatsapp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            self.action_server.app = self.conversations.app = request.app
            status, body = await self.receive(
                request.body or b"",
                request.headers.get(webhook.SIGNATURE_HEADER),
                on_new_message,
                source=request.remote_addr or request.ip,
            )
            return response.json(body, status=status)

        @whatsapp.listener("after_server_start")
        async def resume(app: Any, loop: Any) -> None:
            self.action_server.app = self.conversations.app = app
            await self.resume(on_new_message)

        @whatsapp.listener("before_server_stop")
        async def drain(app: Any, loop: Any) -> None:
            await self.drain(DRAIN_SECONDS)

        @whatsapp.listener("after_server_stop")
        async def close(app: Any, loop: Any) -> None:
            await self.close()

        return whatsapp

    def verify(self, mode: str | None, token: str | None, challenge: str | None) -> tuple[int, str]:
        """Meta's handshake: (status, plain-text answer)."""
        assert self.settings is not None
        expected = self.settings.verify_token.encode()
        if mode != "subscribe" or not hmac.compare_digest(expected, (token or "").encode()):
            logger.warning("WhatsApp: webhook verification refused (mode %r)", mode)
            return 403, "forbidden"
        if not challenge:
            return 400, "hub.challenge ontbreekt"
        return 200, challenge

    async def receive(
        self, body: bytes, signature: str | None, on_new_message: OnNewMessage, source: str = ""
    ) -> tuple[int, dict[str, Any]]:
        """A webhook POST: (status, JSON answer). Messages are handled in the background."""
        assert self.settings is not None
        refused = webhook.signature_status(self.settings.app_secret, body, signature)
        if refused is not None:
            reason = "missing" if refused == 401 else "wrong"
            logger.warning("WhatsApp: webhook POST with %s signature from %s", reason, source)
            return refused, {"error": f"signature {reason}"}
        try:
            hook = webhook.parse_webhook(body)
        except webhook.MalformedWebhook as malformed:
            logger.warning("WhatsApp: malformed webhook: %s", malformed)
            return 400, {"error": str(malformed)}
        for status in hook.statuses:
            _log_status(status)
        try:
            fresh = [m for m in hook.messages if self._ours(m) and await self._queue(m)]
        except OSError:
            # Not on disk, so no 200: Meta sends it again later.
            logger.exception("WhatsApp: message not queued; Meta will retry")
            return 503, {"error": "bericht niet bewaard, probeer later opnieuw"}
        if fresh:
            # Meta wants its 200 quickly and retries otherwise; the bot's turn comes after.
            self._tasks.spawn(self._handle_all(fresh, on_new_message))
        return 200, {"ok": True}

    async def _queue(self, message: Inbound) -> bool:
        """On disk first, then claimed, before the 200: a duplicate meanwhile is refused."""
        assert self.inbox is not None
        body = json.dumps(asdict(message))
        if not await asyncio.to_thread(self.inbox.put, message.message_id, body):
            return False  # the same message is waiting already
        if await self.state.first_time(message.message_id):
            return True
        await asyncio.to_thread(self.inbox.remove, message.message_id)
        return False

    async def resume(self, on_new_message: OnNewMessage) -> int:
        """Handle what a stopped or crashed server left in the inbox; how many."""
        if self.inbox is None:
            return 0
        waiting = []
        for entry in await asyncio.to_thread(self.inbox.pending):
            await self.state.first_time(entry.key)  # claimed before: only remember it here
            waiting.append(Inbound(**json.loads(entry.body)))
        if waiting:
            logger.warning("WhatsApp: %d message(s) left from before the restart", len(waiting))
            self._tasks.spawn(self._handle_all(waiting, on_new_message))
        return len(waiting)

    def _ours(self, message: Inbound) -> bool:
        """Messages to another number of the same business account are not for us."""
        assert self.settings is not None
        if message.phone_number_id in (None, self.settings.phone_number_id):
            return True
        logger.warning("WhatsApp: message for another phone number id ignored")
        return False

    # --- background handling -----------------------------------------------------------

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for messages still being handled (tests; a stopping server)."""
        await self._tasks.drain(timeout)

    async def close(self) -> None:
        """Close the HTTP session and the Redis connection."""
        if self.graph is not None:
            await self.graph.close()
        await self.state.close()

    async def _handle_all(self, messages: list[Inbound], on_new_message: OnNewMessage) -> None:
        for message in messages:
            # One tenant's messages are handled in the order they came, one at a time.
            async with self._locks.hold(message.wa_id):
                try:
                    await self.handle(message, on_new_message)
                except Exception:
                    # Logged, not raised: Meta already has its 200, and the next message must go on.
                    logger.exception(
                        "WhatsApp: message %s (%s) could not be handled",
                        message.message_id,
                        message.original_type,
                    )
                if self.inbox is not None:
                    await asyncio.to_thread(self.inbox.remove, message.message_id)

    async def handle(self, message: Inbound, on_new_message: OnNewMessage) -> None:
        """Pass one tenant message to the bot (or answer it here when the bot cannot use it)."""
        output = self.get_output_channel()
        assert output is not None
        now = self.clock()
        # The window runs from when the tenant sent it; a late retry does not reopen it.
        await self.state.note_inbound(message.wa_id, min(message.timestamp or now, now))
        sender = f"{SENDER_PREFIX}{message.wa_id}"
        key = f"wa:{message.wa_id}"
        if message.kind != webhook.UNSUPPORTED and not await may_start(
            self.intake, self.conversations, sender, key, self.intake.per_sender
        ):
            await output.send_text_message(sender, TOO_MANY_CONVERSATIONS)
        elif message.kind == webhook.TEXT and message.text is not None:
            text = await self.state.take_choice(message.wa_id, message.text) or message.text
            await self._to_bot(on_new_message, self._user_message(text, output, message))
        elif message.kind == webhook.REPLY:
            payload = await self._payload(message)
            await self._to_bot(on_new_message, self._user_message(payload, output, message))
        elif message.kind == webhook.IMAGE:
            await self._photo(message, output, on_new_message)
        else:
            logger.info("WhatsApp: %s message not understood", message.original_type)
            await output.send_text_message(sender, UNSUPPORTED_TEXT)

    async def _payload(self, message: Inbound) -> str:
        """The payload a reply id stands for; an unknown token falls back to the title."""
        reply = message.text or ""
        if not reply.startswith(TOKEN_PREFIX):
            return reply
        payload = await self.state.payload_for(reply)
        if payload is None:
            logger.warning("WhatsApp: unknown reply token %s; using the title", reply)
            return message.title or reply
        return payload

    async def _photo(
        self, message: Inbound, output: WhatsAppOutput, on_new_message: OnNewMessage
    ) -> None:
        """Download, check and store a photo, then announce it to the bot as ``/foto``."""
        assert self.graph is not None and message.media_id is not None
        sender = f"{SENDER_PREFIX}{message.wa_id}"
        if message.mime_type and not message.mime_type.startswith("image/"):
            await output.send_text_message(sender, NOT_A_PHOTO)
            return
        try:
            media = await self.graph.media(message.media_id)
            if media.size is not None and media.size > MAX_BYTES:
                raise MediaTooLarge(f"{media.size} bytes")
            data = await self.graph.download(media.url, MAX_BYTES)
            check(data)
            refused = await self.intake.photos.refusal(
                conversation=sender, size=len(data), root=upload_dir()
            )
            if refused is not None:
                await output.send_text_message(sender, refused.text)
                return
            stored = await asyncio.to_thread(
                store_file, data, upload_dir(), datetime.fromtimestamp(self.clock(), timezone.utc)
            )
        except MediaTooLarge:
            await output.send_text_message(sender, TOO_LARGE)
            return
        except RejectedFile as refused:
            await output.send_text_message(sender, str(refused))
            return
        except GraphError as error:
            logger.error("WhatsApp: photo %s not downloaded: %s", message.message_id, error)
            await output.send_text_message(sender, DOWNLOAD_FAILED)
            return
        photo = {
            "photo": stored.relative,
            "content_type": stored.content_type,
            "size": stored.size,
            "sha256": stored.sha256,
        }
        await self._to_bot(on_new_message, self._user_message("/foto", output, message, photo))
        if message.title:
            # The caption is the tenant's words about the photo: the bot hears them too.
            await self._to_bot(on_new_message, self._user_message(message.title, output, message))

    async def _to_bot(self, on_new_message: OnNewMessage, message: UserMessage) -> None:
        """One turn of the bot; an apology when it stayed silent with its action server down."""
        output = message.output_channel
        assert isinstance(output, WhatsAppOutput)
        await handle(on_new_message, message)
        await apologise_if_silent(
            output.sent,
            self.action_server,
            partial(output.send_text_message, message.sender_id),
            "WhatsApp",
        )

    def _user_message(
        self,
        text: str,
        output: WhatsAppOutput,
        message: Inbound,
        extra: dict[str, Any] | None = None,
    ) -> UserMessage:
        assert self.settings is not None
        entry = {"kind": "whatsapp", "key": self.settings.display_number}
        # The profile name as Meta sent it; the action checks it before it is the naam.
        named = {"sender_name": message.sender_name} if message.sender_name else {}
        return UserMessage(
            text,
            output,
            f"{SENDER_PREFIX}{message.wa_id}",
            input_channel=self.name(),
            message_id=message.message_id,  # the wamid: the log's correlation id
            metadata={"entry": entry, **named, **(extra or {})},
        )


def _log_status(status: StatusUpdate) -> None:
    if status.status == "failed":
        logger.warning(
            "WhatsApp: message %s failed: %s", status.message_id, "; ".join(status.errors) or "?"
        )
    else:
        logger.debug("WhatsApp: message %s %s", status.message_id, status.status)
