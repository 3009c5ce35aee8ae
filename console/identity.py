"""Who a request belongs to: set by the session middleware, read by the handlers."""

from __future__ import annotations

from aiohttp import web

from meldkamer.agents.sessions import SignedIn

_KEY = "console.signed_in"


def set_signed_in(request: web.Request, who: SignedIn) -> None:
    """Attach the signed-in agent to the request (the session middleware does this)."""
    request[_KEY] = who


def signed_in(request: web.Request) -> SignedIn | None:
    """The signed-in agent, or ``None`` on a public page."""
    who = request.get(_KEY)
    return who if isinstance(who, SignedIn) else None


def current(request: web.Request) -> SignedIn:
    """The signed-in agent; only for handlers behind the session middleware."""
    who = signed_in(request)
    if who is None:
        # The middleware lets no request without a session reach such a handler.
        raise web.HTTPUnauthorized(text="Niet ingelogd")
    return who
