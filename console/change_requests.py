"""Supervisors review clients' change requests (``/beheer/wijzigingen``) and apply or reject them.

The review shows the diff as it would be applied *now* (the part spliced into the
version in force), which may differ from what the client saw when another change was
applied since. Applying goes through :func:`meldkamer.portal.changes.decide_request`:
the versioned apply of client files, with the confirmation e-mail to the client, and the
console's client cache reads the new version at once.
"""

from __future__ import annotations

from aiohttp import web

from console.auth import supervisor_only
from console.forms import read_form
from console.identity import current
from console.keys import CLIENTS, CLOCK, ENGINE, SESSIONS
from console.rendering import render
from meldkamer.portal.changes import (
    STATE_LABELS,
    ChangeRefused,
    Proposal,
    decide_request,
    request_of,
    requests_of,
    review_proposal,
)
from meldkamer.portal.models import RequestState
from meldkamer.portal.parts import PARTS

PART_LABELS = {part.code: part.label for part in PARTS}


@supervisor_only
async def overview(request: web.Request) -> web.StreamResponse:
    """Every change request, open ones first, of the clients the supervisor works for."""
    scope = current(request).scope
    with request.app[SESSIONS]() as session:
        found = [r for r in requests_of(session) if scope.allows(r.client_id)]
    found.sort(key=lambda r: r.state != RequestState.SUBMITTED.value)
    return render(
        request,
        "wijzigingsverzoeken.html",
        {"requests": found, "labels": PART_LABELS, "states": STATE_LABELS},
    )


async def _page(
    request: web.Request, request_id: int, problems: list[str], status: int = 200
) -> web.Response:
    with request.app[SESSIONS]() as session:
        found = request_of(session, request_id)
        if found is None or not current(request).scope.allows(found.client_id):
            raise web.HTTPNotFound(text="Dit wijzigingsverzoek bestaat niet.")
        proposal: Proposal | None = None
        stale: list[str] = []
        if found.state == RequestState.SUBMITTED.value:
            try:
                proposal = review_proposal(session, found, request.app[ENGINE].table)
            except ChangeRefused as refused:
                stale = refused.problems
        return render(
            request,
            "wijzigingsverzoek.html",
            {
                "r": found,
                "label": PART_LABELS.get(found.part, "-"),
                "state": STATE_LABELS[found.state],
                "proposal": proposal,
                "stale": stale,
                "problems": problems,
            },
            status=status,
        )


@supervisor_only
async def show(request: web.Request) -> web.StreamResponse:
    """One request: the client's part, the diff against the version in force, the buttons."""
    return await _page(request, int(request.match_info["request_id"]), [])


@supervisor_only
async def decide(request: web.Request) -> web.StreamResponse:
    """Apply (``/doorvoeren``) or reject (``/afwijzen``) a submitted request."""
    request_id = int(request.match_info["request_id"])
    form = await read_form(request)
    who = current(request)
    with request.app[SESSIONS]() as session:
        found = request_of(session, request_id)
    if found is None or not who.scope.allows(found.client_id):
        raise web.HTTPNotFound(text="Dit wijzigingsverzoek bestaat niet.")
    try:
        decide_request(
            request.app[SESSIONS],
            request.app[CLIENTS],
            request_id,
            apply=request.match_info["decision"] == "doorvoeren",
            by=who.username,
            note=form.get("opmerking"),
            now=request.app[CLOCK](),
        )
    except ChangeRefused as refused:
        return await _page(request, request_id, refused.problems, status=422)
    raise web.HTTPSeeOther(
        str(request.app.router["beheer-wijziging"].url_for(request_id=str(request_id)))
    )


def setup_routes(app: web.Application) -> None:
    """Add the review pages."""
    app.router.add_get("/beheer/wijzigingen", overview, name="beheer-wijzigingen")
    app.router.add_get(r"/beheer/wijzigingen/{request_id:\d{1,12}}", show, name="beheer-wijziging")
    app.router.add_post(
        r"/beheer/wijzigingen/{request_id:\d{1,12}}/{decision:doorvoeren|afwijzen}",
        decide,
        name="beheer-wijziging-besluit",
    )
