"""A real stand-in for Meta's Graph API (WhatsApp Cloud API) on loopback, and Meta's webhooks.

:class:`FakeGraphApi` is an aiohttp server on 127.0.0.1 (a thread of its own, so both
sync end-to-end tests and async unit tests can use it) that:

* accepts ``POST /{phone_number_id}/messages`` only with the bearer token, and checks
  the shapes WhatsApp checks (at most 3 reply buttons with titles of at most 20
  characters, at most 10 list rows with titles of at most 24, template messages...),
  answering like Graph: the message id, or a 400 with Graph's error object;
* refuses free messages outside the 24-hour window (error 131047), as WhatsApp does:
  it knows when a customer last wrote because :class:`MetaWebhooks` tells it;
* serves ``GET /{media_id}`` (the download address) and the download itself;
* records every request.

:class:`MetaWebhooks` builds webhook POSTs exactly as Meta sends them
(``entry[].changes[].value.messages[]``), signed with the app secret.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.threaded import served_in_a_thread

ACCESS_TOKEN = "test-access-token-zeer-geheim"
APP_SECRET = "test-app-secret-zeer-geheim"
VERIFY_TOKEN = "test-verify-token"
PHONE_NUMBER_ID = "109876543210"
#: The demo client de-linde's WhatsApp number (clients/de-linde.yml).
DISPLAY_NUMBER = "+31610000900"
WINDOW_SECONDS = 24 * 3600


def tiny_jpeg(size: tuple[int, int] = (8, 8)) -> bytes:
    """A small, valid JPEG made on the spot."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


@dataclass
class Recorded:
    """One request the fake received, and how it answered."""

    method: str
    path: str
    authorized: bool
    body: Any
    status: int


def graph_error(code: int, message: str, details: str) -> dict[str, Any]:
    """Graph's error object."""
    return {
        "error": {
            "message": f"(#{code}) {message}",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details},
            "fbtrace_id": uuid.uuid4().hex[:22],
        }
    }


def _length(value: Any, low: int, high: int) -> bool:
    return isinstance(value, str) and low <= len(value) <= high


def _text_problem(message: dict[str, Any]) -> str | None:
    text = message.get("text")
    if not isinstance(text, dict) or not _length(text.get("body"), 1, 4096):
        return "text.body must be 1-4096 characters"
    return None


def _buttons_problem(action: dict[str, Any]) -> str | None:
    buttons = action.get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        return "an interactive button message has 1-3 buttons"
    ids, titles = [], []
    for button in buttons:
        reply = button.get("reply") if isinstance(button, dict) else None
        if button.get("type") != "reply" or not isinstance(reply, dict):
            return "buttons must be of type reply"
        if not _length(reply.get("id"), 1, 256):
            return "button reply id must be 1-256 characters"
        if not _length(reply.get("title"), 1, 20):
            return f"button title {reply.get('title')!r} must be 1-20 characters"
        ids.append(reply["id"])
        titles.append(reply["title"])
    if len(set(ids)) != len(ids) or len(set(titles)) != len(titles):
        return "button ids and titles must be unique"
    return None


def _list_problem(action: dict[str, Any]) -> str | None:
    if not _length(action.get("button"), 1, 20):
        return "list button text must be 1-20 characters"
    sections = action.get("sections")
    if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
        return "a list has 1-10 sections"
    rows = []
    for section in sections:
        if not isinstance(section, dict) or not isinstance(section.get("rows"), list):
            return "every section has rows"
        if (len(sections) > 1 or "title" in section) and not _length(section.get("title"), 1, 24):
            return "section title must be 1-24 characters"
        rows += section["rows"]
    if not 1 <= len(rows) <= 10:
        return "a list has 1-10 rows in all"
    for row in rows:
        if not isinstance(row, dict) or not _length(row.get("id"), 1, 200):
            return "row id must be 1-200 characters"
        if not _length(row.get("title"), 1, 24):
            return f"row title {row.get('title')!r} must be 1-24 characters"
        if "description" in row and not _length(row["description"], 1, 72):
            return "row description must be 1-72 characters"
    if len({row["id"] for row in rows}) != len(rows):
        return "row ids must be unique"
    return None


def _interactive_problem(message: dict[str, Any]) -> str | None:
    interactive = message.get("interactive")
    if not isinstance(interactive, dict):
        return "interactive object missing"
    body = interactive.get("body")
    if not isinstance(body, dict) or not _length(body.get("text"), 1, 1024):
        return "interactive body.text must be 1-1024 characters"
    action = interactive.get("action")
    if not isinstance(action, dict):
        return "interactive action missing"
    if interactive.get("type") == "button":
        return _buttons_problem(action)
    if interactive.get("type") == "list":
        return _list_problem(action)
    return f"interactive type {interactive.get('type')!r} not supported here"


def _template_problem(message: dict[str, Any]) -> str | None:
    template = message.get("template")
    if not isinstance(template, dict) or not _length(template.get("name"), 1, 512):
        return "template.name missing"
    language = template.get("language")
    if not isinstance(language, dict) or not _length(language.get("code"), 2, 10):
        return "template.language.code missing"
    for component in template.get("components") or []:
        for parameter in component.get("parameters") or []:
            text = parameter.get("text")
            if parameter.get("type") != "text" or not _length(text, 1, 1024):
                return "template parameters must be text"
            if "\n" in text or "\t" in text or "     " in text:
                # WhatsApp's error 132018.
                return "template parameter has new lines, tabs or more than 4 spaces"
    return None


def _image_problem(message: dict[str, Any]) -> str | None:
    image = message.get("image")
    if not isinstance(image, dict) or not (image.get("link") or image.get("id")):
        return "image.link or image.id required"
    return None


_PROBLEMS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "text": _text_problem,
    "interactive": _interactive_problem,
    "template": _template_problem,
    "image": _image_problem,
}


def message_problem(message: Any) -> str | None:
    """Why WhatsApp would refuse this message body, or ``None``."""
    if not isinstance(message, dict) or message.get("messaging_product") != "whatsapp":
        return "messaging_product must be whatsapp"
    if not isinstance(message.get("to"), str) or not message["to"].isdigit():
        return "to must be a phone number in digits"
    check = _PROBLEMS.get(str(message.get("type")))
    if check is None:
        return f"type {message.get('type')!r} not supported here"
    return check(message)


class FakeGraphApi:
    """The fake Graph API; :func:`running_graph_api` starts it."""

    def __init__(
        self,
        token: str = ACCESS_TOKEN,
        phone_number_id: str = PHONE_NUMBER_ID,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.phone_number_id = phone_number_id
        self.clock = clock
        self.url = ""
        self.requests: list[Recorded] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        #: When each customer last wrote: WhatsApp's 24-hour window.
        self.last_customer_message: dict[str, float] = {}
        #: Statuses to answer the next message requests with (a Graph outage), one each.
        self.outage: list[int] = []
        self._lock = threading.Lock()

    # --- what tests look at -------------------------------------------------------------

    def env(self) -> dict[str, str]:
        """The WhatsApp channel's settings, pointed at this fake (as the other fakes' env())."""
        return {
            "WHATSAPP_ACCESS_TOKEN": self.token,
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": self.phone_number_id,
            "WHATSAPP_DISPLAY_NUMBER": DISPLAY_NUMBER,
            "WHATSAPP_API_URL": self.url,
        }

    def sent(self, to: str | None = None) -> list[dict[str, Any]]:
        """Messages accepted (answered 200), oldest first; only those to ``to`` when given."""
        with self._lock:
            return [
                r.body
                for r in self.requests
                if r.path.endswith("/messages")
                and r.status == 200
                and (to is None or r.body.get("to") == to)
            ]

    def refused(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.status >= 400]

    def wait_for_sent(
        self, count: int, to: str | None = None, timeout: float = 20
    ) -> list[dict[str, Any]]:
        """Wait until at least ``count`` messages were accepted; returns them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sent(to)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise TimeoutError(f"{count} messages expected, {len(self.sent(to))} sent: {self.sent(to)}")

    def add_media(self, media_id: str, data: bytes, mime_type: str = "image/jpeg") -> None:
        self.media[media_id] = (data, mime_type)

    def customer_wrote(self, wa_id: str, at: float) -> None:
        with self._lock:
            self.last_customer_message[wa_id] = max(at, self.last_customer_message.get(wa_id, at))

    # --- the server -----------------------------------------------------------------------

    def _record(self, request: web.Request, body: Any, status: int) -> None:
        authorized = request.headers.get("Authorization") == f"Bearer {self.token}"
        with self._lock:
            self.requests.append(Recorded(request.method, request.path, authorized, body, status))

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    def _answer(self, request: web.Request, body: Any, status: int, payload: Any) -> web.Response:
        self._record(request, body, status)
        return web.json_response(payload, status=status)

    async def messages(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not self._authorized(request):
            return self._answer(
                request,
                body,
                401,
                graph_error(190, "Invalid OAuth access token", "Cannot parse access token"),
            )
        if self.outage:
            status = self.outage.pop(0)
            return self._answer(
                request, body, status, graph_error(2, "Service temporarily unavailable", "")
            )
        if request.match_info["phone_number_id"] != self.phone_number_id:
            return self._answer(
                request, body, 400, graph_error(100, "Unsupported post request", "unknown id")
            )
        problem = message_problem(body)
        if problem:
            return self._answer(
                request, body, 400, graph_error(131009, "Parameter value is not valid", problem)
            )
        if body["type"] != "template" and not self._window_open(body["to"]):
            return self._answer(
                request,
                body,
                400,
                graph_error(131047, "Re-engagement message", "more than 24 hours have passed"),
            )
        return self._answer(
            request,
            body,
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": f"wamid.{uuid.uuid4().hex}"}],
            },
        )

    def _window_open(self, wa_id: str) -> bool:
        with self._lock:
            last = self.last_customer_message.get(wa_id)
        return last is not None and self.clock() - last < WINDOW_SECONDS

    async def media_info(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        if not self._authorized(request):
            return self._answer(
                request, None, 401, graph_error(190, "Invalid OAuth access token", "")
            )
        if media_id not in self.media:
            return self._answer(request, None, 404, graph_error(100, "Unknown media", media_id))
        data, mime_type = self.media[media_id]
        return self._answer(
            request,
            None,
            200,
            {
                "messaging_product": "whatsapp",
                "url": f"{self.url}/media-download/{media_id}?ext=1",
                "mime_type": mime_type,
                "sha256": hashlib.sha256(data).hexdigest(),
                "file_size": len(data),
                "id": media_id,
            },
        )

    async def media_download(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        # The download address wants the bearer token too.
        status = 200 if media_id in self.media else 404
        status = status if self._authorized(request) else 401
        self._record(request, None, status)
        if status != 200:
            return web.Response(status=status)
        data, mime_type = self.media[media_id]
        return web.Response(body=data, content_type=mime_type)

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/media-download/{media_id}", self.media_download)
        app.router.add_post("/{phone_number_id}/messages", self.messages)
        app.router.add_get("/{media_id}", self.media_info)
        return app


@contextmanager
def running_graph_api(**options: Any) -> Iterator[FakeGraphApi]:
    """The fake on a free loopback port, served from a thread of its own."""
    graph = FakeGraphApi(**options)
    runner = web.AppRunner(graph.application())

    async def start() -> None:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        graph.url = f"http://{host}:{port}"

    with served_in_a_thread(start, runner.cleanup, "fake-graph-api"):
        yield graph


# --- Meta's webhooks ---------------------------------------------------------------------


class MetaWebhooks:
    """Builds and signs webhook POSTs as Meta sends them to the channel."""

    def __init__(
        self,
        app_secret: str = APP_SECRET,
        phone_number_id: str = PHONE_NUMBER_ID,
        display_number: str = DISPLAY_NUMBER,
        graph: FakeGraphApi | None = None,
    ) -> None:
        self.app_secret = app_secret
        self.phone_number_id = phone_number_id
        self.display_number = display_number
        self.graph = graph

    def envelope(self, value: dict[str, Any]) -> dict[str, Any]:
        """The outer shape every webhook has."""
        return {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "102290129340398",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": self.display_number.lstrip("+"),
                                    "phone_number_id": self.phone_number_id,
                                },
                                **value,
                            },
                        }
                    ],
                }
            ],
        }

    def message(
        self,
        wa_id: str,
        kind: str,
        content: dict[str, Any],
        *,
        message_id: str | None = None,
        timestamp: float | None = None,
        name: str = "Fatima",
    ) -> dict[str, Any]:
        """A webhook with one message of type ``kind``; tells the fake Graph the customer wrote."""
        at = time.time() if timestamp is None else timestamp
        if self.graph is not None:
            self.graph.customer_wrote(wa_id, at)
        return self.envelope(
            {
                "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                "messages": [
                    {
                        "from": wa_id,
                        "id": message_id or f"wamid.{uuid.uuid4().hex}",
                        "timestamp": str(int(at)),
                        "type": kind,
                        kind: content,
                    }
                ],
            }
        )

    def text(self, wa_id: str, body: str, **options: Any) -> dict[str, Any]:
        return self.message(wa_id, "text", {"body": body}, **options)

    def button_reply(self, wa_id: str, reply_id: str, title: str, **options: Any) -> dict[str, Any]:
        return self.message(
            wa_id,
            "interactive",
            {"type": "button_reply", "button_reply": {"id": reply_id, "title": title}},
            **options,
        )

    def list_reply(self, wa_id: str, reply_id: str, title: str, **options: Any) -> dict[str, Any]:
        return self.message(
            wa_id,
            "interactive",
            {"type": "list_reply", "list_reply": {"id": reply_id, "title": title}},
            **options,
        )

    def image(
        self,
        wa_id: str,
        media_id: str,
        mime_type: str = "image/jpeg",
        caption: str | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        content = {"id": media_id, "mime_type": mime_type, "sha256": "x"}
        if caption:
            content["caption"] = caption
        return self.message(wa_id, "image", content, **options)

    def status(
        self, message_id: str, status: str, wa_id: str, errors: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """A status callback (sent, delivered, read, failed) for a message we sent."""
        entry: dict[str, Any] = {
            "id": message_id,
            "status": status,
            "timestamp": str(int(time.time())),
            "recipient_id": wa_id,
        }
        if errors:
            entry["errors"] = errors
        return self.envelope({"statuses": [entry]})

    def sign(self, body: bytes) -> str:
        return "sha256=" + hmac.new(self.app_secret.encode(), body, hashlib.sha256).hexdigest()

    def signed(self, payload: Any) -> tuple[bytes, dict[str, str]]:
        """The raw body and headers Meta sends (compact JSON, non-ASCII escaped)."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        return body, {"Content-Type": "application/json", "X-Hub-Signature-256": self.sign(body)}

    def post(
        self, url: str, payload: Any, *, signature: str | None = "valid", raw: bytes | None = None
    ) -> tuple[int, Any]:
        """POST like Meta; ``signature``: ``"valid"``, ``None`` (no header) or a header value."""
        body, headers = self.signed(payload)
        if raw is not None:
            body, headers["X-Hub-Signature-256"] = raw, self.sign(raw)
        if signature is None:
            del headers["X-Hub-Signature-256"]
        elif signature != "valid":
            headers["X-Hub-Signature-256"] = signature
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return reply.status, json.loads(reply.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")
