"""Signing in and out, and the middleware that lets nobody past without a session.

The session token lives in an HttpOnly, SameSite=Strict cookie (``Secure`` when
``CONSOLE_SECURE_COOKIES=1``); the table keeps only its SHA-256. Every authenticated
request counts as presence (``last_seen_at``), which the bot reads to decide whether
an agent can take over. Pages without a session redirect to ``/login``; the API and
the event streams answer 401.
"""

from __future__ import annotations

import functools
import hmac
import logging
import math
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from console.clientip import TRUSTED_PROXIES, TrustedProxies, client_ip
from console.forms import read_form
from console.identity import current, set_signed_in, signed_in
from console.keys import CLOCK, LOGIN_THROTTLE, SESSIONS, SETTINGS
from console.passwordcheck import PASSWORD_CHECKS, TooBusy, password_checks
from console.redirects import safe_next
from console.rendering import render
from console.scope import refuse_outside_scope
from meldkamer.agents.accounts import authenticate
from meldkamer.agents.sessions import (
    SESSION_LIFETIME,
    SignedIn,
    end_session,
    purge_expired,
    resolve,
    start_session,
    touch,
)
from meldkamer.triage.officehours import AMSTERDAM

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SESSION_COOKIE = "mk_sessie"
#: Double-submit token of the login form (there is no session yet to hold one).
LOGIN_COOKIE = "mk_login"
#: Reachable without a session: the contractor's link, health, login, CSS and JS.
# metrics: no session, but loopback or its bearer token (console/metrics.py checks).
PUBLIC_ROUTES = frozenset(
    {
        "health",
        "werkbon",
        "werkbon-bevestigen",
        "sla-link",
        "sla-opgepakt",
        "login",
        "login-post",
        "static",
        "metrics",
    }
)
#: Public routes that never look at the session cookie (no database work for them).
_SESSIONLESS = PUBLIC_ROUTES - {"login", "login-post"}
FAILED = "Gebruikersnaam of wachtwoord klopt niet, of het account is uitgeschakeld."
_LOGIN_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
THROTTLED = "Te veel mislukte pogingen."
BUSY = "Er wordt nu erg vaak ingelogd. Probeer het over een paar seconden opnieuw."


def wants_api_answer(request: web.Request) -> bool:
    """API calls and event streams get status codes, not redirects to a login page."""
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or "text/event-stream" in accept


def is_portal(request: web.Request) -> bool:
    """Whether the request is for the client portal (``/portaal``, its own sign-in)."""
    return bool(getattr(request.match_info.handler, "portal", False))


def _refuse(request: web.Request) -> web.StreamResponse:
    if wants_api_answer(request):
        return web.json_response({"error": "niet ingelogd"}, status=401)
    target = request.path_qs if request.method == "GET" else "/"
    location = "/login?" + urlencode({"next": target}) if target != "/" else "/login"
    raise web.HTTPSeeOther(location)


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Attach the signed-in agent, record presence, refuse protected routes without one."""
    name = request.match_info.route.name
    if is_portal(request):
        # The client portal signs in its own users (console/portal/auth.py).
        return await handler(request)
    if name in _SESSIONLESS or request.match_info.http_exception is not None:
        # Public, or no such route (404/405: there is nothing to protect, and sending
        # the browser's /favicon.ico to the login page would replace its login token).
        return await handler(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    who = None
    if token:
        now = request.app[CLOCK]()
        with request.app[SESSIONS].begin() as session:
            who = resolve(session, token, now)
            if who is not None:
                touch(session, who.agent_id, now)
    if who is not None:
        set_signed_in(request, who)
        refuse_outside_scope(request, who)
    elif name not in PUBLIC_ROUTES:
        return _refuse(request)
    return await handler(request)


def supervisor_only(handler: Handler) -> Handler:
    """Wrap a handler so that agents without the supervisor role get 403."""

    @functools.wraps(handler)
    async def checked(request: web.Request) -> web.StreamResponse:
        if not current(request).is_supervisor:
            return render(
                request,
                "error.html",
                {
                    "title": "Geen toegang",
                    "message": "Deze pagina is alleen voor supervisors.",
                },
                status=403,
            )
        return await handler(request)

    return checked


def _login_page(
    request: web.Request, error: str | None = None, status: int = 200
) -> web.StreamResponse:
    # Keep a token the browser already has: two open login tabs must both work.
    token = request.cookies.get(LOGIN_COOKIE, "")
    if not _LOGIN_TOKEN.fullmatch(token):
        token = secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        {
            "error": error,
            "login_token": token,
            "next": safe_next(request.query.get("next")),
            "username": "",
        },
        status=status,
    )
    set_strict_cookie(request, response, LOGIN_COOKIE, token, path="/login", max_age=3600)
    return response


def set_strict_cookie(
    request: web.Request,
    response: web.StreamResponse,
    name: str,
    value: str,
    path: str,
    max_age: int,
) -> None:
    """A console or portal cookie: never for scripts, never sent by another site."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="Strict",
        secure=request.config_dict[SETTINGS].secure_cookies,
        path=path,
        max_age=max_age,
    )


async def login_form(request: web.Request) -> web.StreamResponse:
    """The sign-in form."""
    if signed_in(request) is not None:
        raise web.HTTPSeeOther(safe_next(request.query.get("next")))
    return _login_page(request)


def _try_again(request: web.Request, message: str, seconds: int) -> web.StreamResponse:
    response = _login_page(request, message, status=429)
    response.headers["Retry-After"] = str(max(1, seconds))
    return response


def _throttled(request: web.Request, retry_at: datetime, now: datetime) -> web.StreamResponse:
    seconds = math.ceil((retry_at - now).total_seconds())
    wait = f"{seconds} seconden" if seconds < 120 else f"{math.ceil(seconds / 60)} minuten"
    at = retry_at.astimezone(AMSTERDAM).strftime("%H:%M")
    message = f"{THROTTLED} Probeer het opnieuw over {wait} (om {at})."
    return _try_again(request, message, seconds)


def _sign_in(
    sessions: sessionmaker[Session], username: str, password: str, now: datetime
) -> tuple[str, SignedIn] | None:
    """The database lookup and scrypt: runs on the password pool, off the event loop."""
    with sessions.begin() as session:
        agent = authenticate(session, username, password)
        if agent is None:
            return None
        purge_expired(session, now)
        return start_session(session, agent, now)


def _form_expired(request: web.Request) -> web.StreamResponse:
    return render(
        request,
        "error.html",
        {
            "title": "Formulier verlopen",
            "message": "Open de inlogpagina opnieuw en probeer het nog eens.",
        },
        status=403,
    )


async def login(request: web.Request) -> web.StreamResponse:
    """Check the credentials; on success a new session and its cookie."""
    form = await read_form(request)
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), form.get("login_token", "").encode()):
        return _form_expired(request)
    username = form.get("username", "").strip()
    address = client_ip(request)
    throttle = request.app[LOGIN_THROTTLE]
    now = request.app[CLOCK]()
    retry_at = throttle.retry_at(username, address, now)
    if retry_at is not None:
        logger.warning("sign-in refused: too many failures (from %s)", address)
        return _throttled(request, retry_at, now)
    try:
        signed = await request.app[PASSWORD_CHECKS].run(
            _sign_in, request.app[SESSIONS], username, form.get("password", ""), now
        )
    except TooBusy:
        logger.warning("sign-in refused: too many at once (from %s)", address)
        return _try_again(request, BUSY, 5)
    if signed is None:
        throttle.failed(username, address, now)
        # Neither the username nor the password goes to the log.
        logger.info("sign-in failed (from %s)", address)
        return _login_page(request, FAILED, status=401)
    token, who = signed
    throttle.succeeded(username, address)
    logger.info("signed in: %s (from %s)", who.username, address)
    response = web.HTTPSeeOther(safe_next(form.get("next", "/")))
    max_age = int(SESSION_LIFETIME.total_seconds())
    set_strict_cookie(request, response, SESSION_COOKIE, token, path="/", max_age=max_age)
    response.del_cookie(LOGIN_COOKIE, path="/login")
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    """End the session (a POST with the CSRF token, so no other site can sign us out)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    with request.app[SESSIONS].begin() as session:
        end_session(session, token, request.app[CLOCK]())
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


def setup_routes(app: web.Application) -> None:
    """Add the login and logout routes, the password pool and the trusted proxies."""
    app[TRUSTED_PROXIES] = TrustedProxies.from_env()
    app.cleanup_ctx.append(password_checks)
    app.router.add_get("/login", login_form, name="login")
    app.router.add_post("/login", login, name="login-post")
    app.router.add_post("/logout", logout, name="logout")
