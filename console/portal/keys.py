"""State keys of the portal's sub-application, and who a portal request belongs to."""

from __future__ import annotations

from aiohttp import web

from console.identity import RequestSlot
from console.throttle import Throttle
from meldkamer.portal.sessions import PortalSignedIn

#: The portal's own brake on password guessing (its users are not the console's).
PORTAL_THROTTLE: web.AppKey[Throttle] = web.AppKey("portal_throttle")

_USER = RequestSlot("portal.signed_in", PortalSignedIn)


def set_portal_user(request: web.Request, who: PortalSignedIn) -> None:
    """Attach the signed-in portal user to the request (the portal's middleware does this)."""
    _USER.put(request, who)


def portal_user(request: web.Request) -> PortalSignedIn | None:
    """The signed-in portal user, or ``None`` on the sign-in page."""
    return _USER.get(request)


def me(request: web.Request) -> PortalSignedIn:
    """The signed-in portal user; only for handlers behind the portal's middleware."""
    return _USER.require(request)
