"""Per-client scoping of agents (issue 14): a limited agent sees only its clients.

Piet is limited to De Linde. Every console route that takes an id is walked (the list
is read from the router, as in tests/console/test_security.py) with an id of VVE Beheer
Noord and with an id that does not exist: both must give the same 404, and nothing of
the other client may change. The same routes with De Linde's ids still work for him,
and Sanne (unlimited, the default) still sees both clients.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from console.scope import CHOICES, NOT_FOUND, OUTSIDE_CLIENTS, OWNERS
from meldkamer.agents.accounts import find_agent
from meldkamer.agents.models import Agent as AgentRow
from meldkamer.agents.scope import UNLIMITED, AgentScope, scope_of, serving, set_scope
from meldkamer.attachments.models import Attachment
from meldkamer.handover.models import Handover, HandoverStatus
from meldkamer.handover.service import availability, request_handover
from meldkamer.sla.models import SlaClock
from meldkamer.sla.service import watched
from meldkamer.tickets.models import Ticket
from tests.console.conftest import NOW, PASSWORDS, Agent, limited_agent, summary
from tests.console.test_accounts import cli_db, run  # noqa: F401  (a fixture, by name)
from tests.console.test_queue import next_event
from tests.console.test_security import PROTECTED, ROUTES
from tests.core.test_dispatch import NIGHT, NO_HEAT_MEDICAL, register

OWN, OTHER = "de-linde", "vve-beheer-noord"
STRANGER = "Karel Vreemdeling"  # the other client's tenant: never on Piet's pages
MISSING = {"handover_id": "999999", "number": "MK-2099-999999", "attachment_id": "999999"}
MISSING["clock_id"] = "999999"
#: The supervisors' change requests and portal accounts are walked with their own ids
#: (a change request, a portal user per client) by tests/portal/test_beheer_scope.py.
WALKED_ELSEWHERE = ("/beheer/wijzigingen", "/beheer/portaal")
ID_ROUTES = [
    (method, name, canonical)
    for method, name, canonical in ROUTES
    if name in PROTECTED
    and re.search(r"\{\w+", canonical)
    and not canonical.startswith(WALKED_ELSEWHERE)
]


@dataclass(frozen=True)
class Ids:
    """One of everything for a client: handover, ticket, photo, SLA clock."""

    handover_id: str
    number: str
    attachment_id: str
    clock_id: str


def _make(sessions, uploads, client_id: str, postcode: str, name: str) -> Ids:
    number, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT, postcode=postcode)
    conversation = f"web-{client_id}"
    with sessions.begin() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        ticket.conversation_id, ticket.naam = conversation, name
        handover = request_handover(
            session,
            conversation_id=conversation,
            channel="webchat",
            reason="Huurder vraagt om een medewerker",
            summary=summary(naam=name, opdrachtgever=client_id, ticket=number),
            now=NOW,
            client_id=client_id,
            ticket_id=ticket.id,
        )
        relative = f"2026/12/{client_id}.jpg"
        (uploads / relative).parent.mkdir(parents=True, exist_ok=True)
        (uploads / relative).write_bytes(b"\xff\xd8\xff\xe0 a jpeg of " + client_id.encode())
        photo = Attachment(
            conversation_id=conversation,
            ticket_id=ticket.id,
            path=relative,
            content_type="image/jpeg",
            size=20,
            sha256="0" * 64,
            created_at=NOW,
        )
        clock = SlaClock(
            ticket_id=ticket.id,
            clock="bevestiging",
            target_at=NOW - timedelta(minutes=5),
            breached_at=NOW - timedelta(minutes=5),
            state="verlopen",
        )
        session.add_all([photo, clock])
        session.flush()
        return Ids(str(handover.id), number, str(photo.id), str(clock.id))


@pytest.fixture
def data(sessions, uploads) -> dict[str, Ids]:
    return {
        OWN: _make(sessions, uploads, OWN, "1234 AB", "Fatima el Amrani"),
        OTHER: _make(sessions, uploads, OTHER, "9876 AB", STRANGER),
    }


@pytest.fixture
async def piet(sessions, data, console_app, aiohttp_client) -> Agent:
    """An agent limited to De Linde."""
    return await limited_agent(aiohttp_client, console_app, sessions, "piet", [OWN])


def _url(canonical: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)[^}]*\}", lambda m: values[m.group(1)], canonical)


async def _call(agent: Agent, method: str, path: str) -> tuple[int, str]:
    if method == "POST":
        response = await agent.post(path, {"tekst": "hallo", "notitie": "x"})
    else:
        response = await agent.client.request(method, path, allow_redirects=False)
    # Event streams never end: the status and the first bytes are enough.
    body = (await response.content.read(2000)).decode("utf-8", "replace")
    response.close()
    return response.status, body


def test_every_id_of_every_console_route_has_an_owner() -> None:
    walked = [c for m, n, c in ROUTES if n in PROTECTED and re.search(r"\{\w+", c)]
    params = {p for c in walked for p in re.findall(r"\{(\w+)", c)}
    assert params and params <= set(OWNERS) | CHOICES, params - set(OWNERS) - CHOICES


@pytest.mark.parametrize(
    ("method", "name", "canonical"),
    [pytest.param(*route, id=f"{route[0]} {route[1]}") for route in ID_ROUTES],
)
async def test_another_clients_id_is_404_like_a_missing_one(
    piet, sessions, data, method: str, name: str, canonical: str
) -> None:
    foreign = await _call(piet, method, _url(canonical, vars(data[OTHER])))
    missing = await _call(piet, method, _url(canonical, MISSING))
    assert foreign[0] == 404, PROTECTED[name]
    # The same answer, word for word (a page or a short text): nothing tells them apart.
    assert foreign == missing and NOT_FOUND in html.unescape(foreign[1])
    with sessions() as session:
        handover = session.get(Handover, int(data[OTHER].handover_id))
        assert handover.status == HandoverStatus.WACHTEND.value and handover.agent is None
        assert session.get(SlaClock, int(data[OTHER].clock_id)).state == "verlopen"


@pytest.mark.parametrize(
    ("method", "name", "canonical"),
    [pytest.param(*route, id=f"{route[0]} {route[1]}") for route in ID_ROUTES],
)
async def test_the_agents_own_clients_ids_still_work(
    piet, data, method: str, name: str, canonical: str
) -> None:
    status, body = await _call(piet, method, _url(canonical, vars(data[OWN])))
    assert status != 404 and NOT_FOUND not in html.unescape(body), (PROTECTED[name], status)
    assert STRANGER not in body


async def test_pages_show_only_the_own_client(piet, sanne, data) -> None:
    own = await (await piet.get(f"/gesprek/{data[OWN].handover_id}")).text()
    assert "Fatima el Amrani" in own
    ticket = await (await piet.get(f"/ticket/{data[OWN].number}")).text()
    assert "Fatima el Amrani" in ticket
    photo = await piet.get(f"/bijlagen/{data[OWN].attachment_id}")
    assert photo.status == 200 and (await photo.read()).endswith(OWN.encode())
    queue = await (await piet.get("/")).text()
    assert f'data-id="{data[OWN].handover_id}"' in queue
    assert f'data-id="{data[OTHER].handover_id}"' not in queue
    # Sanne has no limit: the same pages show her both clients (so the check can fail).
    everything = await (await sanne.get("/")).text()
    assert f'data-id="{data[OTHER].handover_id}"' in everything
    assert (await sanne.get(f"/ticket/{data[OTHER].number}")).status == 200


async def test_the_queue_stream_leaves_out_other_clients(piet, data) -> None:
    response = await piet.get("/api/queue/events")
    first = await next_event(response, "wachtrij")
    response.close()
    assert first["count"] == 1 and f'data-id="{data[OWN].handover_id}"' in first["html"]


async def test_a_ticket_edit_cannot_return_to_another_clients_conversation(piet, data) -> None:
    response = await piet.post(
        f"/ticket/{data[OWN].number}/wijzigen",
        {
            "veld": "urgency",
            "waarde": "urgent",
            "reden": "",
            "terug": f"gesprek:{data[OTHER].handover_id}",
        },
    )
    assert response.status == 404 and STRANGER not in await response.text()


async def test_a_limited_supervisor_sees_only_its_clients_history(
    sessions, data, console_app, aiohttp_client
) -> None:
    chef = await limited_agent(aiohttp_client, console_app, sessions, "chef", [OTHER])
    page = await (await chef.get("/beheer")).text()
    assert f'href="/gesprek/{data[OTHER].handover_id}"' in page
    assert f'href="/gesprek/{data[OWN].handover_id}"' not in page
    assert (await chef.get(f"/gesprek/{data[OWN].handover_id}")).status == 404


async def test_phone_mode_takes_only_the_own_clients_addresses(piet) -> None:
    start = await (await piet.get("/nieuw")).text()
    state = re.search(r'name="staat" value="([^"]+)"', start).group(1)
    topic = await piet.post(
        "/nieuw", {"staat": state, "stap": "onderwerp", "onderwerp": "cv_storing"}
    )
    state = re.search(r'name="staat" value="([^"]+)"', await topic.text()).group(1)
    foreign = await piet.post("/nieuw", {"staat": state, "stap": "adres", "adres": "9876 AB 5"})
    assert foreign.status == 403 and OUTSIDE_CLIENTS in await foreign.text()
    unknown = await piet.post("/nieuw", {"staat": state, "stap": "adres", "adres": "5555 ZZ 1"})
    assert unknown.status == 403  # an address of no client may be anyone's: not his
    own = await piet.post("/nieuw", {"staat": state, "stap": "adres", "adres": "1234 AB 3"})
    assert own.status == 200 and OUTSIDE_CLIENTS not in await own.text()


def test_scope_checks_and_sql_filter_agree(sessions) -> None:
    limited = AgentScope(frozenset({OWN}))
    assert limited.allows(OWN) and not limited.allows(OTHER) and not limited.allows(None)
    assert UNLIMITED.allows(OTHER) and UNLIMITED.allows(None)
    with sessions.begin() as session:
        for client_id in (OWN, OTHER, None):
            request_handover(
                session,
                conversation_id=f"web-{client_id}",
                channel="webchat",
                reason="test",
                summary=summary(opdrachtgever=client_id),
                now=NOW,
                client_id=client_id,
            )
        for scope in (limited, UNLIMITED, AgentScope(frozenset())):
            shown = session.execute(
                select(Handover.client_id).where(scope.where(Handover.__table__.c.client_id))
            ).scalars()
            assert sorted(map(str, shown)) == sorted(
                str(c) for c in (OWN, OTHER, None) if scope.allows(c)
            )


def test_the_bot_promises_a_colleague_only_one_who_may_take_it(sessions) -> None:
    with sessions.begin() as session:
        for agent in session.execute(select(AgentRow)).scalars():
            agent.last_seen_at = NOW if agent.username == "piet" else None
        piet = find_agent(session, "piet")
        set_scope(session, piet, [OWN], known=[OWN, OTHER])
        assert scope_of(session, piet.id).clients == {OWN}
        assert availability(session, NOW, serving=serving(OWN)).available
        assert not availability(session, NOW, serving=serving(OTHER)).available
        assert not availability(session, NOW, serving=serving(None)).available
        set_scope(session, piet, None, known=[OWN, OTHER])
        assert scope_of(session, piet.id) == UNLIMITED
        assert availability(session, NOW, serving=serving(OTHER)).available


def test_cli_sets_and_shows_the_clients(cli_db, sessions, monkeypatch, capsys) -> None:  # noqa: F811
    add = ["agents", "add", "lotte", "--name", "Lotte", "--password-stdin"]
    assert run(monkeypatch, [*add, "--client", "bestaat-niet"], PASSWORDS["sanne"]) == 2
    assert "onbekende opdrachtgever: bestaat-niet" in capsys.readouterr().err
    assert run(monkeypatch, [*add, "--client", OWN, "--client", OTHER], PASSWORDS["sanne"]) == 0
    assert f"ziet: {OWN}, {OTHER}" in capsys.readouterr().out
    assert run(monkeypatch, ["agents", "update", "lotte", "--client", OTHER]) == 0
    assert run(monkeypatch, ["agents", "list"]) == 0
    listing = capsys.readouterr().out
    assert re.search(rf"^lotte .* {OTHER}$", listing, re.M)
    assert re.search(r"^sanne .* alle opdrachtgevers$", listing, re.M)
    assert run(monkeypatch, ["agents", "update", "lotte", "--all-clients"]) == 0
    assert run(monkeypatch, ["agents", "update", "niemand", "--all-clients"]) == 1
    assert run(monkeypatch, ["agents", "list", "--json"]) == 0
    assert '"clients": null' in capsys.readouterr().out
    with pytest.raises(SystemExit):  # one or the other, not both
        run(monkeypatch, ["agents", "update", "lotte", "--client", OWN, "--all-clients"])


def test_bewaking_lists_only_the_own_clients_clocks(sessions, data) -> None:
    with sessions() as session:
        own = watched(session, NOW, AgentScope(frozenset({OWN})))
        everything = watched(session, NOW)
    assert {row.ticket_number for row in own} == {data[OWN].number}
    assert {row.ticket_number for row in everything} == {data[OWN].number, data[OTHER].number}


@pytest.mark.skipif("bewaking" not in {name for _, name, _ in ROUTES}, reason="no Bewaking page")
async def test_the_bewaking_page_leaves_out_other_clients(piet, data) -> None:
    page = await (await piet.get("/bewaking")).text()
    assert data[OWN].number in page and data[OTHER].number not in page
