"""Maak ticket in a real browser: an incomplete melding handed over becomes a ticket by phone.

The melding is handed over through the use case the bot calls (``hand_over``), with a
triage question and the description still open: it is kept as a draft. The agent opens
the conversation, clicks **Maak ticket**; phone mode shows what the assistant collected
and asks only the open question and the description; registering makes the ticket, and
the conversation page then links it. axe-core finds nothing on the wizard's pages.

The console runs as its own process on a SQLite file with the demo clients; a fake Rasa
serves the transcript on loopback, as in test_browser_conversation.py. Headless Debian
Chromium with Playwright (skipped without it, unless MELDKAMER_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any, TypeAlias

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.handover.drafts import Draft
from meldkamer.handover.summary import HandoverSummary
from meldkamer.service.context import Collaborators
from meldkamer.service.handover import HandoverRequest, hand_over
from meldkamer.tickets import Ticket
from tests.console.browser import ARTIFACTS, chromium, sign_in, supervised_site
from tests.console.conftest import FakeRasa
from tests.console.test_browser_axe import _summary, violations

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

WAIT_MS = 15_000
CONVERSATION = "web-" + "c" * 32
Site: TypeAlias = "tuple[str, sessionmaker[Session]]"
#: What the bot had when the tenant asked for a person: whether the pipe can be shut
#: off was not yet asked, nor the description.
COLLECTED = HandoverSummary(
    topic="lekkage_waterleiding",
    facts={"leiding_gesprongen": True},
    address="1234 AB 12",
    client_id="de-linde",
    name="Fatima el Amrani",
    phone="+31612345678",
    email="fatima@example.nl",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with supervised_site(tmp_path_factory.mktemp("concept"), FakeRasa()) as site:
        yield site


def handed_over_incomplete(sessions: sessionmaker[Session]) -> tuple[int, int]:
    """The handover's id and the draft's, as the bot's handover leaves them."""
    ctx = Collaborators(sessions=sessions, clock=lambda: datetime.now(timezone.utc))
    result = hand_over(
        ctx,
        HandoverRequest(CONVERSATION, "webchat", "Huurder vraagt om een medewerker", COLLECTED),
    )
    assert result.queued and result.ticket_number is None
    with sessions() as session:
        draft = session.execute(select(Draft)).scalar_one()
        assert draft.handover_id is not None
        return draft.handover_id, draft.id


def no_violations(page: Any, where: str) -> None:
    found = violations(page)
    assert found == [], f"{where}: " + "; ".join(_summary(found))


def test_maak_ticket_fills_in_the_collected_and_asks_only_the_missing(site: Site) -> None:
    from playwright.sync_api import expect

    console, sessions = site
    handover_id, draft_id = handed_over_incomplete(sessions)
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(WAIT_MS)
        sign_in(page, console)
        page.goto(f"{console}/gesprek/{handover_id}")
        page.get_by_role("link", name="Maak ticket").click()
        page.wait_for_url(f"{console}/nieuw?concept={draft_id}")

        # What the assistant collected is filled in; the first open question is asked.
        expect(page.locator("#concept")).to_be_visible()
        so_far = page.locator(".gegevens")
        for shown in ("1234 AB 12", "Fatima el Amrani", "fatima@example.nl"):
            expect(so_far).to_contain_text(shown)
        expect(page.locator("[aria-current=step]")).to_have_text("Vragen")
        expect(page.locator("fieldset[data-feit]")).to_have_attribute(
            "data-feit", "leiding_afsluitbaar"
        )
        no_violations(page, "de vraag")
        page.screenshot(path=str(ARTIFACTS / "browser-concept-vraag.png"), full_page=True)
        page.locator("fieldset[data-feit] button", has_text="Nee").click()

        # Then the description, nothing else: name, phone and e-mail are known.
        expect(page.locator("[aria-current=step]")).to_have_text("Omschrijving")
        page.get_by_label("Omschrijving van het probleem").fill("water spuit uit de leiding")
        page.get_by_role("button", name="Verder").click()
        expect(page.locator("[aria-current=step]")).to_have_text("Controleren")
        no_violations(page, "controleren")
        page.get_by_role("button", name="Melding registreren en doorzetten").click()
        page.wait_for_url(f"{console}/ticket/*")
        number = page.url.rsplit("/", 1)[-1]

        # The conversation page now links the ticket the draft became.
        page.goto(f"{console}/gesprek/{handover_id}")
        expect(page.get_by_role("link", name=number)).to_be_visible()
        expect(page.get_by_role("link", name="Maak ticket")).to_have_count(0)
    with sessions() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        draft = session.get(Draft, draft_id)
        assert draft is not None
    assert ticket.conversation_id == CONVERSATION and draft.ticket_id == ticket.id
    assert ticket.facts == {"leiding_gesprongen": True, "leiding_afsluitbaar": False}
    assert ticket.naam == "Fatima el Amrani" and ticket.beschrijving == "water spuit uit de leiding"
    assert draft.completed_by == "sanne"
