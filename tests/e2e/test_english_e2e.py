"""End to end over REST (issue 15): a full English melding of three topics, and the switch.

The real Rasa server (MELDKAMER_TEST_MODEL or the shared model) and action server on
SQLite. The tenant writes English from the first message: the topic is recognised, gas
gets its safety instructions in English before any question, and the triage questions,
buttons, summary and outcome are English; the ticket is the same as a Dutch one's. A
refused answer gets the check's precise reason in English, and a tenant who asks for a
person while nobody is at the console is asked the number, then promised a call, in English.
"""

from __future__ import annotations

import uuid

import pytest

from devstack.stack import Stack
from devstack.stored import handovers, stored_ticket
from devstack.tenant import buttons, said, ticket_in

pytestmark = pytest.mark.e2e

#: Dutch the English tenant must not see (the question, summary and outcome words).
DUTCH = (
    "Wat is",
    "Klopt dit",
    "Uw melding",
    "Ik help u",
    "Weet ik niet",
    "Beschrijf",
    "medewerker",
    "telefoonnummer",
)
INTRO = "Hallo, ik ben de digitale assistent"


@pytest.fixture(scope="module")
def stack(sqlite_stack: Stack) -> Stack:
    """The session's stack on SQLite (tests/e2e/conftest.py)."""
    return sqlite_stack


class Tenant:
    """One conversation: says a message, keeps the bot's last replies."""

    def __init__(self, stack: Stack) -> None:
        self.stack, self.sender = stack, f"e2e-en-{uuid.uuid4().hex[:8]}"
        self.replies: list[dict[str, object]] = []

    def says(self, message: str) -> str:
        # The introduction opens the session before the first message is read: Dutch.
        replies = self.stack.say(self.sender, message)
        self.replies = [r for r in replies if not str(r.get("text") or "").startswith(INTRO)]
        text = said(self.replies)
        assert not [word for word in DUTCH if word in text], text
        return text

    def titles(self) -> list[str]:
        return [b["title"] for b in buttons(self.replies)]

    def presses(self, title: str) -> str:
        payload = next(b["payload"] for b in buttons(self.replies) if b["title"] == title)
        return self.says(payload)

    def finishes(self, *lines: str, wrong_phone: str | None = None, reason: str = "") -> str:
        """Name, phone and no e-mail, each asked in English; the summary holds ``lines``,
        and "yes" gives the outcome. A ``wrong_phone`` first is refused with ``reason``."""
        assert "phone number" in self.says("Anna de Vries")
        if wrong_phone is not None:
            refused = self.says(wrong_phone)
            assert reason in refused and "phone number" in refused  # asked again
        assert "e-mail address" in self.says("06 12345678")
        summary = self.presses("No e-mail")
        assert "This is what I have noted:" in summary and "Is this correct?" in summary
        for line in (*lines, "Address: 1234 AB 12", "Phone: 06 12345678", "E-mail: none"):
            assert line in summary
        assert self.titles() == ["Yes, correct", "No, change"]
        return self.says("yes")


def registered(stack: Stack, tenant: Tenant, outcome: str, topic: str) -> None:
    number = ticket_in(tenant.replies)
    assert number and f"registered under number {number}" in outcome
    assert "Call 112." in outcome
    ticket = stored_ticket(stack.database_url, number)
    assert ticket.topic == topic and (ticket.postcode, ticket.huisnummer) == ("1234 AB", 12)


def test_english_lekkage(stack: Stack) -> None:
    tenant = Tenant(stack)
    text = tenant.says("water is dripping through the ceiling of my bedroom")
    assert "I will help you with your report: leak into the home." in text
    assert "What is the address of the home?" in text
    text = tenant.says("1234 AB 12")
    assert "Is there a big risk of damage?" in text
    assert tenant.titles() == ["Yes, big risk", "No, limited", "I don't know"]
    # Only what can still change the outcome is asked: after "limited", nothing more.
    assert "What is your name?" in tenant.presses("No, limited")
    outcome = tenant.finishes(
        "Problem: leak into the home",
        "Risk of damage: limited",
        wrong_phone="06 1234",
        reason="A Dutch phone number has 10 digits; I count 6. Please check the number.",
    )
    registered(stack, tenant, outcome, "lekkage_woning")
    assert "This is not an emergency" in outcome or "This is urgent" in outcome


def test_english_cv_storing(stack: Stack) -> None:
    tenant = Tenant(stack)
    text = tenant.says("the heating in my flat stopped working and the radiators are cold")
    assert "central heating fault" in text and "What is the address" in text
    # The first message already says there is no heating: the next fact is asked.
    text = tenant.says("1234 AB 12")
    assert "Is there still hot water from the tap?" in text
    text = tenant.says("no, only cold water")
    assert "medical reasons" in text
    assert "What is your name?" in tenant.says("I don't know")
    outcome = tenant.finishes(
        "Problem: central heating fault",
        "Heating: not working",
        "Hot water: no hot water",
        "Medical need: you don't know",
    )
    registered(stack, tenant, outcome, "cv_storing")


def test_english_gaslek_gives_safety_first(stack: Stack) -> None:
    tenant = Tenant(stack)
    tenant.says("I can smell gas in the kitchen, what should I do?")
    first, *rest = [str(reply.get("text") or "") for reply in tenant.replies]
    # The safety instructions, in English, before any question.
    assert first.startswith("Do you smell gas? Do this first, now:")
    assert "0800-9009" in first and "Call 112" in first
    assert "What is the address of the home?" in "\n".join(rest)
    assert "What is your name?" in tenant.says("1234 AB 12")
    # A question in between: the safety instructions again, in English, then the name.
    text = tenant.says("what should I do now?")
    assert text.startswith("Do you smell gas?") and text.endswith("What is your name?")
    outcome = tenant.finishes("Problem: gas smell or gas leak")
    registered(stack, tenant, outcome, "gaslek")
    assert "This is an emergency (acute)." in outcome


def test_switch_to_english_and_back_during_the_melding(stack: Stack) -> None:
    tenant = Tenant(stack)
    replies = stack.say(tenant.sender, "de cv doet het niet meer, de radiatoren blijven koud")
    assert "postcode en huisnummer" in said(replies)
    text = tenant.says("English")
    # The question is asked again, now in English.
    assert "we continue in English" in text and "What is the address of the home?" in text
    replies = stack.say(tenant.sender, "Nederlands")
    text = said(replies)
    assert "verder in het Nederlands" in text and "Wat is het adres van de woning?" in text


def test_english_call_back_asks_the_number_first_and_refuses_a_wrong_one(stack: Stack) -> None:
    # Nobody signed in at the console: the number comes before any promise, in English.
    tenant = Tenant(stack)
    assert "What is the address" in tenant.says("I locked myself out of my flat, the key is inside")
    text = tenant.says("I want to talk to a person")
    # a lock-out is acuut: the emergency numbers before the question
    assert text.startswith("Are people in danger? Call 112 right away.")
    assert "No colleague is in the chat right now." in text
    assert "phone number can we call you on?" in text and "call you back at" not in text
    assert handovers(stack.database_url, tenant.sender) == []  # no call-back item without a number
    text = tenant.says("12")
    assert "A Dutch number starts with 0 or +31, for example 06 12345678." in text
    assert "phone number can we call you on?" in text  # asked again
    text = tenant.says("06 12345678")
    assert "We will call you back at 06 12345678 as soon as possible." in text
    assert "What is the address of the home?" in text  # the melding goes on where it was
    (handover,) = handovers(stack.database_url, tenant.sender)
    assert handover.callback and handover.summary["taal"] == "en"
    assert handover.summary["telefoon"] == "+31612345678"
