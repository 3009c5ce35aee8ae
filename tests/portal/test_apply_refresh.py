"""After a supervisor applies a change, the portal's client file shows it at once.

The console keeps the clients in force in a cache that reads the database every 30
seconds; applying a change request through the console makes that same cache (the
composition's, the one the portal's pages read) read the new version on its next use.
No time passes in these tests: without the refresh the old version would still show.
"""

from __future__ import annotations

from typing import Any

from console.keys import CLIENTS, COLLABORATORS
from tests.console.conftest import Agent, login
from tests.portal.fixtures import PortalBrowser, portal_login

OLD = "van 1 oktober tot en met 30 april"
NEW = "van 15 oktober tot en met 15 april"  # the fixture's request of De Linde


async def _both(aiohttp_client: Any, console_app: Any) -> tuple[PortalBrowser, Agent]:
    """Anna in the portal and the supervisor in the console, on one server (one cache)."""
    portal = await aiohttp_client(console_app)
    anna = await portal_login(portal, "linde-anna")
    console = await aiohttp_client(portal.server)
    return anna, Agent(console, await login(console, "chef"))


async def test_the_client_file_shows_the_applied_change_at_once(
    aiohttp_client, console_app, portal_data
) -> None:
    anna, chef = await _both(aiohttp_client, console_app)
    before = await (await anna.get("/portaal/klantdossier")).text()  # fills the cache
    assert OLD in before and NEW not in before
    request_id = portal_data["de-linde"].request_id
    applied = await chef.post(f"/beheer/wijzigingen/{request_id}/doorvoeren")
    assert applied.status == 303
    after = await (await anna.get("/portaal/klantdossier")).text()
    assert NEW in after and OLD not in after
    # The composition's cache itself, not a copy: the bot's settings read it too.
    app = anna.client.server.app
    assert app[CLIENTS] is app[COLLABORATORS].client_cache()
    season = app[COLLABORATORS].client("de-linde").heating_season
    assert (season.start, season.end) == ((10, 15), (4, 15))


async def test_a_rejected_or_refused_change_leaves_the_client_file_as_it_was(
    aiohttp_client, console_app, portal_data
) -> None:
    anna, chef = await _both(aiohttp_client, console_app)
    request_id = portal_data["de-linde"].request_id
    assert OLD in await (await anna.get("/portaal/klantdossier")).text()
    refused = await chef.post(f"/beheer/wijzigingen/{request_id}/afwijzen", {"opmerking": ""})
    assert refused.status == 422  # a rejection needs a reason
    rejected = await chef.post(
        f"/beheer/wijzigingen/{request_id}/afwijzen", {"opmerking": "Afgesproken in het contract"}
    )
    assert rejected.status == 303
    page = await (await anna.get("/portaal/klantdossier")).text()
    assert OLD in page and NEW not in page
