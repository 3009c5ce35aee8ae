"""Find anything: /tickets searches by number, address, phone and name, filters and exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from meldkamer.intake.validation import Address
from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.tickets import change_status, get_ticket
from tests.console.conftest import NOW, limited_agent
from tests.service.conftest import burst_pipe


def numbers_on(page: str) -> list[str]:
    return re.findall(r'<tr data-ticket="(MK-\d{4}-\d{6})">', page)


def register(sessions, key: str, at=NOW, **changes) -> str:  # noqa: ANN001
    ctx = Collaborators(sessions=sessions, clock=lambda: at)
    number = confirm_melding(ctx, burst_pipe(key, **changes)).ticket_number
    assert number
    return number


async def test_search_by_number_address_phone_and_name(sanne, sessions) -> None:
    fatima = register(sessions, "m-1")
    jan = register(
        sessions, "m-2", naam="Jan de Boer", telefoon="+31687654321", address=Address("1234 AB", 7)
    )
    cases = {
        fatima: fatima,
        jan[-6:]: jan,
        "1234 ab 7": jan,
        "06-87654321": jan,
        "el amrani": fatima,
    }
    for q, expected in cases.items():
        page = await (await sanne.get("/tickets", params={"q": q})).text()
        assert numbers_on(page) == [expected], q
    everything = await (await sanne.get("/tickets")).text()
    assert numbers_on(everything) == [jan, fatima]  # newest first
    assert "Meldingen" in everything and 'aria-current="page">Meldingen' in everything
    assert (
        "Woonstichting De Linde" in everything and "de-linde" not in everything.split("<tbody>")[1]
    )
    nothing = await (await sanne.get("/tickets", params={"q": "Pietersen"})).text()
    assert numbers_on(nothing) == [] and "Geen meldingen gevonden" in nothing


async def test_filters_status_urgency_channel_period_and_client(sanne, sessions) -> None:
    old = register(sessions, "m-old", at=NOW - timedelta(days=10))
    new = register(sessions, "m-new", channel="telefoon")
    with sessions.begin() as session:
        ticket = get_ticket(session, old)
        assert ticket is not None
        change_status(session, ticket, "afgerond", by="test", reason=None, now=NOW)
    day = NOW.date().isoformat()
    asked = {
        (("status", "afgerond"),): [old],
        (("kanaal", "telefoon"),): [new],
        (("urgentie", "acuut"),): [new, old],
        (("urgentie", "niet_urgent"),): [],
        (("van", day), ("tot", day)): [new],
        (("opdrachtgever", "de-linde"), ("status", "afgerond")): [old],
    }
    for params, expected in asked.items():
        page = await (await sanne.get("/tickets", params=dict(params))).text()
        assert numbers_on(page) == expected, params
    bad = await sanne.get("/tickets", params={"status": "weg"})
    assert bad.status == 400 and "Onbekende keuze" in await bad.text()
    backwards = await sanne.get("/tickets", params={"van": "2026-12-02", "tot": "2026-12-01"})
    assert backwards.status == 400


async def test_csv_export_has_the_same_filters_and_labels(sanne, sessions) -> None:
    fatima = register(sessions, "m-1", naam='=HYPERLINK("x")')
    register(sessions, "m-2", telefoon="+31687654321", channel="telefoon")
    response = await sanne.get("/tickets.csv", params={"kanaal": "rest"})
    assert response.status == 200 and response.content_type == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = (await response.read()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Meldnummer" and len(rows) == 2
    number, _, urgency, status, topic, client, complex_, *_, name, phone, channel = rows[1]
    assert number == fatima and urgency == "Acuut" and status != "doorgezet"
    assert client == "Woonstichting De Linde" and complex_ and topic[0].isupper()
    assert name.startswith("'=")  # a spreadsheet must not run a tenant's name
    assert phone == "06 12345678" and channel == "app (REST)"


async def test_a_limited_agent_finds_only_its_clients_tickets(
    sessions, console_app, aiohttp_client
) -> None:
    own = register(sessions, "m-own")
    other = register(sessions, "m-other", client_id="vve-beheer-noord", complex_id=None)
    piet = await limited_agent(aiohttp_client, console_app, sessions, "piet", ["de-linde"])
    page = await (await piet.get("/tickets")).text()
    assert numbers_on(page) == [own]
    asked = await (await piet.get("/tickets", params={"q": other})).text()
    assert numbers_on(asked) == []
    refused = await piet.get("/tickets", params={"opdrachtgever": "vve-beheer-noord"})
    assert refused.status == 400
    exported = (await (await piet.get("/tickets.csv")).read()).decode("utf-8-sig")
    assert own in exported and other not in exported
