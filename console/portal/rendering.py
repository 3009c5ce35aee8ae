"""Portal pages: the console's template environment (autoescape, label filters), portal context.

The portal is a sub-application, so the shared state (templates, clock, sessions) is
read through ``request.config_dict``; ``url`` builds the portal's own routes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from console.keys import CLOCK, TEMPLATES
from console.portal.keys import portal_user


def render(
    request: web.Request,
    template: str,
    values: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> web.Response:
    """A full HTML page of the portal (``portaal/<template>``)."""
    who = portal_user(request)
    router = request.app.router

    def url(name: str, **parts: object) -> str:
        return str(router[name].url_for(**{k: str(v) for k, v in parts.items()}))

    context = {
        "me": who,
        "csrf_token": who.csrf_token if who else "",
        "now": request.config_dict[CLOCK](),
        "url": url,
        "path": request.path,
        **(values or {}),
    }
    text = request.config_dict[TEMPLATES].get_template(f"portaal/{template}").render(context)
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def error_page(request: web.Request, title: str, message: str, status: int) -> web.Response:
    """An error page in the portal's layout."""
    return render(request, "fout.html", {"title": title, "message": message}, status=status)
