"""The portal's sign-in, its session cookie and its CSRF check.

The same protections as the console (:mod:`console.auth`, :mod:`console.csrf`): a
random token in an HttpOnly, SameSite=Strict cookie whose SHA-256 alone is stored,
scrypt on the console's bounded pool, the console's throttle, a double-submit token on
the sign-in form and the session's CSRF token on every POST. The cookie (``mk_portaal``)
is limited to ``/portaal`` and the sessions live in their own table: a console session
does not open the portal, and a portal session does not open the console.
"""

from __future__ import annotations

import functools
import hmac
import logging
import math
import secrets
from datetime import datetime
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from console.auth import Handler, set_strict_cookie
from console.clientip import client_ip
from console.csrf import UNSAFE_METHODS, sent_token
from console.forms import read_form
from console.keys import CLOCK, SESSIONS
from console.passwordcheck import PASSWORD_CHECKS, TooBusy
from console.portal.keys import PORTAL_THROTTLE, portal_user, set_portal_user
from console.portal.rendering import error_page, render
from console.redirects import safe_next
from meldkamer.portal.accounts import authenticate
from meldkamer.portal.sessions import (
    SESSION_LIFETIME,
    PortalSignedIn,
    end_session,
    purge_expired,
    resolve,
    start_session,
)
from meldkamer.triage.officehours import AMSTERDAM

logger = logging.getLogger(__name__)

PREFIX = "/portaal"
COOKIE = "mk_portaal"
LOGIN_COOKIE = "mk_portaal_login"
#: The portal's routes that need no session (the sign-in form and its POST).
PUBLIC = frozenset({"portaal-inloggen", "portaal-inloggen-post"})
FAILED = "Gebruikersnaam of wachtwoord klopt niet, of het account is uitgeschakeld."
BUSY = "Er wordt nu erg vaak ingelogd. Probeer het over een paar seconden opnieuw."


def _home(request: web.Request) -> str:
    return str(request.app.router["portaal-overzicht"].url_for())


def _next(request: web.Request, value: str | None) -> str:
    """Only a path inside the portal: after sign-in a client never lands in the console."""
    target = safe_next(value)
    return target if target.startswith(PREFIX + "/") else _home(request)


def _session(request: web.Request, name: str) -> None:
    """Attach the portal user; without one, a protected page sends the browser to sign in."""
    token = request.cookies.get(COOKIE, "")
    who = None
    if token:
        with request.config_dict[SESSIONS].begin() as session:
            who = resolve(session, token, request.config_dict[CLOCK]())
    if who is not None:
        set_portal_user(request, who)
    elif name not in PUBLIC:
        target = request.path_qs if request.method == "GET" else ""
        query = "?" + urlencode({"next": target}) if target else ""
        raise web.HTTPSeeOther(f"{PREFIX}/inloggen{query}")


async def _csrf_refused(request: web.Request, name: str) -> web.Response | None:
    """A state-changing request without the portal session's own CSRF token: 403."""
    if request.method not in UNSAFE_METHODS or name in PUBLIC:
        return None
    who = portal_user(request)
    sent = await sent_token(request)
    if who is not None and sent and hmac.compare_digest(sent.encode(), who.csrf_token.encode()):
        return None
    logger.warning("portal CSRF token missing or wrong: %s %s", request.method, request.path)
    return error_page(
        request,
        "Verzoek geweigerd",
        "Het formulier was verlopen of kwam niet van het portaal. "
        "Laad de pagina opnieuw en probeer het nog eens.",
        403,
    )


def guarded(name: str, handler: Handler) -> Handler:
    """``handler`` behind the portal's session and CSRF checks, marked as the portal's.

    The console's own middlewares let marked handlers through (``console.auth.is_portal``):
    the portal's users and sessions are not the console's.
    """

    @functools.wraps(handler)
    async def checked(request: web.Request) -> web.StreamResponse:
        _session(request, name)
        refused = await _csrf_refused(request, name)
        if refused is not None:
            return refused
        return await handler(request)

    checked.portal = True  # type: ignore[attr-defined]
    return checked


class PortalRoutes:
    """Adds the portal's routes to the console's router: under /portaal, guarded."""

    def __init__(self, app: web.Application) -> None:
        self.router = app.router

    def get(self, path: str, handler: Handler, name: str) -> None:
        """A GET (and HEAD) route of the portal."""
        self.router.add_get(PREFIX + path, guarded(name, handler), name=name)

    def post(self, path: str, handler: Handler, name: str) -> None:
        """A POST route of the portal (with the CSRF check)."""
        self.router.add_post(PREFIX + path, guarded(name, handler), name=name)


def _login_page(request: web.Request, error: str | None = None, status: int = 200) -> web.Response:
    token = request.cookies.get(LOGIN_COOKIE, "")
    if len(token) != 43:
        token = secrets.token_urlsafe(32)
    response = render(
        request,
        "inloggen.html",
        {"error": error, "login_token": token, "next": _next(request, request.query.get("next"))},
        status=status,
    )
    set_strict_cookie(request, response, LOGIN_COOKIE, token, path=PREFIX, max_age=3600)
    return response


async def login_form(request: web.Request) -> web.StreamResponse:
    """The portal's sign-in form."""
    if portal_user(request) is not None:
        raise web.HTTPSeeOther(_next(request, request.query.get("next")))
    return _login_page(request)


def _sign_in(
    sessions: sessionmaker[Session], username: str, password: str, now: datetime
) -> tuple[str, PortalSignedIn] | None:
    """Database lookup and scrypt, on the console's password pool."""
    with sessions.begin() as session:
        user = authenticate(session, username, password)
        if user is None:
            return None
        purge_expired(session, now)
        return start_session(session, user, now)


def _try_again(request: web.Request, message: str, seconds: int) -> web.Response:
    response = _login_page(request, message, status=429)
    response.headers["Retry-After"] = str(max(1, seconds))
    return response


async def login(request: web.Request) -> web.StreamResponse:
    """Check the credentials; on success a portal session and its cookie."""
    form = await read_form(request)
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), form.get("login_token", "").encode()):
        return error_page(
            request,
            "Formulier verlopen",
            "Open de inlogpagina opnieuw en probeer het nog eens.",
            403,
        )
    username, address = form.get("username", "").strip(), client_ip(request)
    throttle, now = request.config_dict[PORTAL_THROTTLE], request.config_dict[CLOCK]()
    retry_at = throttle.retry_at(username, address, now)
    if retry_at is not None:
        seconds = math.ceil((retry_at - now).total_seconds())
        at = retry_at.astimezone(AMSTERDAM).strftime("%H:%M")
        return _try_again(
            request, f"Te veel mislukte pogingen. Probeer het opnieuw om {at}.", seconds
        )
    try:
        signed = await request.config_dict[PASSWORD_CHECKS].run(
            _sign_in, request.config_dict[SESSIONS], username, form.get("password", ""), now
        )
    except TooBusy:
        return _try_again(request, BUSY, 5)
    if signed is None:
        throttle.failed(username, address, now)
        logger.info("portal sign-in failed (from %s)", address)
        return _login_page(request, FAILED, status=401)
    token, who = signed
    throttle.succeeded(username, address)
    logger.info("portal signed in: %s of %s (from %s)", who.username, who.client_id, address)
    response = web.HTTPSeeOther(_next(request, form.get("next")))
    set_strict_cookie(
        request, response, COOKIE, token, path=PREFIX, max_age=int(SESSION_LIFETIME.total_seconds())
    )
    response.del_cookie(LOGIN_COOKIE, path=PREFIX)
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    """End the portal session (a POST with the CSRF token)."""
    with request.config_dict[SESSIONS].begin() as session:
        end_session(session, request.cookies.get(COOKIE, ""))
    response = web.HTTPSeeOther(f"{PREFIX}/inloggen")
    response.del_cookie(COOKIE, path=PREFIX)
    raise response


def setup_routes(routes: PortalRoutes) -> None:
    """Add the sign-in and sign-out routes to the portal."""
    routes.get("/inloggen", login_form, name="portaal-inloggen")
    routes.post("/inloggen", login, name="portaal-inloggen-post")
    routes.post("/uitloggen", logout, name="portaal-uitloggen")
