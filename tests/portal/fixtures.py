"""Fixtures of the portal tests, importable by the console's security tests too.

Two clients with a ticket each (with a work order, contact, photo and change request),
a portal user for each, and a helper that signs a portal user in through the form.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from PIL import Image

from console.app import ConsoleSettings, init_app
from meldkamer.attachments.files import store_file
from meldkamer.attachments.store import link_to_ticket, record
from meldkamer.contacts import record_contact
from meldkamer.portal.changes import propose, submit
from meldkamer.portal.models import PortalUser
from meldkamer.tickets import NewTicket, create_ticket
from meldkamer.triage import default_engine
from tests.console.conftest import NOW
from tests.console.signin import SignedIn, add_accounts, form_login

PORTAL_PASSWORDS = {"linde-anna": "Anna-van-de-Linde-1", "noord-bram": "Bram-van-Noord-22"}
PORTAL_USERS = [
    ("linde-anna", "Anna Bakker", "de-linde"),
    ("noord-bram", "Bram Smit", "vve-beheer-noord"),
]
ADDRESSES = {"de-linde": ("1234 AB", 12), "vve-beheer-noord": ("9876 AB", 7)}


def routes_under(*prefixes: str) -> list[tuple[str, str, str]]:
    """Method, name and canonical path of every route under ``prefixes``, from the router."""
    app = init_app(ConsoleSettings(database_url="unused"))
    return sorted(
        {
            (route.method, route.resource.name, route.resource.canonical)
            for route in app.router.routes()
            if route.method != "HEAD"
            and route.resource is not None
            and route.resource.canonical.startswith(prefixes)
        }
    )


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


@dataclass(frozen=True)
class ClientData:
    """One client's ticket number, photo id and change request id."""

    number: str
    attachment_id: int
    request_id: int


def new_ticket(client_id: str, key: str, **changes: Any) -> NewTicket:
    postcode, huisnummer = ADDRESSES[client_id]
    values: dict[str, Any] = {
        "melding_id": key,
        "conversation_id": f"web-{key}",
        "channel": "webchat",
        "client_id": client_id,
        "topic": "lekkage_waterleiding",
        "facts": {"leiding_gesprongen": True},
        "outcome": {
            "urgency": "acuut",
            "inform_client": False,
            "needs_assessment": False,
            "reasons": [],
        },
        "postcode": postcode,
        "huisnummer": huisnummer,
        "naam": f"Huurder van {client_id}",
        "telefoon": "+31612345678",
        "email": None,
        "beschrijving": f"Gesprongen leiding bij {client_id}",
        **changes,
    }
    return NewTicket(**values)


def seed_portal(sessions: Any, uploads: Path) -> dict[str, ClientData]:
    """Portal users, and per client a ticket with a contact, a photo and a change request."""
    found: dict[str, ClientData] = {}
    with sessions.begin() as session:
        users = [
            {"username": username, "display_name": name, "client_id": client_id}
            for username, name, client_id in PORTAL_USERS
        ]
        add_accounts(session, PortalUser, PORTAL_PASSWORDS, users, NOW)
        for _, _, client_id in PORTAL_USERS:
            ticket = create_ticket(session, new_ticket(client_id, f"portaal-{client_id}"), NOW)
            record_contact(
                session,
                ticket_id=ticket.id,
                client_id=client_id,
                at=NOW,
                direction="uit",
                channel="sms",
                party="huurder",
                kind="sms",
                summary=f"Bevestiging aan huurder van {client_id}",
            )
            stored = store_file(jpeg(), uploads, NOW)
            photo = record(session, stored, ticket.conversation_id, NOW)
            link_to_ticket(session, ticket.conversation_id, [stored.relative], ticket.id)
            text = "stookseizoen:\n  van: '10-15'\n  tot: '04-15'\n"
            proposal = propose(session, client_id, "stookseizoen", text, default_engine().table)
            change = submit(session, proposal, by=f"portaal-{client_id}", explanation=None, now=NOW)
            found[client_id] = ClientData(ticket.number, photo.id, change.id)
    return found


class PortalBrowser(SignedIn):
    """A signed-in portal browser; unlike an agent's, it does not follow redirects."""

    async def get(self, path: str, **kwargs: Any):
        return await self.client.get(path, allow_redirects=False, **kwargs)


async def portal_login(
    client: TestClient, username: str, password: str | None = None
) -> PortalBrowser:
    """Sign a portal user in through the form, like a browser."""
    password = password or PORTAL_PASSWORDS[username]
    home = await form_login(client, "/portaal/inloggen", username, password, "/portaal/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    return PortalBrowser(client, csrf)


@pytest.fixture
def portal_data(sessions: Any, uploads: Path) -> dict[str, ClientData]:
    return seed_portal(sessions, uploads)


@pytest.fixture
async def anna(aiohttp_client: Any, console_app: Any, portal_data: Any) -> PortalBrowser:
    """A portal user of De Linde."""
    return await portal_login(await aiohttp_client(console_app), "linde-anna")
