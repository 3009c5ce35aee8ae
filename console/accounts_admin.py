"""Accounts in the browser (``/beheer/accounts``): add, disable, new password, clients.

Besides the command line (``meldkamer agents``), through the same use cases
(:mod:`meldkamer.service.accounts`). Only a supervisor who sees every client manages
accounts: a supervisor limited to some clients could otherwise widen their own scope.
Every change is a POST with the session's CSRF token (the middleware checks it). A new
password is made by the server, shown once on the answer page (never in a URL, not
cached) and stored only as its hash; hashing runs on the password pool, off the loop.
The account is named in a form field, not in the path, so no id reaches the URL.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web

from console.auth import Handler, supervisor_only
from console.forms import read_form
from console.identity import current
from console.keys import COLLABORATORS
from console.passwordcheck import PASSWORD_CHECKS, TooBusy
from console.rendering import render
from meldkamer.agents.accounts import AccountError, UnknownAgent
from meldkamer.agents.models import ROLE_LABELS, Role
from meldkamer.agents.scope import ALL_CLIENTS
from meldkamer.service.accounts import (
    Issued,
    account_overview,
    add_account,
    client_names,
    reset_password,
    set_account_active,
    set_account_clients,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: Form field of one client's checkbox: ``opdrachtgever-<id>``.
CLIENT_FIELD = "opdrachtgever-"
LIMITED = "Accounts beheert alleen een supervisor die alle opdrachtgevers ziet."
BUSY = "De server is even druk met wachtwoorden. Probeer het over een paar seconden opnieuw."
UNKNOWN = "Dit account bestaat niet (meer)."


def managers_only(handler: Handler) -> Handler:
    """Supervisors who see every client; others get 403."""

    @functools.wraps(handler)
    async def checked(request: web.Request) -> web.StreamResponse:
        if current(request).scope.limited:
            values = {"title": "Geen toegang", "message": LIMITED}
            return render(request, "error.html", values, status=403)
        return await handler(request)

    return supervisor_only(checked)


def _chosen_clients(form: dict[str, str]) -> list[str] | None:
    """``None`` for every client, else the ticked ones (an empty list is refused later)."""
    if form.get("bereik", "alle") == "alle":
        return None
    return sorted(key.removeprefix(CLIENT_FIELD) for key in form if key.startswith(CLIENT_FIELD))


def _overview(
    request: web.Request, *, error: str | None = None, form: dict[str, str] | None = None
) -> dict[str, Any]:
    ctx = request.app[COLLABORATORS]
    return {
        "accounts": account_overview(ctx),
        "clients": client_names(ctx),
        "roles": ROLE_LABELS,
        "all_clients": ALL_CLIENTS,
        "client_field": CLIENT_FIELD,
        "error": error,
        "form": form or {},
    }


def _page(request: web.Request, status: int = 200, **values: Any) -> web.StreamResponse:
    return render(request, "accounts.html", _overview(request, **values), status=status)


async def _hashing(request: web.Request, use_case: Callable[..., T], *args: Any) -> T:
    return await request.app[PASSWORD_CHECKS].run(use_case, request.app[COLLABORATORS], *args)


def _issued(request: web.Request, issued: Issued, what: str) -> web.StreamResponse:
    response = render(request, "account_wachtwoord.html", {"issued": issued, "what": what})
    # Shown once: no browser or proxy cache keeps a copy of the page.
    response.headers["Cache-Control"] = "no-store"
    return response


@managers_only
async def page(request: web.Request) -> web.StreamResponse:
    """Every account with its state and clients, and the form for a new one."""
    return _page(request)


def _add(ctx: Any, form: dict[str, str]) -> Issued:
    return add_account(
        ctx,
        username=form.get("gebruikersnaam", ""),
        display_name=form.get("naam", ""),
        role=form.get("rol", Role.AGENT.value),
        clients=_chosen_clients(form),
    )


@managers_only
async def add(request: web.Request) -> web.StreamResponse:
    """A new account; its password on the answer page, once."""
    form = await read_form(request)
    try:
        issued = await _hashing(request, _add, form)
    except AccountError as error:
        return _page(request, 400, error=f"Niet aangemaakt: {error}.", form=form)
    except TooBusy:
        return _page(request, 503, error=BUSY, form=form)
    logger.info("account %s added by %s", issued.username, current(request).username)
    return _issued(request, issued, "Account aangemaakt")


@managers_only
async def new_password(request: web.Request) -> web.StreamResponse:
    """A new random password for an account (the old one stops working)."""
    username = (await read_form(request)).get("gebruikersnaam", "")
    try:
        issued = await _hashing(request, reset_password, username)
    except UnknownAgent:
        return _page(request, 404, error=UNKNOWN)
    except TooBusy:
        return _page(request, 503, error=BUSY)
    logger.info("password of %s reset by %s", issued.username, current(request).username)
    return _issued(request, issued, "Nieuw wachtwoord")


@managers_only
async def active(request: web.Request) -> web.StreamResponse:
    """Uitschakelen or Inschakelen: a disabled account cannot sign in, its sessions end."""
    form = await read_form(request)
    username, enable = form.get("gebruikersnaam", ""), form.get("actief") == "1"
    me = current(request).username
    try:
        set_account_active(request.app[COLLABORATORS], username, enable, by=me)
    except UnknownAgent:
        return _page(request, 404, error=UNKNOWN)
    except AccountError as error:
        return _page(request, 400, error=f"Niet gewijzigd: {error}.")
    logger.info("account %s %s by %s", username, "enabled" if enable else "disabled", me)
    raise web.HTTPSeeOther(str(request.app.router["accounts"].url_for()))


@managers_only
async def scope_form(request: web.Request) -> web.StreamResponse:
    """The clients one account works for, as a form."""
    username = request.query.get("gebruiker", "")
    return _scope_page(request, username)


def _scope_page(
    request: web.Request, username: str, error: str | None = None, status: int = 200
) -> web.StreamResponse:
    values = _overview(request, error=error)
    found = [row for row in values["accounts"] if row.username == username.strip().lower()]
    if not found:
        return _page(request, 404, error=UNKNOWN)
    return render(request, "account_bereik.html", {**values, "account": found[0]}, status=status)


@managers_only
async def scope_save(request: web.Request) -> web.StreamResponse:
    """Save the clients of one account; a change applies at its next request."""
    form = await read_form(request)
    username = form.get("gebruikersnaam", "")
    try:
        set_account_clients(request.app[COLLABORATORS], username, _chosen_clients(form))
    except UnknownAgent:
        return _page(request, 404, error=UNKNOWN)
    except AccountError as error:
        return _scope_page(request, username, f"Niet gewijzigd: {error}.", status=400)
    logger.info("clients of %s changed by %s", username, current(request).username)
    raise web.HTTPSeeOther(str(request.app.router["accounts"].url_for()))


def setup_routes(app: web.Application) -> None:
    """Add the account management routes."""
    app.router.add_get("/beheer/accounts", page, name="accounts")
    app.router.add_post("/beheer/accounts", add, name="accounts-add")
    app.router.add_post("/beheer/accounts/wachtwoord", new_password, name="accounts-password")
    app.router.add_post("/beheer/accounts/actief", active, name="accounts-active")
    app.router.add_get("/beheer/accounts/opdrachtgevers", scope_form, name="accounts-scope")
    app.router.add_post("/beheer/accounts/opdrachtgevers", scope_save, name="accounts-scope-save")
