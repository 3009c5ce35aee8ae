"""The client portal (``/portaal``) on the console's server, with its own sign-in.

Its routes are added to the console's router under ``/portaal``, each behind the
portal's own session and CSRF check (:func:`console.portal.auth.guarded`); it shares the
console's database, clock, templates, password pool, throttle class and security headers.
Every page reads through :mod:`meldkamer.portal` with the signed-in user's client id.
(Not an aiohttp sub-application: with the pinned yarl, resolving a sub-application's
prefix fails on a Host header with a port.)
"""

from __future__ import annotations

from aiohttp import web

from console.portal import auth, changes, pages, reports
from console.portal.keys import PORTAL_THROTTLE
from console.throttle import Throttle

__all__ = ["mount"]


def mount(app: web.Application) -> None:
    """Add the portal's routes and its sign-in throttle to the console ``app``."""
    app[PORTAL_THROTTLE] = Throttle.from_env()
    routes = auth.PortalRoutes(app)
    auth.setup_routes(routes)
    pages.setup_routes(routes)
    reports.setup_routes(routes)
    changes.setup_routes(routes)
