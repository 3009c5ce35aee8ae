"""Refusals as console pages: a signed-in agent gets a Dutch page, not a bare text.

Handlers and the scope check raise ``web.HTTPNotFound(text=...)`` and the like with a
Dutch sentence; without this middleware the browser shows that sentence as plain text,
without a title, a language or the way back (axe-core counts that as violations). For a
signed-in agent the sentence is put in ``error.html``; the status stays. API calls and
event streams keep their short answers, and so do public pages (the contractor's link
has its own pages) and everything of the client portal.
"""

from __future__ import annotations

from aiohttp import web

from console.auth import Handler, wants_api_answer
from console.identity import signed_in
from console.rendering import render

#: The page's heading per status; the handler's own sentence is the message.
TITLES = {
    403: "Geen toegang",
    404: "Niet gevonden",
}
#: The client portal renders its own pages.
OWN_PAGES = ("/portaal",)


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Render a raised refusal as ``error.html`` for a signed-in agent's page request."""
    try:
        return await handler(request)
    except web.HTTPException as refusal:
        if (
            refusal.status not in TITLES
            or signed_in(request) is None
            or wants_api_answer(request)
            or request.path.startswith(OWN_PAGES)
            or refusal.content_type != "text/plain"
        ):
            raise
        message = refusal.text or refusal.reason
        values = {"title": TITLES[refusal.status], "message": message}
        return render(request, "error.html", values, status=refusal.status)
