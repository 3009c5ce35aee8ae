"""Maak ticket: a draft of a melding handed over incomplete, completed in phone mode.

The wizard starts from what the bot collected and asks only what is missing; a value
the bot's checks would refuse is asked again; registering links the draft to the new
ticket. The conversation page and /tickets show the draft with the link.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from meldkamer.handover.drafts import Draft, keep_draft
from meldkamer.handover.models import Handover
from meldkamer.handover.summary import HandoverSummary
from meldkamer.tickets import Ticket
from tests.console.conftest import NOW, Agent, hand_over, limited_agent
from tests.console.test_phone import Wizard, step_of

CONVERSATION = "web-" + "d" * 32


def a_draft(sessions: Any, **overrides: Any) -> int:
    """A handover of an incomplete melding with its draft, as the use case leaves them."""
    handover_id = hand_over(sessions, CONVERSATION, **overrides)
    with sessions.begin() as session:
        handover = session.get(Handover, handover_id)
        return keep_draft(
            session,
            conversation_id=CONVERSATION,
            channel="webchat",
            summary=HandoverSummary.from_dict(handover.summary),
            now=NOW,
            handover_id=handover_id,
        ).id


async def test_maak_ticket_asks_only_what_is_missing_and_links_the_draft(
    sanne: Agent, sessions: Any
) -> None:
    # Topic, address, one fact answered and one unknown, name and phone: description missing.
    draft_id = a_draft(sessions, beschrijving=None, email="fatima@example.nl")
    wizard = Wizard(sanne)
    response = await sanne.get("/nieuw", params={"concept": str(draft_id)})
    wizard.status, wizard.page = response.status, await response.text()
    assert wizard.status == 200 and 'id="concept"' in wizard.page
    assert step_of(wizard.page) == "Omschrijving"
    await wizard.send("beschrijving", beschrijving="water spuit onder het aanrecht")
    assert step_of(wizard.page) == "Controleren" and "Fatima el Amrani" in wizard.page
    confirmed = await wizard.confirm()
    assert confirmed.status == 303
    number = confirmed.headers["Location"].rsplit("/", 1)[-1]
    with sessions() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        draft = session.get(Draft, draft_id)
    assert ticket.naam == "Fatima el Amrani" and ticket.email == "fatima@example.nl"
    assert ticket.facts == {"leiding_gesprongen": True}
    assert ticket.conversation_id == CONVERSATION  # the chat it came from
    assert draft.ticket_id == ticket.id and draft.completed_by == "sanne"
    # Once a ticket, the link leads there instead of a second wizard.
    again = await sanne.get("/nieuw", params={"concept": str(draft_id)}, allow_redirects=False)
    assert again.status == 303 and again.headers["Location"] == f"/ticket/{number}"
    page = await (await sanne.get(f"/gesprek/{draft.handover_id}")).text()
    assert f'werd ticket <a href="/ticket/{number}">' in page


async def test_a_collected_value_the_checks_refuse_is_asked_again(
    sanne: Agent, sessions: Any
) -> None:
    draft_id = a_draft(sessions, telefoon="12", naam=None)
    page = await (await sanne.get("/nieuw", params={"concept": str(draft_id)})).text()
    assert step_of(page) == "Naam"
    wizard = Wizard(sanne)
    wizard.page = page
    await wizard.send("naam", naam="Fatima el Amrani")
    assert step_of(wizard.page) == "Telefoon"  # "12" is no phone number: asked


async def test_an_unknown_or_foreign_draft_is_not_found(
    sanne: Agent, sessions: Any, console_app: Any, aiohttp_client: Any
) -> None:
    for raw in ("999", "abc", "1" * 20):
        response = await sanne.get("/nieuw", params={"concept": raw})
        assert response.status == 404 and "bestaat niet" in await response.text()
    draft_id = a_draft(sessions)
    limited = await limited_agent(
        aiohttp_client, console_app, sessions, "piet", ["vve-beheer-noord"]
    )
    response = await limited.get("/nieuw", params={"concept": str(draft_id)})
    assert response.status == 404
    listing = await (await limited.get("/tickets")).text()
    assert f"concept={draft_id}" not in listing


async def test_the_conversation_page_and_the_list_offer_maak_ticket(
    sanne: Agent, sessions: Any
) -> None:
    draft_id = a_draft(sessions)
    with sessions() as session:
        (handover,) = session.execute(select(Handover)).scalars()
    page = await (await sanne.get(f"/gesprek/{handover.id}")).text()
    assert re.search(rf'href="/nieuw\?concept={draft_id}">Maak ticket</a>', page)
    listing = await (await sanne.get("/tickets")).text()
    assert "Concepten" in listing and f'href="/nieuw?concept={draft_id}"' in listing
    assert "Fatima el Amrani" in listing and "Lekkage" in listing  # topic in words
    assert "lekkage_waterleiding" not in listing
    # The same query finds it (name, phone, address) or leaves it out; a draft has no status.
    for asked, shown in [
        ({"q": "fatima"}, True),
        ({"q": "06 12345678"}, True),
        ({"q": "1234ab 12"}, True),
        ({"q": "Piet"}, False),
        ({"urgentie": "niet_urgent"}, False),
        ({"status": "nieuw"}, False),
    ]:
        found = await (await sanne.get("/tickets", params=asked)).text()
        assert (f'data-concept="{draft_id}"' in found) is shown, asked


async def test_the_second_agent_completing_a_draft_is_sent_to_the_first_ticket(
    sanne: Agent, piet: Agent, sessions: Any
) -> None:
    draft_id = a_draft(sessions, beschrijving=None, email="fatima@example.nl")
    wizards = [Wizard(sanne), Wizard(piet)]
    for wizard in wizards:  # both open "Maak ticket" before either registers
        response = await wizard.agent.get("/nieuw", params={"concept": str(draft_id)})
        wizard.page = await response.text()
        await wizard.send("beschrijving", beschrijving="water onder het aanrecht")
        assert step_of(wizard.page) == "Controleren"
    first = await wizards[0].confirm()
    assert first.status == 303
    number = first.headers["Location"].rsplit("/", 1)[-1]
    second = await wizards[1].confirm()
    page = await second.text()
    assert second.status == 409
    assert f"Sanne de Vries heeft van dit concept al ticket {number} gemaakt" in page
    assert "Er is geen tweede ticket gemaakt" in page
    assert f'href="/ticket/{number}"' in page
    with sessions() as session:
        assert [t.number for t in session.execute(select(Ticket)).scalars()] == [number]
        assert session.get(Draft, draft_id).completed_by == "sanne"
    # Sanne's own second click (a double submit) simply leads to her ticket.
    again = await wizards[0].confirm()
    assert again.status == 303 and again.headers["Location"] == f"/ticket/{number}"
