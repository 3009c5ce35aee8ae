"""The client's change requests: pick a part, edit or upload it, see the check and diff, submit.

"Controleren" runs the same check as submitting and shows the problems or the diff;
"Indienen" checks again and stores the request for a supervisor of the meldkamer. A
refused text stays in the form: nothing the client typed is lost.
"""

from __future__ import annotations

from aiohttp import web

from console.forms import clean
from console.keys import CLOCK, ENGINE, SESSIONS
from console.portal.auth import PortalRoutes
from console.portal.keys import me
from console.portal.rendering import error_page, render
from meldkamer.clients.store import newest_version
from meldkamer.portal.changes import (
    STATE_LABELS,
    ChangeRefused,
    propose,
    request_of,
    requests_of,
    submit,
)
from meldkamer.portal.parts import MAX_PART_CHARS, PARTS, PARTS_BY_CODE, current_text

PART_LABELS = {part.code: part.label for part in PARTS}


async def overview(request: web.Request) -> web.StreamResponse:
    """Every request of the client with its state, and the parts one can change."""
    who = me(request)
    with request.config_dict[SESSIONS]() as session:
        found = requests_of(session, who.client_id)
    return render(
        request,
        "wijzigingen.html",
        {"requests": found, "parts": PARTS, "labels": PART_LABELS, "states": STATE_LABELS},
    )


def _form(request: web.Request, part: str, text: str, **extra: object) -> web.Response:
    values: dict[str, object] = {
        "part": part,
        "label": PART_LABELS[part],
        "text": text,
        "problems": [],
        "diff": None,
    }
    values.update(extra)
    status = 422 if values["problems"] else 200
    return render(request, "wijziging_nieuw.html", values, status=status)


async def new(request: web.Request) -> web.StreamResponse:
    """The form for one part, filled with the part as it stands in the version in force."""
    part = request.query.get("onderdeel", "")
    if part not in PARTS_BY_CODE:
        return error_page(request, "Onbekend onderdeel", "Kies een onderdeel uit de lijst.", 404)
    with request.config_dict[SESSIONS]() as session:
        current = newest_version(session, me(request).client_id)
        text = current_text(current.source, PARTS_BY_CODE[part]) if current else ""
    return _form(request, part, text)


async def _posted(request: web.Request) -> dict[str, str]:
    """The form's fields; an uploaded file (``bestand``) replaces the text field."""
    try:
        data = await request.post()
    except ValueError:
        raise web.HTTPBadRequest(text="Het formulier kon niet worden gelezen.") from None
    fields = {k: clean(v) for k, v in data.items() if isinstance(v, str)}
    upload = data.get("bestand")
    if isinstance(upload, web.FileField):
        raw = upload.file.read(MAX_PART_CHARS * 4 + 1)
        if raw:
            try:
                fields["tekst"] = clean(raw.decode("utf-8"))
            except UnicodeDecodeError:
                fields["upload_error"] = "het bestand is geen tekst in UTF-8"
    return fields


async def check(request: web.Request) -> web.StreamResponse:
    """Check (``actie=controleren``) or submit (``actie=indienen``) a changed part."""
    who = me(request)
    form = await _posted(request)
    part, text = form.get("onderdeel", ""), form.get("tekst", "")
    if part not in PARTS_BY_CODE:
        return error_page(request, "Onbekend onderdeel", "Kies een onderdeel uit de lijst.", 404)
    explanation = form.get("toelichting", "")
    if "upload_error" in form:
        return _form(request, part, text, problems=[form["upload_error"]], explanation=explanation)
    table = request.config_dict[ENGINE].table
    with request.config_dict[SESSIONS].begin() as session:
        try:
            proposal = propose(session, who.client_id, part, text, table)
            if form.get("actie") != "indienen":
                return _form(request, part, text, diff=proposal.diff, explanation=explanation)
            stored = submit(
                session,
                proposal,
                by=who.username,
                explanation=explanation,
                now=request.config_dict[CLOCK](),
            )
        except ChangeRefused as refused:
            return _form(request, part, text, problems=refused.problems, explanation=explanation)
        target = request.app.router["portaal-wijziging"].url_for(request_id=str(stored.id))
    raise web.HTTPSeeOther(str(target))


async def show(request: web.Request) -> web.StreamResponse:
    """One request: the part, the diff the client saw, its state and the reviewer's note."""
    who = me(request)
    with request.config_dict[SESSIONS]() as session:
        found = request_of(session, int(request.match_info["request_id"]), who.client_id)
        if found is None:
            return error_page(
                request, "Niet gevonden", "Dit verzoek bestaat niet of is niet van u.", 404
            )
        return render(
            request,
            "wijziging.html",
            {
                "r": found,
                "label": PART_LABELS.get(found.part, "-"),
                "state": STATE_LABELS[found.state],
            },
        )


def setup_routes(routes: PortalRoutes) -> None:
    """Add the change request pages."""
    routes.get("/wijzigingen", overview, name="portaal-wijzigingen")
    routes.get("/wijzigingen/nieuw", new, name="portaal-wijziging-nieuw")
    routes.post("/wijzigingen/nieuw", check, name="portaal-wijziging-controle")
    routes.get(r"/wijzigingen/{request_id:\d{1,12}}", show, name="portaal-wijziging")
