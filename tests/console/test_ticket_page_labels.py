"""The ticket page in words: client and complex names, message labels, honest reasons."""

from __future__ import annotations

from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from tests.console.conftest import NOW
from tests.service.conftest import burst_pipe


async def test_the_ticket_page_shows_names_labels_and_only_given_reasons(sanne, sessions) -> None:
    ctx = Collaborators(sessions=sessions, clock=lambda: NOW)
    melding = burst_pipe("m-1", facts={"leiding_gesprongen": True}, unknown_facts=())
    number = confirm_melding(ctx, melding).ticket_number
    page = await (await sanne.get(f"/ticket/{number}")).text()
    assert "Woonstichting De Linde (complex " in page
    assert "<dd>de-linde" not in page and "(complex lindehof)" not in page
    for raw in ("(werkbon)", ": wachtrij", "email aan", "sms aan", "[acuut]", "[urgent]"):
        assert raw not in page, raw
    reasons = page.split("Waarom deze urgentie")[1].split("</section>")[0]
    # The open question that could lower it is named once, in words, by the fail-safe line.
    assert "Nog niet bekend: " in reasons and "afsluiten" in reasons.split("Nog niet bekend: ")[1]
    assert "leiding_afsluitbaar" not in reasons
    assert ">email<" not in page  # the edit form's field names are labels
