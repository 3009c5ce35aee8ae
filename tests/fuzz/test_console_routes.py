"""Bad input to the console (console.app.init_app, through aiohttp's test client).

Public routes (health, static files, sign-in, the contractor's work-order link and its
button) and, signed in as an agent, the forms and APIs behind the login. Malformed
requests must get a 4xx, never a 5xx, and the console must go on serving afterwards.
A small fake of Rasa's HTTP API stands in for the Rasa server; the database is
PostgreSQL, as in production (it refuses some text SQLite takes, such as NUL).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from yarl import URL

from tests.console.signin import add_accounts, csrf_of, form_login
from tests.fuzz.loop import LoopThread
from tests.fuzz.strategies import body_content_types, json_values, not_json_objects, odd_text
from tests.security.test_login import on_site

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Fuzz-wachtwoord-123"
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def quoted(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def form_text(text: str) -> str:
    # A browser sends form fields as UTF-8; a lone surrogate cannot be sent as such.
    return text.encode("utf-8", "replace").decode("utf-8")


def fake_rasa() -> web.Application:
    async def tracker(request: web.Request) -> web.Response:
        return web.json_response(
            {"sender_id": request.match_info["id"], "events": [], "paused": True, "slots": {}}
        )

    async def events(request: web.Request) -> web.Response:
        return web.json_response(
            {"sender_id": request.match_info["id"], "events": [], "paused": False, "slots": {}}
        )

    async def trigger(request: web.Request) -> web.Response:
        return web.json_response({"tracker": {}, "messages": []})

    app = web.Application()
    app.router.add_get("/conversations/{id}/tracker", tracker)
    app.router.add_post("/conversations/{id}/tracker/events", events)
    app.router.add_put("/conversations/{id}/tracker/events", events)
    app.router.add_post("/conversations/{id}/trigger_intent", trigger)
    return app


@dataclass
class Console:
    loop: LoopThread
    anonymous: TestClient
    agent: TestClient
    csrf: str
    token: str
    number: str
    handover_id: int

    def fetch_redirect(self, path: str) -> str | None:
        """The Location the signed-in agent is sent to (None: no redirect, or no such URL)."""

        async def go() -> str | None:
            try:
                async with self.agent.get(URL(path, encoded=True), allow_redirects=False) as reply:
                    return reply.headers.get("Location") if reply.status == 303 else None
            except ValueError:  # no URL a browser could send (yarl or aiohttp refuse it)
                return None

        return self.loop.run(go())

    def fetch(
        self, method: str, path: str, *, signed_in: bool = False, **options: Any
    ) -> tuple[int, str]:
        client = self.agent if signed_in else self.anonymous

        async def go() -> tuple[int, str]:
            async with client.request(method, path, allow_redirects=False, **options) as reply:
                return reply.status, (await reply.read()).decode("utf-8", "replace")

        return self.loop.run(go())


def _database(workdir: Path) -> tuple[Any, str, str, int, Any]:
    from meldkamer.agents.models import Agent
    from meldkamer.clients.loader import load_client
    from meldkamer.clients.store import apply_all
    from meldkamer.db import make_engine, make_sessionmaker, upgrade
    from meldkamer.dispatch.models import WorkOrder
    from meldkamer.handover.service import request_handover
    from meldkamer.intake.melding import Melding
    from meldkamer.intake.spool import spool_melding
    from meldkamer.intake.validation import Address
    from meldkamer.service.context import Collaborators
    from meldkamer.service.spool import resume_spooled
    from tests.conftest import create_pg_database
    from tests.links import link_token

    url, drop = create_pg_database()
    upgrade(url)
    sessions = make_sessionmaker(make_engine(url))
    now = datetime.now(timezone.utc)
    with sessions.begin() as session:
        loaded = [load_client(p) for p in sorted((ROOT / "clients").glob("*.yml"))]
        apply_all(session, loaded, by="fuzz", now=now)
        fuzzer = {"username": "fuzzer", "display_name": "Fuzz Agent", "role": "supervisor"}
        add_accounts(session, Agent, {"fuzzer": PASSWORD}, [fuzzer], now)
    # A registered melding with a work order: a real acknowledgement token and ticket.
    melding = Melding(
        melding_id="fuzz-1",
        conversation_id="web-" + "f" * 32,
        channel="webchat",
        topic="lekkage_waterleiding",
        address=Address("1234 AB", 12),
        naam="Fatima el Amrani",
        telefoon="+31612345678",
        beschrijving="water spuit uit de leiding",
        facts={"leiding_gesprongen": True, "leiding_afsluitbaar": False},
        client_id="de-linde",
        complex_id="lindehof",
    )
    spool_melding(melding, received_at=now, directory=workdir / "spool")
    resumed = resume_spooled(
        Collaborators(sessions=sessions, clock=lambda: now), directory=workdir / "spool"
    )
    ((_, number, _),) = resumed.registered
    with sessions.begin() as session:
        token = link_token(sessions, session.query(WorkOrder).first())
        handover = request_handover(
            session,
            conversation_id=melding.conversation_id,
            channel="webchat",
            reason="Huurder vraagt om een medewerker",
            summary={"topic": melding.topic, "outcome": {"urgency": "acuut"}},
            now=now,
        )
        handover_id = handover.id
    return sessions, token, number, handover_id, drop


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    from console.app import ConsoleSettings, init_app

    workdir = tmp_path_factory.mktemp("fuzz-console")
    sessions, token, number, handover_id, drop = _database(workdir)
    loop = LoopThread()

    async def start() -> tuple[TestServer, TestClient, TestClient, str]:
        rasa = TestServer(fake_rasa())
        await rasa.start_server()
        settings = ConsoleSettings(
            database_url="unused",
            rasa_url=str(rasa.make_url("")).rstrip("/"),
            upload_dir=workdir / "uploads",
            secret_key=b"fuzz-signing-key",
        )
        app = init_app(settings, sessions=sessions, poll_seconds=0.05)
        server = TestServer(app)
        anonymous = TestClient(server)
        await anonymous.start_server()
        agent = TestClient(server)
        csrf = csrf_of(await form_login(agent, "/login", "fuzzer", PASSWORD, "/"))
        # The agent takes the conversation, so the reply forms reach their checks.
        taken = await agent.post(
            f"/overnemen/{handover_id}", data={"csrf_token": csrf}, allow_redirects=False
        )
        assert taken.status in (200, 303), await taken.text()
        return rasa, anonymous, agent, csrf

    rasa, anonymous, agent, csrf = loop.run(start())
    try:
        yield Console(loop, anonymous, agent, csrf, token, number, handover_id)
    finally:

        async def stop() -> None:
            await agent.close()
            await anonymous.close()
            await rasa.close()

        loop.run(stop())
        loop.close()
        sessions.kw["bind"].dispose()
        drop()


def no_server_error(status: int, body: str) -> None:
    assert status < 500, (status, body[:500])


def refused(status: int, body: str) -> None:
    assert 400 <= status < 500, (status, body[:500])


# --- public routes ---------------------------------------------------------------------


@FUZZ
@given(token=odd_text, base=st.sampled_from(["/werkbon", "/sla"]))
def test_work_order_link_with_odd_tokens(console: Console, token: str, base: str) -> None:
    # /sla: the escalation step's link (supervisor, piket) is public in the same way.
    path = f"{base}/{quoted(token)}" if token else f"{base}/x"
    status, body = console.fetch("GET", path)
    no_server_error(status, body)
    status, body = console.fetch(
        "POST", path, data=b"x=1", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    no_server_error(status, body)
    if token != console.token:
        assert status == 404 or status == 405, (status, body[:300])


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_work_order_link_with_nul(console: Console, method: str) -> None:
    refused(*console.fetch(method, "/werkbon/ab%00cd"))
    refused(*console.fetch(method, "/sla/ab%00cd"))


@FUZZ
@given(
    body=st.binary(max_size=300),
    content_type=body_content_types,
)
def test_work_order_button_ignores_the_body(
    console: Console, body: bytes, content_type: str
) -> None:
    status, text = console.fetch(
        "POST", "/werkbon/geen-echte-token", data=body, headers={"Content-Type": content_type}
    )
    refused(status, text)


def test_the_real_work_order_link_still_works(console: Console) -> None:
    status, body = console.fetch("GET", f"/werkbon/{console.token}")
    assert status == 200 and "bevestig" in body.lower()
    status, body = console.fetch("POST", f"/werkbon/{console.token}")
    assert status == 200 and console.number in body


login_forms = st.fixed_dictionaries(
    {},
    optional={
        "login_token": odd_text.map(form_text),
        "username": odd_text.map(form_text),
        "password": odd_text.map(form_text),
        "next": odd_text.map(form_text),
        "extra": odd_text.map(form_text),
    },
)


@FUZZ
@given(form=login_forms)
def test_login_refuses_odd_forms(console: Console, form: dict[str, str]) -> None:
    refused(*console.fetch("POST", "/login", data=form))


@FUZZ
@given(
    body=st.binary(max_size=300) | not_json_objects,
    content_type=body_content_types,
)
def test_login_refuses_malformed_bodies(console: Console, body: bytes, content_type: str) -> None:
    refused(*console.fetch("POST", "/login", data=body, headers={"Content-Type": content_type}))


@FUZZ
@given(
    username=odd_text.map(form_text), password=odd_text.map(form_text), nxt=odd_text.map(form_text)
)
@example(username="a\x00b", password="x\x00", nxt="/\x00")
@example(username="\u202egnasnes", password="\U0001f525" * 600, nxt="//evil.example")
def test_login_with_a_valid_form_token_and_odd_credentials(
    console: Console, username: str, password: str, nxt: str
) -> None:
    status, page = console.fetch("GET", "/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page).group(1)
    form = {"login_token": token, "username": username, "password": password, "next": nxt}
    status, body = console.fetch("POST", "/login", data=form)
    assert status in (401, 429), (status, body[:300])


def test_login_refuses_a_body_over_the_limit(console: Console) -> None:
    body = b"username=" + b"a" * (13 * 1024 * 1024)
    refused(
        *console.fetch(
            "POST",
            "/login",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    )


@FUZZ
@given(path=odd_text, nxt=odd_text)
def test_public_pages_with_odd_paths_and_queries(console: Console, path: str, nxt: str) -> None:
    for target in (
        f"/static/{quoted(path)}",
        f"/login?next={quoted(nxt)}",
        f"/{quoted(path)}",
        f"/health?{quoted(nxt)}",
    ):
        no_server_error(*console.fetch("GET", target))


@FUZZ
@given(token=odd_text, query=odd_text)
def test_metrics_with_odd_tokens_and_queries(console: Console, token: str, query: str) -> None:
    # Only what an HTTP header can carry; the client refuses the rest before sending.
    header = "Bearer " + "".join(c for c in token if " " <= c <= "~")
    stranger = {"Authorization": header.strip(), "X-Forwarded-For": "203.0.113.9"}
    status, body = console.fetch("GET", f"/metrics?{quoted(query)}", headers=stranger)
    assert status == 403 and "meldkamer_" not in body
    status, body = console.fetch("GET", f"/metrics?{quoted(query)}")  # from loopback
    assert status == 200 and "meldkamer_handovers_waiting" in body


@FUZZ
@given(nxt=odd_text)
@example(nxt="/\t/evil.example")
@example(nxt="/%09/evil.example")
def test_a_signed_in_agent_is_only_sent_to_this_site(console: Console, nxt: str) -> None:
    """A signed-in agent opening ``/login?next=...`` goes on at once: never elsewhere."""
    for target in (f"/login?next={quoted(nxt)}", f"/login?next={nxt}"):
        reply = console.fetch_redirect(target)
        if reply is not None:
            assert on_site(reply), (target, reply)


# --- behind the login -----------------------------------------------------------------


def agent_post(
    console: Console, path: str, form: dict[str, str], csrf: bool = True
) -> tuple[int, str]:
    data = {**form, **({"csrf_token": console.csrf} if csrf else {})}
    return console.fetch("POST", path, signed_in=True, data=data)


@settings(FUZZ, max_examples=15)
@given(form=st.dictionaries(odd_text.map(form_text), odd_text.map(form_text), max_size=4))
def test_posts_without_csrf_are_refused(console: Console, form: dict[str, str]) -> None:
    for path in (
        f"/gesprek/{console.handover_id}/antwoord",
        f"/ticket/{console.number}/notitie",
        "/nieuw",
        "/logout",
    ):
        status, body = agent_post(
            console, path, {k: v for k, v in form.items() if k != "csrf_token"}, csrf=False
        )
        assert status == 403, (path, status, body[:300])


agent_forms = st.dictionaries(
    st.sampled_from(
        [
            "tekst",
            "notitie",
            "text",
            "note",
            "reden",
            "veld",
            "waarde",
            "stap",
            "state",
            "onderwerp",
            "adres",
            "naam",
            "telefoon",
            "email",
            "beschrijving",
            "urgentie",
            "status",
            "canned",
            "callback",
            "sjabloon",
            "onderdeel",
            "feit",
            "antwoord",
            "terug",
            "staat",
            "aan",
            "uitkomst",
        ]
    ),
    odd_text.map(form_text) | st.integers(0, 10**6).map(str) | st.just("x" * 20000),
    max_size=5,
)


@settings(FUZZ, max_examples=25)
@given(
    form=agent_forms,
    target=st.sampled_from(
        [
            "antwoord",
            "notitie",
            "terug",
            "afsluiten",
            "ticket-wijzigen",
            "ticket-notitie",
            "nieuw",
            "nieuw-bevestigen",
            "overnemen",
            "opgepakt",
            "doorverbinden",
            "gesprek-doorverbinden",
        ]
    ),
)
@example(form={"aan": "de-vries", "uitkomst": "samenvatting_gemaild"}, target="doorverbinden")
@example(
    form={"aan": "\x00", "uitkomst": "verbonden", "notitie": "x" * 20000}, target="doorverbinden"
)
@example(form={"tekst": "a\x00b", "notitie": "\x00"}, target="antwoord")
@example(form={"notitie": "a\x00b"}, target="notitie")
@example(form={"notitie": "a\x00b"}, target="ticket-notitie")
@example(form={"veld": "naam", "waarde": "a\x00b", "reden": "\x00"}, target="ticket-wijzigen")
@example(form={"veld": "\x00", "waarde": "x" * 20000, "terug": "//x"}, target="ticket-wijzigen")
@example(form={"sjabloon": "\x00", "tekst": ""}, target="antwoord")
@example(form={"adres": "1234\x00AB", "stap": "\x00"}, target="nieuw")
def test_agent_forms_never_fail(console: Console, form: dict[str, str], target: str) -> None:
    path = {
        "antwoord": f"/gesprek/{console.handover_id}/antwoord",
        "notitie": f"/gesprek/{console.handover_id}/notitie",
        "terug": f"/gesprek/{console.handover_id}/terug",
        "afsluiten": f"/gesprek/{console.handover_id}/afsluiten",
        "ticket-wijzigen": f"/ticket/{console.number}/wijzigen",
        "ticket-notitie": f"/ticket/{console.number}/notitie",
        "nieuw": "/nieuw",
        "nieuw-bevestigen": "/nieuw/bevestigen",
        "overnemen": f"/overnemen/{console.handover_id}",
        "opgepakt": "/bewaking/1/opgepakt",
        "doorverbinden": f"/ticket/{console.number}/doorverbinden",
        "gesprek-doorverbinden": f"/gesprek/{console.handover_id}/doorverbinden",
    }[target]
    no_server_error(*agent_post(console, path, form))


@settings(FUZZ, max_examples=20)
@given(ident=odd_text | st.integers(-(2**70), 2**70).map(str), query=odd_text)
def test_agent_pages_with_odd_ids(console: Console, ident: str, query: str) -> None:
    for path in (
        f"/gesprek/{quoted(ident)}",
        f"/ticket/{quoted(ident)}",
        f"/bijlagen/{quoted(ident)}",
        f"/?{quoted(query)}",
        f"/beheer?{quoted(query)}",
        f"/nieuw?{quoted(query)}",
        f"/bewaking?{quoted(query)}",
        f"/bewaking/{quoted(ident)}/opgepakt",
    ):
        no_server_error(*console.fetch("GET", path, signed_in=True))


@settings(FUZZ, max_examples=15)
@given(body=not_json_objects | json_values.map(lambda v: __import__("json").dumps(v).encode()))
def test_agent_api_posts_with_json_bodies(console: Console, body: bytes) -> None:
    headers = {
        "Content-Type": "application/json",
        "X-CSRF-Token": console.csrf,
        "Accept": "application/json",
    }
    for path in (
        f"/gesprek/{console.handover_id}/antwoord",
        f"/overnemen/{console.handover_id}",
        f"/ticket/{console.number}/wijzigen",
    ):
        no_server_error(*console.fetch("POST", path, signed_in=True, data=body, headers=headers))


@pytest.mark.parametrize("path", ["/login", "/logout", "/nieuw"])
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"username=%80\x80&csrf_token=\xff", "application/x-www-form-urlencoded"),
        (b"", "multipart/form-data; boundary=x"),
        (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
    ],
    ids=["not-utf8", "empty-multipart", "broken-multipart"],
)
def test_malformed_form_bodies(console: Console, path: str, body: bytes, content_type: str) -> None:
    refused(
        *console.fetch(
            "POST",
            path,
            signed_in=path != "/login",
            data=body,
            headers={"Content-Type": content_type},
        )
    )


def test_console_still_serves_after_the_fuzz(console: Console) -> None:
    status, body = console.fetch("GET", "/health")
    assert status == 200 and "ok" in body
    status, body = console.fetch("GET", "/", signed_in=True)
    assert status == 200, body[:300]
    status, body = console.fetch("GET", f"/ticket/{console.number}", signed_in=True)
    assert status == 200 and console.number in body
    status, _ = console.fetch("GET", "/login")
    assert status == 200


def test_unique_names() -> None:
    assert uuid.uuid4().hex  # the module's examples use fresh ids where it matters
