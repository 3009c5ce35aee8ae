"""The web chat channel: the widget on a client's website talks to Rasa through this.

Routes, under ``/webhooks/webchat/``:

* ``GET  widget.js``, ``widget.css``: the widget, embedded with one script tag and a
  site key (``<script src=".../widget.js" data-site-key="de-linde-demo" defer>``);
* ``POST session``: a new conversation for a site key;
* ``POST message``: the tenant's text or button payload; answers 200 when the bot is done;
* ``GET  events``: server-sent events with every message of the conversation, from the
  start or after the last one the browser saw, so a reload shows the history and an
  agent's reply reaches the browser whichever server it came through;
* ``POST photo``: a photo, checked and stored, then announced to the bot;
* ``GET  demo``: a fictional corporation's page with the widget embedded.

Configured in credentials.yml as ``channels.webchat.WebchatInput``; environment:
``REDIS_URL`` (shared streams for more than one Rasa server), ``WEBCHAT_ALLOWED_ORIGINS``
(comma-separated; default ``*``), ``MELDKAMER_UPLOAD_DIR``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.bus import MessageBus, bus_from_env
from channels.common.apology import APOLOGY, action_server_answers, action_url_of
from channels.common.channel import EnvironmentChannel
from channels.common.correlation import handle
from channels.common.limits import (
    TOO_MANY_CONVERSATIONS,
    Conversations,
    Intake,
    client_ip,
    intake_from_env,
    may_start,
)
from channels.webchat.output import WebchatOutput
from meldkamer.attachments.files import RejectedFile, check, store_file, upload_dir
from meldkamer.attachments.quota import Refusal, RefusalKind

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
_SESSION = re.compile(r"^web-[0-9a-f]{32}$")
_SITE_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
#: A stream entry id (Redis style, also used by the in-memory bus).
_ENTRY_ID = re.compile(r"^[0-9]{1,20}-[0-9]{1,20}$")
MAX_TEXT = 5000
#: How long one events request stays open before the browser reconnects.
STREAM_SECONDS = 25.0
#: A refused photo: the conversation cannot take one (409), a quota (429), no disk room (507).
_REFUSED_STATUS: dict[RefusalKind, int] = {"conversation": 409, "quota": 429, "room": 507}
_STATIC_TYPES = {".js": "application/javascript", ".css": "text/css", ".html": "text/html"}


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


class WebchatInput(EnvironmentChannel):
    """Input channel for the embeddable web chat widget."""

    channel = "webchat"
    label = "Webchat"

    @classmethod
    def from_environment(cls) -> InputChannel:
        origins = os.environ.get("WEBCHAT_ALLOWED_ORIGINS", "*")
        return cls(
            bus_from_env(),
            allowed_origins=[o.strip() for o in origins.split(",") if o.strip()],
            intake=intake_from_env(os.environ.get("REDIS_URL") or None),
        )

    def __init__(
        self,
        bus: MessageBus,
        allowed_origins: list[str] | None = None,
        intake: Intake | None = None,
        conversations: Conversations | None = None,
    ) -> None:
        self.bus = bus
        self.allowed_origins = allowed_origins or ["*"]
        self.intake = intake or intake_from_env(None)
        self.conversations = conversations or Conversations()

    def health(self) -> dict[str, Any]:
        return {"status": "ok"}  # the widget needs no secret: it is never off

    def get_output_channel(self) -> WebchatOutput:
        """The output for messages sent through Rasa's API (an agent's reply)."""
        return WebchatOutput(self.bus)

    def _cors(self, request: Request, reply: HTTPResponse) -> HTTPResponse:
        origin = request.headers.get("origin")
        if "*" in self.allowed_origins:
            reply.headers["Access-Control-Allow-Origin"] = "*"
        elif origin in self.allowed_origins:
            reply.headers["Access-Control-Allow-Origin"] = origin
            reply.headers["Vary"] = "Origin"
        reply.headers["Access-Control-Allow-Headers"] = "Content-Type"
        reply.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        return reply

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The widget's routes."""
        webchat = self.with_health(Blueprint("webchat_webhook", __name__))

        @webchat.route("/<path:path>", methods=["OPTIONS"])
        async def preflight(request: Request, path: str) -> HTTPResponse:
            return self._cors(request, response.empty())

        @webchat.route("/widget.js", methods=["GET"])
        async def widget_js(request: Request) -> HTTPResponse:
            return self._static(request, "widget.js")

        @webchat.route("/widget.css", methods=["GET"])
        async def widget_css(request: Request) -> HTTPResponse:
            return self._static(request, "widget.css")

        @webchat.route("/demo", methods=["GET"])
        async def demo(request: Request) -> HTTPResponse:
            return self._static(request, "demo.html")

        @webchat.route("/session", methods=["POST"])
        async def new_session(request: Request) -> HTTPResponse:
            body = _json_object(request)
            site_key = body.get("site_key") if isinstance(body, dict) else None
            if not isinstance(site_key, str) or not _SITE_KEY.match(site_key):
                return self._cors(request, _error(400, "site_key ontbreekt of is ongeldig"))
            return self._cors(request, response.json({"session_id": f"web-{uuid.uuid4().hex}"}))

        @webchat.route("/message", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            body = _json_object(request)
            if body is None:
                return self._cors(request, _error(400, "verwacht een JSON-object"))
            session_id, site_key = body.get("session_id"), body.get("site_key")
            text, title = body.get("text"), body.get("title")
            if not isinstance(session_id, str) or not _SESSION.match(session_id):
                return self._cors(request, _error(400, "session_id ontbreekt of is ongeldig"))
            if site_key is not None and (
                not isinstance(site_key, str) or not _SITE_KEY.match(site_key)
            ):
                return self._cors(request, _error(400, "site_key is ongeldig"))
            if not isinstance(text, str):
                return self._cors(request, _error(400, "text ontbreekt of is geen tekst"))
            if len(text) > MAX_TEXT:
                return self._cors(request, _error(413, f"bericht is langer dan {MAX_TEXT} tekens"))
            self.conversations.app = request.app
            address = self.intake.limited_ip(client_ip(request))
            if address is not None and not await may_start(
                self.intake, self.conversations, session_id, f"ip:{address}", self.intake.per_ip
            ):
                return self._cors(request, _error(429, TOO_MANY_CONVERSATIONS))
            # A button shows what the tenant clicked (its title), not its payload; the
            # widget's opening message is none the tenant typed, so it is not shown.
            shown = title if isinstance(title, str) and title.strip() else text
            if body.get("opening") is not True:
                await self.bus.publish(
                    session_id, {"from": "tenant", "text": shown[:MAX_TEXT], "ts": time.time()}
                )
            output = WebchatOutput(self.bus)
            await handle(
                on_new_message,
                UserMessage(
                    text,
                    output,
                    session_id,
                    input_channel=self.name(),
                    metadata={"entry": {"kind": "webchat", "key": site_key}} if site_key else None,
                ),
            )
            await self._apologise_if_silent(request, session_id, output)
            return self._cors(request, response.json({"ok": True}))

        @webchat.route("/events", methods=["GET"])
        async def events(request: Request) -> HTTPResponse | None:
            session_id = request.args.get("session_id", "")
            after = request.args.get("after") or request.headers.get("last-event-id") or None
            if not _SESSION.match(session_id):
                return self._cors(request, _error(400, "session_id ontbreekt of is ongeldig"))
            if after is not None and not _ENTRY_ID.match(after):
                return self._cors(request, _error(400, "after is geen bericht-id zoals 12-0"))
            headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
            cors = self._cors(request, response.empty()).headers
            headers.update({k: v for k, v in cors.items() if k.startswith("Access-Control")})
            stream = await request.respond(content_type="text/event-stream", headers=headers)
            deadline = time.monotonic() + STREAM_SECONDS
            await stream.send(": verbonden\n\n")
            while time.monotonic() < deadline:
                entries = await self.bus.read(
                    session_id, after, wait=min(10.0, deadline - time.monotonic())
                )
                for entry_id, item in entries:
                    await stream.send(f"id: {entry_id}\ndata: {json.dumps(item)}\n\n")
                    after = entry_id
                if not entries:
                    await stream.send(": nog steeds verbonden\n\n")
            await stream.eof()
            return None

        @webchat.route("/photo", methods=["POST"])
        async def photo(request: Request) -> HTTPResponse:
            session_id = request.form.get("session_id", "") if request.form else ""
            upload = request.files.get("photo") if request.files else None
            if not _SESSION.match(session_id):
                return self._cors(request, _error(400, "session_id ontbreekt of is ongeldig"))
            if upload is None:
                return self._cors(request, _error(400, "geen foto in het veld 'photo'"))
            try:
                check(upload.body or b"")
                refused = await self._photo_refusal(request, session_id, len(upload.body))
                if refused is not None:
                    return self._cors(request, _error(_REFUSED_STATUS[refused.kind], refused.text))
                stored = await asyncio.to_thread(
                    store_file, upload.body, upload_dir(), datetime.now(timezone.utc)
                )
            except RejectedFile as rejected:
                return self._cors(request, _error(415, str(rejected)))
            await self.bus.publish(
                session_id, {"from": "tenant", "text": "📷 foto verstuurd", "ts": time.time()}
            )
            await handle(
                on_new_message,
                UserMessage(
                    "/foto",
                    WebchatOutput(self.bus),
                    session_id,
                    input_channel=self.name(),
                    metadata={
                        "photo": stored.relative,
                        "content_type": stored.content_type,
                        "size": stored.size,
                        "sha256": stored.sha256,
                    },
                ),
            )
            return self._cors(request, response.json({"ok": True}))

        return webchat

    async def _photo_refusal(self, request: Request, session_id: str, size: int) -> Refusal | None:
        """Only a conversation that exists and can still use a photo, within its quotas."""
        self.conversations.app = request.app
        return await self.intake.photos.refusal(
            conversation=session_id,
            size=size,
            root=upload_dir(),
            facts=await self.conversations.facts(session_id),
            client_ip=self.intake.limited_ip(client_ip(request)),
        )

    async def _apologise_if_silent(
        self, request: Request, session_id: str, output: WebchatOutput
    ) -> None:
        """Rasa sends nothing when a custom action fails; the tenant must hear something."""
        if output.sent == 0 and not await action_server_answers(action_url_of(request.app)):
            await self.bus.publish(session_id, {"from": "bot", "text": APOLOGY, "ts": time.time()})

    def _static(self, request: Request, name: str) -> HTTPResponse:
        path = STATIC / name
        headers = {"Cache-Control": "public, max-age=300"}
        return self._cors(
            request,
            response.text(
                path.read_text("utf-8"), content_type=_STATIC_TYPES[path.suffix], headers=headers
            ),
        )


def _json_object(request: Request) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: JSON nested thousands deep.
        return None
    return body if isinstance(body, dict) else None
