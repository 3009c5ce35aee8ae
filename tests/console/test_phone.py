"""Phone mode, end to end against the demo clients: the bot's intake, the bot's dispatch."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from console.intake_wizard import UNKNOWN
from meldkamer.clients.store import latest
from meldkamer.dispatch.models import WorkOrder
from meldkamer.handover.models import Note
from meldkamer.intake.validation import parse_address
from meldkamer.tickets import Ticket
from meldkamer.triage import TriageSettings, default_engine
from tests.console.conftest import NOW


def state_of(page: str) -> str:
    return re.search(r'name="staat" value="([^"]+)"', page).group(1)


def asked_fact(page: str) -> str | None:
    found = re.search(r'data-feit="([a-z_]+)"', page)
    return found.group(1) if found else None


def step_of(page: str) -> str:
    return re.search(r'<li aria-current="step" class="huidig">([^<]+)</li>', page).group(1)


class Wizard:
    """An agent clicking through /nieuw."""

    def __init__(self, agent) -> None:
        self.agent = agent
        self.page = ""
        self.status = 0

    async def start(self) -> None:
        response = await self.agent.get("/nieuw")
        self.status, self.page = response.status, await response.text()

    async def send(self, step: str, **fields: str) -> None:
        response = await self.agent.post(
            "/nieuw", {"staat": state_of(self.page), "stap": step, **fields}
        )
        self.status, self.page = response.status, await response.text()
        assert self.status in (200, 400), self.page

    async def answer(self, answers: dict[str, str]) -> None:
        """One step per answer, in order: ``{"naam": "Jan"}`` sends the step naam."""
        for step, value in answers.items():
            await self.send(step, **{step: value})

    async def confirm(self):
        return await self.agent.post("/nieuw/bevestigen", {"staat": state_of(self.page)})


#: A tenant locked out at De Linde, in the steps after the topic (no e-mail address).
LOCKED_OUT = {
    "adres": "1234 AB 3",
    "naam": "Jan",
    "telefoon": "0612345678",
    "email": "",
    "beschrijving": "sleutels liggen binnen",
}


def settings_for(sessions, postcode: str, number: int) -> TriageSettings:
    with sessions() as session:
        found = latest(session).find_by_address(postcode, number)
    return found[0].triage_settings(default_engine().table) if found else TriageSettings()


CASES = [
    # topic, address, answers (None: "Weet ik niet"), expected urgency, work order to
    (
        "cv_storing",
        "1234 AB 12",
        {"geen_verwarming": True, "geen_warm_water": True, "medische_noodzaak": True},
        "acuut",
        "Warmtetechniek Van Dijk",
    ),
    (
        "lekkage_waterleiding",
        "1234ab 7",
        {"leiding_gesprongen": True, "leiding_afsluitbaar": None},
        "acuut",
        "Loodgietersbedrijf Smit",
    ),
    ("buitensluiting", "1234 AB 3", {}, "acuut", "Slotenservice Mulder"),
    (
        "elektra",
        "9876 AB 10",
        {
            "stroomuitval": "gedeeltelijk_zonder_cv",
            "belemmering_bewoning": False,
            "storing_in_straat": False,
        },
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("topic", "address", "answers", "urgency", "contractor"), CASES, ids=[c[0] for c in CASES]
)
async def test_the_wizard_asks_what_the_engine_asks_and_dispatches(
    sanne, sessions, topic, address, answers, urgency, contractor
) -> None:
    engine = default_engine()
    wizard = Wizard(sanne)
    await wizard.start()
    assert step_of(wizard.page) == "Onderwerp"
    await wizard.send("onderwerp", onderwerp=topic)
    assert step_of(wizard.page) == "Adres"  # the address first, as the bot does
    await wizard.send("adres", adres=address)
    parsed = parse_address(address)
    postcode = parsed.postcode
    settings = settings_for(sessions, parsed.postcode, parsed.huisnummer)

    facts: dict = {}
    unknown: list[str] = []
    asked: list[str] = []
    while (fact := asked_fact(wizard.page)) is not None:
        # exactly the question the engine would ask now, with the table's options
        assert fact == engine.next_question(topic, facts, NOW, settings, skip=unknown)
        assert engine.table.facts[fact].question in wizard.page
        for option in engine.table.facts[fact].options:
            assert f'value="{json.dumps(option.value).replace(chr(34), "&#34;")}"' in wizard.page
        assert "Weet ik niet" in wizard.page
        asked.append(fact)
        value = answers[fact]
        await wizard.send(
            "vraag", feit=fact, antwoord=UNKNOWN if value is None else json.dumps(value)
        )
        assert wizard.status == 200
        if value is None:
            unknown.append(fact)
        else:
            facts[fact] = value
    assert engine.next_question(topic, facts, NOW, settings, skip=unknown) is None
    assert set(asked) <= set(answers) and (asked or not answers)

    assert step_of(wizard.page) == "Naam"
    await wizard.send("naam", naam="mijn naam is Fatima el Amrani")
    await wizard.send("telefoon", telefoon="06-12345678")
    await wizard.send("email", email="")
    await wizard.send("beschrijving", beschrijving="Het probleem zoals de beller het vertelt")
    assert step_of(wizard.page) == "Controleren"
    expected = engine.evaluate(topic, facts, NOW, settings)
    assert expected.urgency.value in wizard.page
    if urgency:
        assert expected.urgency.value == urgency

    response = await wizard.confirm()
    assert response.status == 303
    number = response.headers["Location"].removeprefix("/ticket/")
    assert re.fullmatch(r"MK-\d{4}-\d{6}", number)
    ticket_page = await (await sanne.get(response.headers["Location"])).text()
    assert number in ticket_page and "Fatima el Amrani" in ticket_page

    with sessions() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        assert ticket.channel == "telefoon" and ticket.conversation_id.startswith("tel-")
        assert ticket.naam == "Fatima el Amrani" and ticket.telefoon == "+31612345678"
        assert ticket.email is None and ticket.facts == facts
        assert ticket.outcome["unknown_facts"] == unknown
        assert ticket.urgency == expected.urgency.value
        assert ticket.client_id == (
            "de-linde" if postcode.startswith("1234") else "vve-beheer-noord"
        )
        orders = (
            session.execute(select(WorkOrder).where(WorkOrder.ticket_id == ticket.id))
            .scalars()
            .all()
        )
        if contractor:
            (order,) = orders
            assert order.contractor_name == contractor and order.urgency == urgency
            assert contractor in ticket_page
        (note,) = session.execute(select(Note).where(Note.ticket_id == ticket.id)).scalars()
        assert "Sanne de Vries" in note.text


async def test_confirming_twice_makes_one_ticket(sanne, sessions) -> None:
    wizard = Wizard(sanne)
    await wizard.start()
    await wizard.send("onderwerp", onderwerp="buitensluiting")
    await wizard.answer({**LOCKED_OUT, "email": "geen"})
    first, second = await wizard.confirm(), await wizard.confirm()
    assert first.headers["Location"] == second.headers["Location"]
    with sessions() as session:
        assert len(session.execute(select(Ticket)).all()) == 1
        assert len(session.execute(select(WorkOrder)).all()) == 1


async def test_an_unknown_address_is_still_taken_without_a_work_order(sanne, sessions) -> None:
    wizard = Wizard(sanne)
    await wizard.start()
    await wizard.send("onderwerp", onderwerp="buitensluiting")
    await wizard.send("adres", adres="5555 ZZ 1")
    assert "geen bekende opdrachtgever" in wizard.page
    await wizard.answer({step: value for step, value in LOCKED_OUT.items() if step != "adres"})
    response = await wizard.confirm()
    with sessions() as session:
        ticket = session.execute(select(Ticket)).scalar_one()
        assert ticket.client_id is None and "geen bekende opdrachtgever" in ticket.attention
        assert session.execute(select(WorkOrder)).first() is None
    assert "Let op" in await (await sanne.get(response.headers["Location"])).text()


@pytest.mark.parametrize(
    ("step", "value", "message"),
    [
        ("adres", "0123 AB 4", "Die postcode bestaat niet"),
        ("adres", "1234 AB", "geen huisnummer"),
        ("naam", "12345", "in letters"),
        ("telefoon", "06-12ab5678", "alleen uit cijfers"),
        ("telefoon", "0612345", "10 cijfers"),
        ("email", "fatima@", "klopt niet"),
        ("beschrijving", "!!", "Beschrijf het probleem"),
    ],
)
async def test_the_bots_validation_with_the_bots_messages(sanne, step, value, message) -> None:
    wizard = Wizard(sanne)
    await wizard.start()
    await wizard.send("onderwerp", onderwerp="buitensluiting")
    path = [("adres", "1234 AB 3"), ("naam", "Jan"), ("telefoon", "0612345678"), ("email", "")]
    for earlier, answer in (
        path[: [s for s, _ in path].index(step)] if step != "beschrijving" else path
    ):
        await wizard.send(earlier, **{earlier: answer})
    await wizard.send(step, **{step: value})
    assert wizard.status == 400 and message in wizard.page
    assert 'aria-invalid="true"' in wizard.page or step == "beschrijving"


async def test_the_state_cannot_be_changed_or_moved_to_another_session(sanne, piet) -> None:
    wizard = Wizard(sanne)
    await wizard.start()
    await wizard.send("onderwerp", onderwerp="buitensluiting")
    signed = state_of(wizard.page)
    body, mac = signed.split(".")
    tampered = await sanne.post(
        "/nieuw", {"staat": body[:-2] + "xx." + mac, "stap": "adres", "adres": "1234 AB 3"}
    )
    assert tampered.status == 400
    stolen = await piet.post("/nieuw", {"staat": signed, "stap": "adres", "adres": "1234 AB 3"})
    assert stolen.status == 400
    unfinished = await sanne.post("/nieuw/bevestigen", {"staat": signed})
    assert unfinished.status == 400 and "Nog niet compleet" in await unfinished.text()


async def test_an_answer_to_an_old_question_is_not_applied(sanne) -> None:
    wizard = Wizard(sanne)
    await wizard.start()
    await wizard.send("onderwerp", onderwerp="cv_storing")
    await wizard.send("adres", adres="1234 AB 12")
    fact = asked_fact(wizard.page)
    await wizard.send("vraag", feit="zonneboiler", antwoord="true")  # not the open question
    assert "al beantwoord" in wizard.page and asked_fact(wizard.page) == fact
    await wizard.send("naam", naam="Jan")  # a step that is not open
    assert "al gedaan" in wizard.page and asked_fact(wizard.page) == fact
    await wizard.send("vraag", feit=fact, antwoord='"geen-optie"')
    assert wizard.status == 400 and "Kies een van de antwoorden" in wizard.page


async def test_changing_the_address_asks_the_questions_again(sanne) -> None:
    wizard = Wizard(sanne)
    await wizard.start()
    await wizard.send("onderwerp", onderwerp="buitensluiting")
    await wizard.answer(LOCKED_OUT)
    assert step_of(wizard.page) == "Controleren"
    await wizard.send("aanpassen", onderdeel="adres")
    assert step_of(wizard.page) == "Adres"
    await wizard.send("adres", adres="9876 AB 10")
    assert step_of(wizard.page) == "Controleren"  # the rest was kept
    assert "9876 AB 10" in wizard.page
