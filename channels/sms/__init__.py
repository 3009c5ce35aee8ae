"""The SMS channel: tenants text the meldkamer's number; the bot answers by SMS.

Routes under ``/webhooks/sms/``: ``GET /`` (health) and ``POST inbound``, the SMS
gateway's webhook, signed with ``SMS_INBOUND_SECRET`` (meldkamer/smsin/inbound.py).
A message is on disk (the durable inbox) before the gateway gets its 200, handled
once per gateway id, one sender at a time. A tenant answers a question by number
("2") or by the option's words; the bot's turn goes back as one SMS through the
gateway of the outbox (``SMS_GATEWAY_URL``, ``SMS_GATEWAY_TOKEN``). A contractor's
number goes to the work order (meldkamer.service.workorder_sms), not to the bot.
A number starts only so many conversations (``MELDKAMER_NEW_CONVERSATIONS_PER_SENDER``,
channels/common/limits.py); over the limit it is told by SMS to call. Off (health says
why) without the secret or the gateway. See docs/CHANNELS.md.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common.apology import APOLOGY, ActionServer
from channels.common.background import Background
from channels.common.bounded import Bounded
from channels.common.channel import EnvironmentChannel
from channels.common.inbox import Inbox, inbox_dir
from channels.common.limits import (
    TOO_MANY_CONVERSATIONS,
    Conversations,
    Intake,
    intake_from_env,
    may_start,
)
from channels.common.locks import KeyedLocks
from channels.email.trackers import METADATA_KEY, RasaTrackers, Trackers
from channels.sms.output import SmsCollector, SmsOutput, conversation_id, send_sms
from meldkamer.composition import collaborators, open_database
from meldkamer.mailin.choices import chosen
from meldkamer.mailin.reply import bot_text
from meldkamer.notify.sms import SmsSender, SmsSettings
from meldkamer.ratelimit import Clock
from meldkamer.service.context import Collaborators
from meldkamer.service.workorder_sms import handle_contractor_sms
from meldkamer.smsin.inbound import (
    SIGNATURE_HEADER,
    InboundSms,
    MalformedSms,
    parse_sms,
    signature_status,
)

__all__ = ["SmsInput", "SmsOutput"]

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
SECRET_VARIABLE = "SMS_INBOUND_SECRET"


class SmsInput(EnvironmentChannel):
    """Input channel for the SMS gateway's inbound webhook."""

    channel = "sms"
    label = "SMS"

    @classmethod
    def from_environment(cls) -> InputChannel:
        secret = (os.environ.get(SECRET_VARIABLE) or "").strip()
        try:
            gateway = SmsSettings.from_env(os.environ)
        except ValueError as error:
            logger.error("SMS channel is OFF: %s", error)
            return cls(None, None, reason=str(error))
        reason = (
            ""
            if secret and gateway
            else (
                f"{SECRET_VARIABLE} is niet gezet"
                if not secret
                else "SMS_GATEWAY_URL is niet gezet"
            )
        )
        if reason:
            logger.warning("SMS channel is OFF: %s", reason)
            return cls(None, None, reason=reason)
        return cls(secret, gateway)

    def __init__(
        self,
        secret: str | None,
        gateway: SmsSettings | None,
        *,
        reason: str = "",
        trackers: Trackers | None = None,
        inbox: Inbox | None = None,
        ctx: Collaborators | None = None,
        intake: Intake | None = None,
        clock: Clock = time.time,
    ) -> None:
        self.secret = secret
        self.gateway = gateway
        self.reason = reason
        self.trackers: Trackers = trackers or RasaTrackers()
        self.inbox = inbox or Inbox(inbox_dir("sms", "in"))
        self.sender = SmsSender(gateway) if gateway else None
        self.action_server = ActionServer()
        self._ctx = ctx
        self.intake = intake or intake_from_env(os.environ.get("REDIS_URL") or None)
        self.conversations = Conversations(clock)
        self._seen: Bounded[bool] = Bounded()
        # One sender's messages one at a time, in order; a lock lives while it is used.
        self._locks = KeyedLocks()
        self._tasks = Background()

    def ctx(self) -> Collaborators:
        if self._ctx is None:
            self._ctx = collaborators(open_database(migrate=False).sessions)
        return self._ctx

    def get_output_channel(self) -> SmsOutput | None:
        return SmsOutput(self.sender) if self.sender else None

    def health(self) -> dict[str, Any]:
        if self.secret is None:
            return {"status": "off", "reason": self.reason}
        return {"status": "ok"}

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        sms = self.with_health(Blueprint("sms_webhook", __name__))
        if self.secret is None:
            return sms

        @sms.route("/inbound", methods=["POST"])
        async def inbound(request: Request) -> HTTPResponse:
            self._started(request.app)
            status, body = await self.receive(
                request.body or b"", request.headers.get(SIGNATURE_HEADER), on_new_message
            )
            return response.json(body, status=status)

        @sms.listener("after_server_start")
        async def resume(app: Any, loop: Any) -> None:
            self._started(app)
            for entry in await asyncio.to_thread(self.inbox.pending):
                self._tasks.spawn(
                    self._handle(InboundSms(**json.loads(entry.body)), on_new_message)
                )

        @sms.listener("after_server_stop")
        async def close(app: Any, loop: Any) -> None:
            await self._tasks.drain(10)
            if self.sender is not None:
                await self.sender.close()

        return sms

    def _started(self, app: Any) -> None:
        if isinstance(self.trackers, RasaTrackers):
            self.trackers.app = app
        self.action_server.app = app
        self.conversations.app = app

    async def receive(
        self, body: bytes, signature: str | None, on_new_message: OnNewMessage
    ) -> tuple[int, dict[str, Any]]:
        """The webhook: (status, JSON answer); the message is handled after the answer."""
        assert self.secret is not None
        refused = signature_status(self.secret, body, signature)
        if refused is not None:
            reason = "missing" if refused == 401 else "wrong"
            logger.warning("SMS: inbound webhook with %s signature refused", reason)
            return refused, {"error": f"signature {reason}"}
        try:
            message = parse_sms(body)
        except MalformedSms as malformed:
            return 400, {"error": str(malformed)}
        if message.message_id in self._seen:
            return 200, {"ok": True, "duplicate": True}
        try:
            fresh = await asyncio.to_thread(
                self.inbox.put, message.message_id, json.dumps(asdict(message))
            )
        except OSError:
            logger.exception("SMS: message not stored; the gateway will retry")
            return 503, {"error": "bericht niet bewaard, probeer later opnieuw"}
        if fresh:
            self._seen.put(message.message_id, True)
            self._tasks.spawn(self._handle(message, on_new_message))
        return 200, {"ok": True}

    async def drain(self) -> None:
        """Wait for the messages being handled (tests)."""
        await self._tasks.drain()

    async def _handle(self, message: InboundSms, on_new_message: OnNewMessage) -> None:
        async with self._locks.hold(message.sender):
            try:
                await self.handle(message, on_new_message)
            except Exception:
                logger.exception("SMS: message %s could not be handled", message.message_id)
            await asyncio.to_thread(self.inbox.remove, message.message_id)

    async def handle(self, message: InboundSms, on_new_message: OnNewMessage) -> None:
        """One SMS: to the contractors' hook, or through the bot with one SMS back."""
        assert self.sender is not None
        # A contractor's reply is a step of their work order (ONDERWEG 30, GEREED ...).
        answer = await asyncio.to_thread(
            handle_contractor_sms, self.ctx(), message.sender, message.text
        )
        if answer is not None:
            await send_sms(
                self.sender, message.sender, answer.text, f"sms-aannemer:{message.message_id}"
            )
            return
        conversation = conversation_id(message.sender)
        view = await self.trackers.view(conversation)
        if any(e.get("message_id") == message.message_id for e in view.earlier):
            return  # handled before a restart
        if not await self._may_start(conversation, message.sender):
            logger.warning(
                "SMS: message %s refused: too many new conversations", message.message_id
            )
            key = f"sms-te-veel:{message.message_id}"
            await send_sms(self.sender, message.sender, TOO_MANY_CONVERSATIONS, key)
            return
        text = chosen(message.text, view.buttons) or message.text.lstrip("/")
        collector = SmsCollector()
        await on_new_message(
            UserMessage(
                text,
                collector,
                conversation,
                input_channel=self.name(),
                metadata={METADATA_KEY: {"message_id": message.message_id}},
            )
        )
        said = bot_text(collector.messages)
        if not said and not await self.action_server.answers():
            said = APOLOGY
        if said:
            await send_sms(self.sender, message.sender, said, f"sms-antwoord:{message.message_id}")

    async def _may_start(self, conversation: str, number: str) -> bool:
        """A number may start only so many conversations (fake meldingen page contractors)."""
        limit = self.intake.per_sender
        return await may_start(
            self.intake, self.conversations, conversation, f"sms:{number}", limit
        )
