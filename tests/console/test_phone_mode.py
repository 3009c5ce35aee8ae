"""Phone mode at night: safety first, dangerous topics first, the caller's number first."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from console.intake_wizard import UNKNOWN
from meldkamer.intake.safety import safety_lines, safety_texts
from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.tickets import Ticket, TicketStatusChange
from meldkamer.triage import default_engine
from tests.console.conftest import NOW, limited_agent
from tests.console.test_phone import Wizard, asked_fact, step_of
from tests.console.test_phone_lookup import tickets_on
from tests.service.conftest import burst_pipe

TEMPLATE = Path(__file__).resolve().parents[2] / "console" / "templates" / "phone.html"


def topics_on(page: str) -> list[str]:
    return re.findall(r'data-onderwerp="([a-z_]+)"', page)


async def test_the_dangerous_topics_come_first_with_their_shortcuts(sanne) -> None:
    wizard = Wizard(sanne)
    await wizard.start()
    topics = topics_on(wizard.page)
    assert topics[:2] == ["gaslek", "brand"]
    assert sorted(topics) == sorted(default_engine().table.topics)
    assert topics.index("overig") > topics.index("cv_storing")  # nothing acuut in it first
    assert 'data-sneltoets="1" aria-keyshortcuts="1"' in wizard.page
    assert "Sneltoetsen" in wizard.page and 'id="sneltoetsen-aan"' in wizard.page
    assert 'src="/static/phone.js"' in wizard.page


async def test_gas_shows_the_bots_own_instructions_before_the_first_question(sanne) -> None:
    wizard = Wizard(sanne)
    await wizard.start()
    assert 'id="veiligheid"' not in wizard.page  # no topic yet: nothing to read out
    await wizard.send("onderwerp", onderwerp="gaslek")
    assert step_of(wizard.page) == "Adres"
    instructions = safety_lines("gas")
    assert instructions and "0800-9009" in safety_texts()["gas"]
    where = [wizard.page.index(f"<p>{line}</p>") for line in instructions]
    assert where == sorted(where)  # every line, in the bot's order
    assert where[-1] < wizard.page.index('id="stap"')  # before the address is asked
    assert where[0] < wizard.page.index("Wie belt er?")  # before anything else


async def test_a_topic_without_danger_shows_no_instructions(sanne) -> None:
    wizard = Wizard(sanne)
    await wizard.start()
    await wizard.send("onderwerp", onderwerp="cv_storing")
    assert 'id="veiligheid"' not in wizard.page


def test_the_template_takes_the_emergency_number_from_one_place() -> None:
    assert "112" not in TEMPLATE.read_text("utf-8")


async def test_the_looked_up_number_is_the_callers_and_the_agent_is_in_the_audit(
    sanne, sessions
) -> None:
    wizard = Wizard(sanne)
    response = await sanne.get("/nieuw", params={"beller": "06 11 22 33 44"})
    wizard.page = await response.text()
    assert "krijgt het nummer 06 11223344" in wizard.page
    await wizard.send("onderwerp", onderwerp="buitensluiting")
    await wizard.send("adres", adres="1234 AB 3")
    while asked_fact(wizard.page):
        await wizard.send("vraag", feit=asked_fact(wizard.page), antwoord=UNKNOWN)
    await wizard.send("naam", naam="Jan de Boer")
    assert step_of(wizard.page) == "E-mail"  # the number is not asked again
    await wizard.send("email", email="")
    await wizard.send("beschrijving", beschrijving="sleutel in de woning, deur dicht")
    confirmed = await wizard.confirm()
    assert confirmed.status == 303, await confirmed.text()
    number = confirmed.headers["Location"].rsplit("/", 1)[1]
    with sessions() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        first = (
            session.execute(
                select(TicketStatusChange)
                .where(TicketStatusChange.ticket_id == ticket.id)
                .order_by(TicketStatusChange.id)
            )
            .scalars()
            .first()
        )
        assert first is not None and first.status_from is None
        assert ticket.telefoon == "+31611223344"
        assert first.changed_by == "sanne"
    page = await (await sanne.get(f"/ticket/{number}")).text()
    history = page.split("Statusgeschiedenis")[1].split("</ol>")[0]
    assert "door Sanne de Vries" in history and "assistent" not in history


async def test_a_limited_agent_sees_only_its_clients_tickets_of_a_caller(
    sessions, console_app, aiohttp_client
) -> None:
    ctx = Collaborators(sessions=sessions, clock=lambda: NOW)
    own = confirm_melding(ctx, burst_pipe("m-own")).ticket_number
    other = confirm_melding(
        ctx, burst_pipe("m-other", client_id="vve-beheer-noord", complex_id=None)
    ).ticket_number
    assert own and other
    piet = await limited_agent(aiohttp_client, console_app, sessions, "piet", ["de-linde"])
    page = await (await piet.get("/nieuw", params={"beller": "0612345678"})).text()
    assert tickets_on(page) == [own]
