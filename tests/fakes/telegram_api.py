"""A real HTTP stand-in for Telegram's Bot API, on loopback.

An aiohttp server that answers the methods the channel uses with Telegram's JSON shapes
(``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code", "description"}``),
records every call, serves photo files, and hands queued updates to getUpdates.
python-telegram-bot is pointed at it with ``base_url``/``base_file_url``; nothing of the
library is replaced.

Use it in async tests with ``async with FakeTelegram().running() as fake`` and from
synchronous ones (the end-to-end tests) with ``with FakeTelegram().threaded() as fake``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aiohttp import web

from tests.fakes.threaded import served_in_a_thread

TOKEN = "123:ABC"
BOT_USER = {
    "id": 123,
    "is_bot": True,
    "first_name": "De Linde storingen",
    "username": "DeLindeDemoBot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
#: An 8x8 JPEG made with Pillow once: a real image, 287 bytes.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4"
    "UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj"
    "Y2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAT/xAAUEAEA"
    "AAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABQb/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIR"
    "AxEAPwCEAeon/9k="
)
# Parameters python-telegram-bot sends as form fields that are numbers or JSON.
_INTEGERS = {"chat_id", "message_id", "offset", "limit", "timeout"}
_JSON = {"reply_markup", "allowed_updates"}


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str, **parameters: Any) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)


def _polls(condition: Callable[[], bool], timeout: float, what: str) -> Iterator[None]:
    """One step per look at ``condition()`` that found it false; fails after ``timeout`` s.

    The waiting between looks is the caller's (a thread sleeps, a coroutine awaits).
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"fake Telegram: no {what} within {timeout} s")
        yield


class FakeTelegram:
    """The Bot API of one bot: ``api_url``/``file_url`` are TELEGRAM_API_URL/_FILE_URL."""

    def __init__(self, token: str = TOKEN, bot_user: dict[str, Any] | None = None) -> None:
        self.token = token
        self.bot_user = dict(bot_user or BOT_USER)
        self.url = ""
        #: Every call: {"method", "params", "token_ok"}, in order of arrival.
        self.calls: list[dict[str, Any]] = []
        #: file_id -> bytes, for getFile and the download.
        self.files: dict[str, bytes] = {}
        #: method -> answers to give instead of the normal one: (status, description, params).
        self.failures: dict[str, list[tuple[int, str, dict[str, Any]]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.downloads: list[str] = []
        #: Every message the bot sent (sendMessage, sendPhoto), as it was when sent.
        self.outbox: list[dict[str, Any]] = []
        self._updates: list[dict[str, Any]] = []
        self._messages: dict[int, dict[str, Any]] = {}
        self._next_message_id = 1000
        self._lock = threading.Lock()
        self._runner: web.AppRunner | None = None

    # --- what tests use --------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def file_url(self) -> str:
        return f"{self.url}/file/bot"

    def env(self) -> dict[str, str]:
        return {"TELEGRAM_BOT_TOKEN": self.token, "TELEGRAM_API_URL": self.api_url}

    def add_file(self, file_id: str, data: bytes) -> None:
        with self._lock:
            self.files[file_id] = data

    def queue_update(self, update: dict[str, Any]) -> None:
        """An update for getUpdates (polling mode)."""
        with self._lock:
            self._updates.append(update)

    def fail(self, method: str, status: int, description: str, **parameters: Any) -> None:
        """Answer the next call of ``method`` with this error instead."""
        with self._lock:
            self.failures.setdefault(method, []).append((status, description, parameters))

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [call["params"] for call in self.calls if call["method"] == method]

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """The messages the bot sent, to one chat or all: Telegram Message objects."""
        with self._lock:
            return [m for m in self.outbox if chat_id is None or m["chat"]["id"] == chat_id]

    def wait_until(
        self, condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition"
    ) -> None:
        """Wait (in a synchronous test) until ``condition()`` holds."""
        for _ in _polls(condition, timeout, what):
            time.sleep(0.05)

    async def wait_until_async(
        self, condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition"
    ) -> None:
        """Wait (in a test on the event loop) until ``condition()`` holds."""
        for _ in _polls(condition, timeout, what):
            await asyncio.sleep(0.02)

    # --- the server -----------------------------------------------------------------

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/file/bot{tail:.*}", self._download)
        app.router.add_route("*", "/bot{tail:.*}", self._method)
        return app

    async def start(self) -> None:
        # No access log: it would show the token in the URLs (the channel hides it in its own).
        self._runner = web.AppRunner(self._app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[FakeTelegram]:
        await self.start()
        try:
            yield self
        finally:
            await self.stop()

    @contextmanager
    def threaded(self) -> Iterator[FakeTelegram]:
        """Run the server in a thread of its own (for tests that are not async)."""
        with served_in_a_thread(self.start, self.stop, "fake-telegram"):
            yield self

    # --- the Bot API ----------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            raw = await request.json()
        else:
            raw = dict(await request.post())
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if isinstance(value, str) and key in _INTEGERS:
                params[key] = int(value)
            elif isinstance(value, str) and key in _JSON:
                params[key] = json.loads(value)
            else:
                params[key] = value
        return params

    async def _method(self, request: web.Request) -> web.Response:
        token, _, method = request.match_info["tail"].partition("/")
        params = await self._params(request)
        with self._lock:
            self.calls.append({"method": method, "params": params, "token_ok": token == self.token})
            failures = self.failures.get(method)
            failure = failures.pop(0) if failures else None
        if token != self.token:
            return _error(401, "Unauthorized")
        if failure is not None:
            status, description, parameters = failure
            return _error(status, description, **parameters)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _error(404, "Not Found")
        result: web.Response = await handler(params)
        return result

    def _message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        with self._lock:
            self._next_message_id += 1
            message = {
                "message_id": self._next_message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": self.bot_user,
                **{k: v for k, v in content.items() if v is not None},
            }
            self._messages[message["message_id"]] = message
            self.outbox.append(json.loads(json.dumps(message)))
        return message

    def message(self, message_id: int) -> dict[str, Any]:
        """A message as the bot sent it (and later edited it)."""
        with self._lock:
            return dict(self._messages[message_id])

    async def _api_getMe(self, params: dict[str, Any]) -> web.Response:
        return _ok(self.bot_user)

    async def _api_sendMessage(self, params: dict[str, Any]) -> web.Response:
        if not str(params.get("text") or "").strip():
            return _error(400, "Bad Request: message text is empty")
        return _ok(
            self._message(
                int(params["chat_id"]), text=params["text"], reply_markup=params.get("reply_markup")
            )
        )

    async def _api_sendPhoto(self, params: dict[str, Any]) -> web.Response:
        photo = [{"file_id": "sent-photo", "file_unique_id": "sp", "width": 8, "height": 8}]
        return _ok(self._message(int(params["chat_id"]), photo=photo))

    async def _api_editMessageText(self, params: dict[str, Any]) -> web.Response:
        with self._lock:
            message = self._messages.get(int(params.get("message_id", 0)))
            if message is None:
                return _error(400, "Bad Request: message to edit not found")
            message["text"] = params["text"]
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            else:
                message.pop("reply_markup", None)
            return _ok(dict(message))

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    async def _api_getFile(self, params: dict[str, Any]) -> web.Response:
        file_id = str(params.get("file_id"))
        with self._lock:
            data = self.files.get(file_id)
        if data is None:
            return _error(400, "Bad Request: invalid file_id")
        return _ok(
            {
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "file_size": len(data),
                "file_path": f"photos/{file_id}.jpg",
            }
        )

    async def _download(self, request: web.Request) -> web.Response:
        token, _, path = request.match_info["tail"].partition("/")
        if token != self.token:
            return web.Response(status=401)
        file_id = path.removeprefix("photos/").removesuffix(".jpg")
        with self._lock:
            self.downloads.append(path)
            data = self.files.get(file_id)
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="image/jpeg")

    async def _api_getUpdates(self, params: dict[str, Any]) -> web.Response:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while True:
            with self._lock:
                # Asking from an offset confirms, and forgets, every update before it.
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = self._updates[:limit]
            if ready or time.monotonic() >= deadline:
                return _ok(ready)
            await asyncio.sleep(0.05)

    async def _api_setWebhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook = params
        return _ok(True)

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook = None
        return _ok(True)


# --- updates as Telegram sends them ----------------------------------------------------

TENANT = {"id": 555001, "is_bot": False, "first_name": "Fatima", "language_code": "nl"}


def _chat(chat_id: int, kind: str = "private") -> dict[str, Any]:
    return {"id": chat_id, "type": kind, **({"first_name": "Fatima"} if kind == "private" else {})}


def text_update(
    update_id: int, chat_id: int, text: str, *, chat_type: str = "private"
) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": _chat(chat_id, chat_type),
            "from": {**TENANT, "id": chat_id if chat_id > 0 else TENANT["id"]},
            "text": text,
        },
    }


def edited_update(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    update = text_update(update_id, chat_id, text)
    return {"update_id": update_id, "edited_message": {**update["message"], "edit_date": 1}}


def photo_update(
    update_id: int, chat_id: int, file_id: str, size: int, caption: str | None = None
) -> dict[str, Any]:
    # Telegram sends every size it made; the last, largest, is the one to keep.
    sizes = [
        {"file_id": f"{file_id}-thumb", "file_unique_id": "t", "width": 4, "height": 4},
        {"file_id": file_id, "file_unique_id": "f", "width": 8, "height": 8, "file_size": size},
    ]
    update = text_update(update_id, chat_id, "")
    message = {k: v for k, v in update["message"].items() if k != "text"}
    message["photo"] = sizes
    if caption:
        message["caption"] = caption
    return {"update_id": update_id, "message": message}


def callback_update(
    update_id: int, chat_id: int, data: str, message: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A press on a button of ``message`` (as the bot sent it)."""
    query: dict[str, Any] = {
        "id": f"cb-{update_id}",
        "from": {**TENANT, "id": chat_id},
        "chat_instance": "ci-1",
        "data": data,
    }
    if message is not None:
        query["message"] = message
    return {"update_id": update_id, "callback_query": query}


def buttons_of(message: dict[str, Any]) -> list[dict[str, str]]:
    """The inline buttons of a sent message: [{"text", "callback_data"}, ...]."""
    markup = message.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]
