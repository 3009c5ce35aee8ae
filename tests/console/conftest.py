"""Fixtures of the console tests: the real application, a real fake Rasa, signed-in agents.

The fake Rasa is an aiohttp server on loopback that speaks the few routes of Rasa's
HTTP API the console uses: it serves trackers and records what the console posts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from console.app import ConsoleSettings, init_app
from meldkamer.agents.accounts import find_agent
from meldkamer.agents.models import Agent as AgentRow
from meldkamer.agents.scope import set_scope
from meldkamer.dispatch.service import DispatchSettings
from meldkamer.handover.service import request_handover
from tests.console.signin import SignedIn, add_accounts, csrf_of, form_login

AMS = ZoneInfo("Europe/Amsterdam")
#: Wednesday 2 December 2026, 03:00: night, De Linde's office closed, roster week 1.
NOW = datetime(2026, 12, 2, 3, 0, tzinfo=AMS)
PASSWORDS = {
    "sanne": "Sanne-wachtwoord-1",
    "piet": "Piet-wachtwoord-22",
    "chef": "Chef-wachtwoord-333",
}


# --- the clock -----------------------------------------------------------------------


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


# --- a real fake Rasa ----------------------------------------------------------------


@dataclass
class FakeRasa:
    """Rasa's HTTP API as far as the console uses it; records every request."""

    token: str | None = None
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    posted: list[tuple[str, list[dict[str, Any]], dict[str, str]]] = field(default_factory=list)
    intents: list[tuple[str, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    down: bool = False
    url: str = ""

    def add(self, conversation_id: str, event: str, text: str, **extra: Any) -> None:
        """Something said in a conversation, as it would be in the tracker."""
        self.events.setdefault(conversation_id, []).append(
            {"event": event, "text": text, "timestamp": NOW.timestamp(), **extra}
        )

    def _check(self, request: web.Request) -> None:
        if self.down:
            raise web.HTTPServiceUnavailable(text="rasa is down")
        if self.token and request.query.get("token") != self.token:
            raise web.HTTPUnauthorized(text="no token")

    def _tracker(self, conversation_id: str) -> dict[str, Any]:
        events = self.events.get(conversation_id, [])
        paused = False
        for event in events:
            paused = {"pause": True, "resume": False}.get(event["event"], paused)
        return {"sender_id": conversation_id, "events": events, "paused": paused, "slots": {}}

    async def _received(self, request: web.Request, into: list[Any], call: str) -> tuple[str, Any]:
        """Check a POST and record it in ``into`` and ``calls``; its conversation and body."""
        self._check(request)
        conversation_id = request.match_info["id"]
        body = await request.json()
        into.append((conversation_id, body, dict(request.query)))
        self.calls.append(call)
        return conversation_id, body

    def app(self) -> web.Application:
        async def tracker(request: web.Request) -> web.Response:
            self._check(request)
            self.calls.append("tracker")
            return web.json_response(self._tracker(request.match_info["id"]))

        async def append(request: web.Request) -> web.Response:
            conversation_id, body = await self._received(request, self.posted, "events")
            for event in body:
                self.events.setdefault(conversation_id, []).append(
                    {"timestamp": NOW.timestamp(), **event}
                )
            return web.json_response(self._tracker(conversation_id))

        async def trigger(request: web.Request) -> web.Response:
            conversation_id, _ = await self._received(request, self.intents, "trigger_intent")
            self.add(conversation_id, "bot", "U praat weer met de digitale assistent.")
            return web.json_response({"tracker": self._tracker(conversation_id), "messages": []})

        app = web.Application()
        app.router.add_get("/conversations/{id}/tracker", tracker)
        app.router.add_post("/conversations/{id}/tracker/events", append)
        app.router.add_post("/conversations/{id}/trigger_intent", trigger)
        return app


@pytest.fixture
async def fake_rasa(aiohttp_server) -> FakeRasa:
    rasa = FakeRasa()
    server = await aiohttp_server(rasa.app())
    rasa.url = str(server.make_url("")).rstrip("/")
    return rasa


# --- the console ---------------------------------------------------------------------


ACCOUNTS = [
    ("sanne", "Sanne de Vries", "agent"),
    ("piet", "Piet Jansen", "agent"),
    ("chef", "Chantal Supervisor", "supervisor"),
]


@pytest.fixture
def sessions(demo_sessions):
    """Sessions on a database with the demo clients and three accounts."""
    with demo_sessions.begin() as session:
        accounts = [
            {"username": username, "display_name": name, "role": role}
            for username, name, role in ACCOUNTS
        ]
        add_accounts(session, AgentRow, PASSWORDS, accounts, NOW)
    return demo_sessions


@pytest.fixture
def uploads(tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    return folder


@pytest.fixture
def console_app(sessions, fake_rasa, clock, uploads) -> web.Application:
    settings = ConsoleSettings(
        database_url="unused",
        rasa_url=fake_rasa.url,
        upload_dir=uploads,
        secret_key=b"test-signing-key",
    )
    return init_app(
        settings,
        sessions=sessions,
        clock=clock,
        dispatch=DispatchSettings(public_url="https://meldkamer.test"),
        poll_seconds=0.05,
    )


@pytest.fixture
async def anonymous(aiohttp_client, console_app) -> TestClient:
    """A browser without a session."""
    return await aiohttp_client(console_app)


async def login(client: TestClient, username: str, password: str | None = None) -> str:
    """Sign in through the form like a browser; returns the session's CSRF token."""
    home = await form_login(client, "/login", username, password or PASSWORDS[username], "/")
    return csrf_of(home)


class Agent(SignedIn):
    """A signed-in agent's browser."""


#: The demo clients, all an agent's scope can name.
CLIENTS = ["de-linde", "vve-beheer-noord"]


def limit_scope(sessions: Any, username: str, clients: list[str] | None) -> None:
    """Limit the account ``username`` to ``clients`` (None: every client)."""
    with sessions.begin() as session:
        agent = find_agent(session, username)
        assert agent is not None
        set_scope(session, agent, clients, known=CLIENTS)


async def limited_agent(
    aiohttp_client: Any, app: Any, sessions: Any, username: str, clients: list[str]
) -> Agent:
    """``username`` limited to ``clients``, then signed in, in a browser of its own."""
    limit_scope(sessions, username, clients)
    client = await aiohttp_client(app)
    return Agent(client, await login(client, username))


@pytest.fixture
async def sanne(aiohttp_client, console_app) -> Agent:
    client = await aiohttp_client(console_app)
    return Agent(client, await login(client, "sanne"))


@pytest.fixture
async def piet(sanne, aiohttp_client) -> Agent:
    """A second agent in another browser, on the same server as ``sanne``."""
    client = await aiohttp_client(sanne.client.server)
    return Agent(client, await login(client, "piet"))


@pytest.fixture
async def chef(sanne, aiohttp_client) -> Agent:
    client = await aiohttp_client(sanne.client.server)
    return Agent(client, await login(client, "chef"))


# --- handovers -----------------------------------------------------------------------


def summary(**overrides: Any) -> dict[str, Any]:
    """What actions.handover.summary_of would give for a burst pipe."""
    base = {
        "topic": "lekkage_waterleiding",
        "facts": {"leiding_gesprongen": True},
        "unknown_facts": ["leiding_afsluitbaar"],
        "outcome": {
            "urgency": "acuut",
            "reasons": ["[acuut] Gesprongen leiding, niet afsluitbaar"],
            "needs_assessment": True,
            "inform_client": False,
        },
        "adres": "1234 AB 12",
        "naam": "Fatima el Amrani",
        "telefoon": "+31612345678",
        "email": None,
        "beschrijving": "water spuit uit de leiding",
        "fotos": [],
        "ticket": None,
        "opdrachtgever": "de-linde",
    }
    return {**base, **overrides}


def hand_over(
    sessions,
    conversation_id: str = "web-" + "a" * 32,
    *,
    at: datetime = NOW,
    reason: str = "Huurder vraagt om een medewerker",
    **summary_overrides: Any,
) -> int:
    with sessions.begin() as session:
        return request_handover(
            session,
            conversation_id=conversation_id,
            channel="webchat",
            reason=reason,
            summary=summary(**summary_overrides),
            now=at,
        ).id
