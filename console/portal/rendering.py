"""Portal pages: the console's template environment (autoescape, label filters), portal context.

The portal is a sub-application, so the shared state (templates, clock, sessions) is
read through ``request.config_dict``; ``url`` builds the portal's own routes.
"""

from __future__ import annotations

from aiohttp import web

from console.portal.keys import portal_user
from console.rendering import Pages

#: A full HTML page of the portal (``portaal/<template>``).
render = Pages(portal_user, "portaal/").render


def error_page(request: web.Request, title: str, message: str, status: int) -> web.Response:
    """An error page in the portal's layout."""
    return render(request, "fout.html", {"title": title, "message": message}, status=status)
