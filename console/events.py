"""Server-sent events: the console's live updates without a page reload.

The server looks (database or Rasa) about once a second and sends a fresh fragment
only when it differs from the last one sent. Every ``HEARTBEAT_SECONDS`` it checks the
session is still valid, records presence, and sends a comment so proxies keep the
line open. A stream ends after ``MAX_STREAM_SECONDS`` or on shutdown; the browser's
EventSource reconnects by itself and gets the current state first.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from console.auth import SESSION_COOKIE
from console.keys import CLOCK, POLL_SECONDS, SESSIONS, STOPPING
from meldkamer.agents.sessions import resolve, touch

HEARTBEAT_SECONDS = 15.0
MAX_STREAM_SECONDS = 300.0
RETRY_MILLISECONDS = 2000


def encode(event: str, data: Any) -> bytes:
    """One event in the wire format; JSON keeps the data on one ``data:`` line."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _still_signed_in(request: web.Request) -> bool:
    token = request.cookies.get(SESSION_COOKIE, "")
    now = request.app[CLOCK]()
    with request.app[SESSIONS].begin() as session:
        who = resolve(session, token, now)
        if who is None:
            return False
        touch(session, who.agent_id, now)
    return True


def _gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


async def stream(
    request: web.Request,
    event: str,
    produce: Callable[[], Awaitable[Any]],
) -> web.StreamResponse:
    """Send ``produce()``'s result as ``event`` whenever it changes."""
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",  # nginx: do not buffer the stream
        }
    )
    await response.prepare(request)
    stopping = request.app[STOPPING]
    poll = request.app[POLL_SECONDS]
    started = time.monotonic()
    heartbeat_due = started + HEARTBEAT_SECONDS
    last: Any = None
    try:
        await response.write(f"retry: {RETRY_MILLISECONDS}\n\n".encode())
        while not stopping.is_set() and time.monotonic() - started < MAX_STREAM_SECONDS:
            if _gone(request):
                break
            data = await produce()
            if data != last:
                await response.write(encode(event, data))
                last = data
            if time.monotonic() >= heartbeat_due:
                if not _still_signed_in(request):
                    await response.write(encode("uitgelogd", {"login": "/login"}))
                    break
                await response.write(b": hartslag\n\n")
                heartbeat_due = time.monotonic() + HEARTBEAT_SECONDS
            try:
                await asyncio.wait_for(stopping.wait(), timeout=poll)
            except asyncio.TimeoutError:
                pass
    except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
        pass  # the browser went away; it reconnects if it is still there
    return response
