"""The supervisors' portal pages (/beheer/wijzigingen, /beheer/portaal) by role and scope.

A supervisor limited to De Linde sees and changes exactly De Linde's change requests and
portal accounts; the other client's give 404, like ones that do not exist. An agent gets
403 on every route of both pages. The routes are read from the router, so a route added
later is walked by itself.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from console.scope import NOT_FOUND
from meldkamer.portal.models import ChangeRequest, PortalUser, RequestState
from tests.console.conftest import Agent, limited_agent
from tests.portal.fixtures import ClientData, routes_under

BEHEER_ROUTES = routes_under("/beheer/wijzigingen", "/beheer/portaal")
USERNAMES = {"de-linde": "linde-anna", "vve-beheer-noord": "noord-bram"}
CHOICES = {"decision": ("doorvoeren", "afwijzen"), "action": ("uitschakelen", "wachtwoord")}
#: What the forms of these routes send: enough to do the thing if the route let it through.
FORM = {
    "opmerking": "akkoord",
    "wachtwoord": "Een-nieuw-wachtwoord-1",
    "username": "nieuw-1",
    "naam": "Nieuw Account",
    "opdrachtgever": "de-linde",
}


def _values(client_id: str, data: ClientData) -> dict[str, str]:
    return {"request_id": str(data.request_id), "username": USERNAMES[client_id]}


def _urls(canonical: str, client_id: str, data: ClientData) -> list[str]:
    """The route's URL with the client's ids, once per choice (apply and reject, ...)."""
    values = _values(client_id, data)
    urls = [canonical]
    for name, choices in CHOICES.items():
        if "{" + name + "}" in canonical:
            urls = [url.replace("{" + name + "}", choice) for url in urls for choice in choices]
    return [re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], url) for url in urls]


def _state(sessions: Any) -> tuple[list[tuple[str, str]], list[tuple[str, bool, str]]]:
    """The change requests' states and the portal accounts: what a refusal must leave alone."""
    with sessions() as session:
        requests = session.execute(
            select(ChangeRequest.client_id, ChangeRequest.state).order_by(ChangeRequest.id)
        ).all()
        users = session.execute(
            select(PortalUser.username, PortalUser.active, PortalUser.password_hash).order_by(
                PortalUser.id
            )
        ).all()
    return [tuple(r) for r in requests], [tuple(u) for u in users]


async def _send(who: Agent, method: str, url: str) -> Any:
    if method == "POST":
        return await who.post(url, FORM)
    return await who.client.get(url, allow_redirects=False)


async def _refused_everywhere(
    who: Agent, sessions: Any, method: str, urls: list[str], status: int, text: str
) -> None:
    """Every URL answers ``status`` with ``text``, shows no other client, and changes nothing."""
    before = _state(sessions)
    for url in urls:
        response = await _send(who, method, url)
        assert response.status == status, (url, response.status)
        body = await response.text()
        assert text in body, url
        assert "noord-bram" not in body and "Bram Smit" not in body, url
    assert _state(sessions) == before  # nothing applied, rejected, added, disabled or reset


@pytest.fixture
async def chef_linde(sessions, console_app, aiohttp_client, portal_data) -> Agent:
    """The supervisor ``chef``, limited to De Linde."""
    return await limited_agent(aiohttp_client, console_app, sessions, "chef", ["de-linde"])


def test_the_walk_sees_both_pages_and_knows_their_parameters() -> None:
    names = {name for _, name, _ in BEHEER_ROUTES}
    assert {
        "beheer-wijzigingen",
        "beheer-wijziging",
        "beheer-wijziging-besluit",
        "beheer-portaal",
        "beheer-portaal-toevoegen",
        "beheer-portaal-wijzigen",
    } <= names
    params = {p for _, _, c in BEHEER_ROUTES for p in re.findall(r"\{(\w+)\}", c)}
    assert params <= {"request_id", "username"} | set(CHOICES), "say how to fill it"


@pytest.mark.parametrize(
    ("method", "name", "canonical"),
    [r for r in BEHEER_ROUTES if "{" in r[2]],
    ids=[f"{m} {n}" for m, n, c in BEHEER_ROUTES if "{" in c],
)
async def test_a_limited_supervisor_gets_404_for_the_other_clients_ids(
    chef_linde, sessions, portal_data, method: str, name: str, canonical: str
) -> None:
    urls = _urls(canonical, "vve-beheer-noord", portal_data["vve-beheer-noord"])
    await _refused_everywhere(chef_linde, sessions, method, urls, 404, NOT_FOUND)


async def test_a_limited_supervisor_opens_and_decides_its_own_clients_request(
    chef_linde, sessions, portal_data
) -> None:
    own, other = portal_data["de-linde"], portal_data["vve-beheer-noord"]
    listed = await (await chef_linde.get("/beheer/wijzigingen")).text()
    assert f"/beheer/wijzigingen/{own.request_id}" in listed
    assert f"/beheer/wijzigingen/{other.request_id}" not in listed
    assert (await chef_linde.get(f"/beheer/wijzigingen/{own.request_id}")).status == 200
    response = await chef_linde.post(
        f"/beheer/wijzigingen/{own.request_id}/afwijzen", {"opmerking": "graag per 1 oktober"}
    )
    assert response.status == 303
    with sessions() as session:
        assert session.get(ChangeRequest, own.request_id).state == RequestState.REJECTED.value
        assert session.get(ChangeRequest, other.request_id).state == RequestState.SUBMITTED.value


async def test_a_limited_supervisor_manages_only_its_clients_portal_accounts(
    chef_linde, sessions, portal_data
) -> None:
    page = await (await chef_linde.get("/beheer/portaal")).text()
    assert "linde-anna" in page and "noord-bram" not in page and "Bram Smit" not in page
    response = await chef_linde.post("/beheer/portaal/linde-anna/uitschakelen")
    assert response.status == 200
    assert "Account linde-anna is uitgeschakeld." in await response.text()
    # A new account only for its own clients: the other client is not offered, nor taken.
    refused = await chef_linde.post(
        "/beheer/portaal",
        {
            "username": "noord-nieuw",
            "naam": "Nieuw bij Noord",
            "opdrachtgever": "vve-beheer-noord",
            "wachtwoord": "Een-nieuw-wachtwoord-1",
        },
    )
    assert refused.status == 422
    with sessions() as session:
        users = dict(session.execute(select(PortalUser.username, PortalUser.active)).all())
    assert users == {"linde-anna": False, "noord-bram": True}


async def test_ids_that_do_not_exist_are_404_for_a_limited_supervisor(chef_linde) -> None:
    assert (await chef_linde.client.get("/beheer/wijzigingen/999999")).status == 404
    assert (await chef_linde.post("/beheer/wijzigingen/999999/doorvoeren")).status == 404
    assert (await chef_linde.post("/beheer/portaal/niemand-hier/uitschakelen")).status == 404


@pytest.mark.parametrize(
    ("method", "name", "canonical"), BEHEER_ROUTES, ids=[f"{m} {n}" for m, n, _ in BEHEER_ROUTES]
)
async def test_an_agent_gets_403_on_every_route_of_both_pages(
    sanne, sessions, portal_data, method: str, name: str, canonical: str
) -> None:
    urls = _urls(canonical, "de-linde", portal_data["de-linde"])
    await _refused_everywhere(sanne, sessions, method, urls, 403, "alleen voor supervisors")
    with sessions() as session:
        assert (
            session.execute(select(PortalUser).where(PortalUser.username == "nieuw-1")).first()
            is None
        )
