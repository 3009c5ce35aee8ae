"""Portal pages: the console's template environment (autoescape, label filters), portal context.

The portal is a sub-application, so the shared state (templates, clock, sessions) is
read through ``request.config_dict``; ``url`` builds the portal's own routes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from console.portal.keys import portal_user
from console.rendering import html_page


def render(
    request: web.Request,
    template: str,
    values: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> web.Response:
    """A full HTML page of the portal (``portaal/<template>``)."""
    return html_page(request, portal_user(request), f"portaal/{template}", values, status)


def error_page(request: web.Request, title: str, message: str, status: int) -> web.Response:
    """An error page in the portal's layout."""
    return render(request, "fout.html", {"title": title, "message": message}, status=status)
