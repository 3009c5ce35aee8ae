"""Who a request belongs to: set by the session middleware, read by the handlers.

:class:`RequestSlot` is the one mechanism; the console and the portal each have their
own slot (key and type), so a portal user is never taken for an agent or vice versa.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from aiohttp import web

from meldkamer.agents.sessions import SignedIn

T = TypeVar("T")


class RequestSlot(Generic[T]):
    """One typed place on a request for the one it belongs to."""

    def __init__(self, key: str, kind: type[T]) -> None:
        self._key = key
        self._kind = kind

    def put(self, request: web.Request, who: T) -> None:
        """Attach ``who`` to the request (a session middleware does this)."""
        request[self._key] = who

    def get(self, request: web.Request) -> T | None:
        """Who the request belongs to, or ``None`` on a public page."""
        who = request.get(self._key)
        return who if isinstance(who, self._kind) else None

    def require(self, request: web.Request) -> T:
        """Who the request belongs to; only for handlers behind the session middleware."""
        who = self.get(request)
        if who is None:
            # The middleware lets no request without a session reach such a handler.
            raise web.HTTPUnauthorized(text="Niet ingelogd")
        return who


_AGENT = RequestSlot("console.signed_in", SignedIn)


def set_signed_in(request: web.Request, who: SignedIn) -> None:
    """Attach the signed-in agent to the request (the session middleware does this)."""
    _AGENT.put(request, who)


def signed_in(request: web.Request) -> SignedIn | None:
    """The signed-in agent, or ``None`` on a public page."""
    return _AGENT.get(request)


def current(request: web.Request) -> SignedIn:
    """The signed-in agent; only for handlers behind the session middleware."""
    return _AGENT.require(request)
