"""Supervisors manage the client portal's accounts (``/beheer/portaal``): add, disable, reset.

The same use cases as ``meldkamer portal users``; a new or reset password is typed by the
supervisor and checked like the console's own. Disabling or resetting ends the
account's open portal sessions at once.
"""

from __future__ import annotations

from aiohttp import web

from console.auth import supervisor_only
from console.forms import read_form
from console.identity import current
from console.keys import CLIENTS, CLOCK, SESSIONS
from console.rendering import render
from meldkamer.portal.accounts import (
    AccountError,
    UnknownPortalUser,
    create_user,
    find_user,
    list_users,
    set_active,
    set_password,
)


async def _page(
    request: web.Request, *, error: str | None = None, done: str | None = None, status: int = 200
) -> web.Response:
    scope = current(request).scope
    registry = request.app[CLIENTS].registry()
    clients = [(c.id, c.name) for c in registry if scope.allows(c.id)]
    with request.app[SESSIONS]() as session:
        users = [u for u in list_users(session) if scope.allows(u.client_id)]
        return render(
            request,
            "portaal_accounts.html",
            {
                "users": users,
                "clients": clients,
                "names": dict(clients),
                "error": error,
                "done": done,
            },
            status=status,
        )


@supervisor_only
async def page(request: web.Request) -> web.StreamResponse:
    """The portal accounts of the supervisor's clients, and the form to add one."""
    return await _page(request)


@supervisor_only
async def add(request: web.Request) -> web.StreamResponse:
    """Add a portal account for one of the supervisor's clients."""
    form = await read_form(request)
    scope = current(request).scope
    known = [c.id for c in request.app[CLIENTS].registry() if scope.allows(c.id)]
    try:
        with request.app[SESSIONS].begin() as session:
            user = create_user(
                session,
                username=form.get("username", ""),
                display_name=form.get("naam", ""),
                client_id=form.get("opdrachtgever", ""),
                password=form.get("wachtwoord", ""),
                clients=known,
                now=request.app[CLOCK](),
            )
            name = user.username
    except AccountError as error:
        return await _page(request, error=str(error), status=422)
    return await _page(request, done=f"Account {name} is aangemaakt.")


@supervisor_only
async def change(request: web.Request) -> web.StreamResponse:
    """Disable, enable or reset the password of an account of the supervisor's clients."""
    form = await read_form(request)
    username, action = request.match_info["username"], request.match_info["action"]
    scope = current(request).scope
    try:
        with request.app[SESSIONS].begin() as session:
            user = find_user(session, username)
            if user is None or not scope.allows(user.client_id):
                raise UnknownPortalUser(username)
            if action == "wachtwoord":
                set_password(session, username, form.get("wachtwoord", ""))
                done = f"Het wachtwoord van {user.username} is gewijzigd."
            else:
                set_active(session, username, action == "inschakelen")
                done = f"Account {user.username} is {'ingeschakeld' if user.active else 'uitgeschakeld'}."
    except UnknownPortalUser:
        raise web.HTTPNotFound(text="Dit account bestaat niet.") from None
    except AccountError as error:
        return await _page(request, error=str(error), status=422)
    return await _page(request, done=done)


def setup_routes(app: web.Application) -> None:
    """Add the portal account pages."""
    app.router.add_get("/beheer/portaal", page, name="beheer-portaal")
    app.router.add_post("/beheer/portaal", add, name="beheer-portaal-toevoegen")
    app.router.add_post(
        r"/beheer/portaal/{username:[a-z0-9][a-z0-9._-]{1,99}}/{action:uitschakelen|inschakelen|wachtwoord}",
        change,
        name="beheer-portaal-wijzigen",
    )
