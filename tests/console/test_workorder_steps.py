"""The work-order page's buttons: bevestigd -> onderweg -> ter plaatse -> gereed, "ik kan niet"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from meldkamer.contacts import contacts_for_ticket
from tests.console.test_workorders import night_order, workorder_app
from tests.core.test_dispatch import NIGHT, orders


@pytest.fixture
async def client(aiohttp_client, demo_sessions):
    return await aiohttp_client(workorder_app(demo_sessions))


async def test_the_contractor_goes_through_every_step(client, demo_sessions) -> None:
    number, token = night_order(demo_sessions)
    page = await (await client.get(f"/werkbon/{token}")).text()
    for part in (number, "1234 AB 12", "Fatima el Amrani", "06 12345678", "Ik kan niet"):
        assert part in page
    steps = [
        {"status": "bevestigd"},
        {"status": "onderweg", "eta": "30"},
        {"status": "ter_plaatse"},
        {"status": "gereed", "note": "thermostaat vervangen"},
    ]
    for form in steps:
        response = await client.post(f"/werkbon/{token}", data=form)
        assert response.status == 200, await response.text()
    (done,) = orders(demo_sessions, number)
    assert done.status == "gereed" and done.report == "thermostaat vervangen"
    assert done.eta_at == NIGHT + timedelta(minutes=35)
    page = await (await client.get(f"/werkbon/{token}")).text()
    assert "afgesloten" in page and "thermostaat vervangen" in page
    with demo_sessions() as session:
        log = [(c.channel, c.kind) for c in contacts_for_ticket(session, done.ticket_id)]
    assert log.count(("pagina", "status")) == 4


async def test_a_step_without_its_data_or_unknown_is_refused(client, demo_sessions) -> None:
    number, token = night_order(demo_sessions)
    assert (await client.post(f"/werkbon/{token}", data={"status": "onderweg"})).status == 409
    assert (await client.post(f"/werkbon/{token}", data={"status": "niet_gelukt"})).status == 409
    assert (await client.post(f"/werkbon/{token}", data={"status": "klaar"})).status == 400
    refused = await client.post(f"/werkbon/{token}", data={"status": "geannuleerd"})
    assert refused.status == 409
    assert orders(demo_sessions, number)[0].status == "verstuurd"


async def test_ik_kan_niet_asks_the_next_contractor_at_once(client, demo_sessions) -> None:
    number, token = night_order(demo_sessions)
    response = await client.post(f"/werkbon/{token}", data={"status": "geescaleerd"})
    assert response.status == 200 and "andere aannemer" in await response.text()
    old, new = orders(demo_sessions, number)
    assert old.status == "geescaleerd" and new.step == 1 and new.status == "verstuurd"
