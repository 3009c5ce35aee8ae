"""Cross-site request forgery: every POST carries the session's own CSRF token.

The token comes from the session row and goes into every form (``csrf_token``) and,
for scripts, the ``X-CSRF-Token`` header. The SameSite=Strict cookie already keeps
other sites' requests unauthenticated; the token also covers older browsers and
same-site attackers. Missing or wrong: 403.
"""

from __future__ import annotations

import hmac
import logging

from aiohttp import web

from console.auth import Handler, is_portal, wants_api_answer
from console.forms import read_form
from console.identity import signed_in
from console.rendering import render

logger = logging.getLogger(__name__)

HEADER = "X-CSRF-Token"
FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: The contractor's button and the escalation step's button have no session (their
#: secret is the link itself); the login
#: form has its own double-submit token (see :mod:`console.auth`).
EXEMPT_ROUTES = frozenset({"werkbon-bevestigen", "sla-opgepakt", "login-post"})


async def sent_token(request: web.Request) -> str:
    """The CSRF token a request sent: its header, else its form field, else empty."""
    header = request.headers.get(HEADER)
    if header:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # aiohttp keeps the parsed form: the handler reads it again for free.
        return (await read_form(request)).get(FIELD, "")
    return ""


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse state-changing requests without the session's CSRF token."""
    unmatched = request.match_info.http_exception is not None  # 404/405: nothing to protect
    if (
        request.method in UNSAFE_METHODS
        and not unmatched
        and not is_portal(request)  # checked by the portal against its own session
        and request.match_info.route.name not in EXEMPT_ROUTES
    ):
        who = signed_in(request)
        sent = await sent_token(request)
        if (
            who is None
            or not sent
            or not hmac.compare_digest(sent.encode(), who.csrf_token.encode())
        ):
            logger.warning("CSRF token missing or wrong: %s %s", request.method, request.path)
            if wants_api_answer(request):
                return web.json_response(
                    {"error": "CSRF-token ontbreekt of klopt niet"}, status=403
                )
            return render(
                request,
                "error.html",
                {
                    "title": "Verzoek geweigerd",
                    "message": "Het formulier was verlopen of kwam niet van de console. "
                    "Laad de pagina opnieuw en probeer het nog eens.",
                },
                status=403,
            )
    return await handler(request)
