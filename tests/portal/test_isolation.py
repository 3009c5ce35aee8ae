"""A portal user sees only their own client's data, by every route of the portal.

The routes are read from the application's router, like the console's route walk: a
route added later is walked by itself, and an id parameter nobody gave a value of the
other client for fails the test until someone does.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from meldkamer.tickets import create_ticket
from tests.console.conftest import NOW
from tests.console.signin import post_login
from tests.portal.fixtures import ClientData, new_ticket, routes_under

PORTAL_ROUTES = routes_under("/portaal")
#: Values of the other client's ids, per URL parameter.
IDS = {
    "number": lambda other: other.number,
    "attachment_id": lambda other: str(other.attachment_id),
    "request_id": lambda other: str(other.request_id),
}
#: Parameters that name no client (the report's month and format: the user's own client's).
#: JSON, so that the check for the other client's name reads the report's text.
PLAIN = {"month": lambda other: "2026-11", "fmt": lambda other: "json"}
OTHER = {**IDS, **PLAIN}


def _url(canonical: str, other: ClientData) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: OTHER[m.group(1)](other), canonical)


def test_the_walk_sees_the_portals_routes() -> None:
    names = {name for _, name, _ in PORTAL_ROUTES}
    assert {"portaal-melding", "portaal-foto", "portaal-wijziging", "portaal-rapport"} <= names
    params = {p for _, _, c in PORTAL_ROUTES for p in re.findall(r"\{(\w+)\}", c)}
    assert params <= set(OTHER), "say how to fill this parameter with the other client's id"


@pytest.mark.parametrize(
    ("method", "name", "canonical"),
    PORTAL_ROUTES,
    ids=[f"{m} {n}" for m, n, _ in PORTAL_ROUTES],
)
async def test_a_user_of_one_client_never_reaches_the_other_clients_data(
    anna, portal_data, method: str, name: str, canonical: str
) -> None:
    other = portal_data["vve-beheer-noord"]
    path = _url(canonical, other)
    data = {"onderdeel": "stookseizoen", "tekst": "stookseizoen:\n  van: '09-01'\n"}
    if method == "POST":
        response = await anna.post(path, data)
    else:
        response = await anna.get(path)
    body = await response.read()
    params = set(re.findall(r"\{(\w+)\}", canonical))
    if params & set(IDS):  # an id in the URL: the other client's gets 404 or 403
        assert response.status in (403, 404), (name, response.status)
    elif params:  # no id: the user's own client's data, never the other's (checked below)
        assert response.status == 200, (name, response.status)
    for leak in (other.number, b"vve-beheer-noord", b"Huurder van vve", b"VvE Beheer Noord"):
        leak = leak.encode() if isinstance(leak, str) else leak
        assert leak not in body, (name, leak)


async def test_the_own_clients_ids_do_open(anna, portal_data) -> None:
    own = portal_data["de-linde"]
    for path in (
        f"/portaal/meldingen/{own.number}",
        f"/portaal/meldingen/{own.number}/fotos/{own.attachment_id}",
        f"/portaal/wijzigingen/{own.request_id}",
    ):
        assert (await anna.get(path)).status == 200, path


async def test_a_report_counts_only_the_own_clients_meldingen(anna, sessions) -> None:
    november = NOW - timedelta(days=10)
    with sessions.begin() as session:
        for key, client_id in (
            ("nov-1", "de-linde"),
            ("nov-2", "de-linde"),
            ("nov-3", "vve-beheer-noord"),
        ):
            create_ticket(session, new_ticket(client_id, key), november)
    report = json.loads(await (await anna.get("/portaal/rapporten/2026-11.json")).read())
    assert report["client"]["id"] == "de-linde"
    assert report["meldingen"] == 2


async def test_a_photo_of_the_own_ticket_under_the_other_ticket_number_is_404(
    anna, portal_data
) -> None:
    own, other = portal_data["de-linde"], portal_data["vve-beheer-noord"]
    assert (
        await anna.get(f"/portaal/meldingen/{own.number}/fotos/{other.attachment_id}")
    ).status == 404
    assert (
        await anna.get(f"/portaal/meldingen/{other.number}/fotos/{own.attachment_id}")
    ).status == 404


async def test_a_console_session_does_not_open_the_portal(sanne, portal_data) -> None:
    response = await sanne.client.get("/portaal/meldingen", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"].startswith("/portaal/inloggen")


async def test_a_portal_session_does_not_open_the_console(anna) -> None:
    for path in ("/", "/beheer", "/beheer/wijzigingen", "/beheer/portaal"):
        response = await anna.client.get(path, allow_redirects=False)
        assert response.status == 303, path
        assert response.headers["Location"].startswith("/login"), path
    # The portal's token sent as the console's cookie is no console session either.
    token = anna.client.session.cookie_jar.filter_cookies(anna.client.make_url("/portaal/"))[
        "mk_portaal"
    ].value
    anna.client.session.cookie_jar.update_cookies({"mk_sessie": token})
    assert (await anna.client.get("/", allow_redirects=False)).status == 303


async def test_a_portal_user_cannot_sign_in_to_the_console(anonymous, portal_data) -> None:
    response = await post_login(
        anonymous, "/login", username="linde-anna", password="Anna-van-de-Linde-1"
    )
    assert response.status == 401


async def test_an_agent_cannot_sign_in_to_the_portal(anonymous, portal_data) -> None:
    response = await post_login(
        anonymous, "/portaal/inloggen", username="sanne", password="Sanne-wachtwoord-1"
    )
    assert response.status == 401
    assert "mk_portaal" not in {c.key for c in anonymous.session.cookie_jar}
