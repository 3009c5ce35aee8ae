"""The contractor's acknowledgement link, through the real aiohttp application."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from console.app import ConsoleSettings, init_app
from tests.core.test_dispatch import NIGHT, NO_HEAT_MEDICAL, orders, register
from tests.links import link_token

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def sessions(demo_sessions):
    return demo_sessions


def workorder_app(sessions: sessionmaker[Session]) -> web.Application:
    """The console on ``sessions``, five minutes after the night's meldingen."""
    return init_app(
        ConsoleSettings(database_url="unused"),
        sessions=sessions,
        clock=lambda: NIGHT + timedelta(minutes=5),
    )


def night_order(sessions: sessionmaker[Session]) -> tuple[str, str]:
    """A night's cv melding with medical need: its number and its one work order's link token."""
    number, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT)
    (order,) = orders(sessions, number)
    return number, link_token(sessions, order)


@pytest.fixture
async def client(aiohttp_client, sessions):
    return await aiohttp_client(workorder_app(sessions))


async def test_opening_the_link_does_not_acknowledge(client, sessions) -> None:
    number, token = night_order(sessions)
    page = await client.get(f"/werkbon/{token}")
    assert page.status == 200
    text = await page.text()
    assert number in text and '<form method="post"' in text
    assert orders(sessions, number)[0].status == "verstuurd"  # a link preview changes nothing


async def test_the_button_acknowledges_once(client, sessions) -> None:
    number, token = night_order(sessions)
    first = await client.post(f"/werkbon/{token}")
    assert first.status == 200 and "De meldkamer weet dat u gaat" in await first.text()
    again = await client.post(f"/werkbon/{token}")
    assert "al bevestigd" in await again.text()
    (done,) = orders(sessions, number)
    assert done.status == "bevestigd" and done.acknowledged_at == NIGHT + timedelta(minutes=5)


@pytest.mark.parametrize("method", ["get", "post"])
async def test_unknown_token_is_404(client, method: str) -> None:
    response = await getattr(client, method)("/werkbon/bestaat-niet")
    assert response.status == 404


async def test_health(client) -> None:
    response = await client.get("/health")
    assert response.status == 200 and (await response.json()) == {"status": "ok"}
