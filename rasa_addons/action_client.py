"""The Rasa server keeps its connections to the action server open between calls.

Rasa 3.6's ``EndpointConfig.request`` opens a new ``aiohttp.ClientSession`` for every
request and closes it afterwards: every custom action call (two to three per message)
pays for a new TCP connection on both sides and a new session and connector in the Rasa
server. :func:`use_pooled_connections` makes it borrow one session per endpoint and
event loop instead, whose connector keeps idle connections open for
:data:`KEEPALIVE_S`: shorter than the action server's own keep-alive (Sanic's 5 s), so
the client never reuses a connection the server is closing at that moment. Requests,
headers, token, timeout and errors stay as Rasa sends them.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

import aiohttp

#: Seconds an idle connection to an endpoint stays open (the action server's Sanic: 5).
KEEPALIVE_S = 2.0

_sessions: dict[tuple[int, str, str, str], aiohttp.ClientSession] = {}


class _Borrowed:
    """``async with`` gives the shared session and leaves it open for the next request."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        return None


def _new_session(endpoint: Any) -> aiohttp.ClientSession:
    """What Rasa's ``EndpointConfig.session`` makes, with a keep-alive connector."""
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    basic = endpoint.basic_auth
    auth = aiohttp.BasicAuth(basic["username"], basic["password"]) if basic else None
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
    )


def shared_session(endpoint: Any) -> _Borrowed:
    """The open session for ``endpoint`` on the running loop (made on first use)."""
    loop = asyncio.get_running_loop()
    key = (id(loop), str(endpoint.url), repr(endpoint.headers), repr(endpoint.basic_auth))
    session = _sessions.get(key)
    if session is None or session.closed or session.loop is not loop:
        session = _sessions[key] = _new_session(endpoint)
    return _Borrowed(session)


def use_pooled_connections() -> None:
    """Make Rasa's endpoint requests reuse open connections (idempotent)."""
    from rasa.utils.endpoints import EndpointConfig

    if getattr(EndpointConfig.session, "_meldkamer", False):
        return

    def session(self: EndpointConfig) -> _Borrowed:
        return shared_session(self)

    session._meldkamer = True  # type: ignore[attr-defined]
    EndpointConfig.session = session
