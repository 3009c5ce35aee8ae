"""End to end over REST (issue 15): a street address without postcode, questions in the
middle of the form, name and phone in one answer, the optional e-mail skipped.

The real Rasa server (MELDKAMER_TEST_MODEL or the shared model) and action server on
SQLite; the tenant's messages are written out, turn by turn.
"""

from __future__ import annotations

import uuid

import pytest

from devstack.stack import Stack
from devstack.stored import stored_ticket
from devstack.tenant import buttons, said, ticket_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(sqlite_stack: Stack) -> Stack:
    """The session's stack on SQLite (tests/e2e/conftest.py)."""
    return sqlite_stack


class Tenant:
    """One conversation: says a message, keeps the bot's last replies."""

    def __init__(self, stack: Stack) -> None:
        self.stack, self.sender, self.turns = stack, f"e2e-{uuid.uuid4().hex[:8]}", 0
        self.replies: list[dict[str, object]] = []

    def says(self, message: str) -> str:
        self.turns += 1
        self.replies = self.stack.say(self.sender, message)
        return said(self.replies)

    def payload(self, title: str) -> str:
        return next(b["payload"] for b in buttons(self.replies) if b["title"] == title)


def test_street_address_and_a_question_at_every_step(stack: Stack) -> None:
    tenant = Tenant(stack)
    assert "postcode en huisnummer" in tenant.says("de leiding onder de gootsteen is gesprongen")
    # at the address: a question, answered, and the address asked again
    text = tenant.says("wie betaalt dit?")
    assert "huurcontract" in text and "postcode en huisnummer" in text
    # street and number, no postcode: found, the triage goes on
    text = tenant.says("Lindelaan 12")
    assert "Ik zie geen postcode" not in text
    assert "afsluiten" in text  # the triage question the matrix still needs
    text = tenant.says("hoe lang gaat het duren voordat er iemand komt?")
    assert "precieze tijd" in text and "afsluiten" in text
    tenant.says(tenant.payload("Nee, lukt niet"))
    # at the name: what to do now gives the topic's advice, then the name again
    text = tenant.says("wat moet ik nu doen?")
    assert "hoofdkraan" in text and "naam" in text
    # name and phone in one answer: the phone question is skipped
    assert "e-mailadres" in tenant.says("Fatima el Amrani, 06 12345678")
    assert "klopt niet" in tenant.says("fatima@")
    text = tenant.says("fatima@x")
    assert "verder zonder e-mail" in text and "Klopt dit?" in text
    assert "Adres: Lindelaan 12, 1234 AB Lindendam" in text
    assert "Water afsluiten: lukt niet" in text
    ticket = ticket_in(stack.say(tenant.sender, "ja"))
    assert ticket
    stored = stored_ticket(stack.database_url, ticket)
    assert (stored.postcode, stored.huisnummer, stored.client_id) == ("1234 AB", 12, "de-linde")
    assert stored.telefoon == "+31612345678" and stored.email is None


def test_a_street_in_two_towns_and_a_street_with_town(stack: Stack) -> None:
    tenant = Tenant(stack)
    tenant.says("ik ben buitengesloten")
    text = tenant.says("Kerkplein 3")
    assert "meer plaatsen" in text
    assert [b["title"] for b in buttons(tenant.replies)] == [
        "Kerkplein 3, Lindendam",
        "Kerkplein 3, Noorderstad",
    ]
    assert "naam" in tenant.says(tenant.payload("Kerkplein 3, Noorderstad"))

    other = Tenant(stack)
    other.says("ik ben buitengesloten, mijn sleutels liggen binnen")
    assert "naam" in other.says("lindelaan 12a Lindendam")
    other.says("Jan de Vries")
    other.says("0612345678")
    assert "Adres: Lindelaan 12A, 1234 AB Lindendam" in other.says("geen")
