"""End to end: meldingen over the REST channel to stored tickets, on SQLite and PostgreSQL.

Starts the real Rasa server (trained model) and action server; the only thing not real
is the tenant, played by :func:`converse`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest

from devstack.stack import Stack
from devstack.stored import database, stored_ticket, tracker_events
from devstack.tenant import converse, said
from meldkamer.clients.store import latest
from meldkamer.tickets import Ticket
from meldkamer.triage import TriageSettings, default_engine

pytestmark = pytest.mark.e2e

#: Phrases of the bot's refusals of bad input (meldkamer/intake/validation.py).
REFUSALS = (
    "klopt niet",
    "Ik zie geen",
    "bevat geen",
    "bestaat alleen uit",
    "begreep ik niet",
    "Ik heb postcode",
)

CONTACT = {
    "adres": "1234 AB 12",
    "naam": "Fatima el Amrani",
    "telefoon": "06-12345678",
    "email": "geen",
}


@pytest.fixture(
    scope="module",
    params=[
        # on the worker that holds the session's SQLite stack, not on one that starts another
        pytest.param("sqlite", marks=pytest.mark.xdist_group("sqlite_stack")),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ],
)
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    if request.param == "sqlite":
        # The session's stack on SQLite (tests/e2e/conftest.py), shared with other modules.
        yield request.getfixturevalue("sqlite_stack")
        return
    from tests.conftest import create_pg_database

    url, cleanup = create_pg_database()
    running = Stack(database_url=url, workdir=tmp_path_factory.mktemp("stack-postgresql"))
    try:
        yield running.start()
    finally:
        running.stop()
        cleanup()


def client_settings(stack: Stack) -> TriageSettings:
    """The demo corporation's triage settings, as stored in the stack's database."""
    with database(stack.database_url) as session:
        return latest(session).get("de-linde").triage_settings(default_engine().table)


def stored(stack: Stack, number: str) -> Ticket:
    return stored_ticket(stack.database_url, number)


# Per topic: the first message, the answers the tenant would give to any question, and
# free-text answers instead of buttons for some of them.
TOPIC_CASES = [
    (
        "cv_storing",
        "hoi de cv doet het niet meer, radiatoren koud en geen warm water",
        {"geen_verwarming": True, "geen_warm_water": True, "medische_noodzaak": True},
        {"medische_noodzaak": "ja mijn vader is net uit het ziekenhuis"},
    ),
    (
        "lekkage_woning",
        "er lekt water door het plafond van de slaapkamer, het regent binnen",
        {"groot_gevolgschade_risico": False, "te_beperken": True},
        {"groot_gevolgschade_risico": "nee valt mee"},
    ),
    (
        "lekkage_waterleiding",
        "de leiding onder de gootsteen is gesprongen, overal water",
        {"leiding_gesprongen": True, "leiding_afsluitbaar": False},
        {"leiding_afsluitbaar": "nee, dat lukt niet"},
    ),
    ("gaslek", "ik ruik een sterke gaslucht in de keuken", {}, None),
    (
        "lekkage_afvoer",
        "de wc is verstopt en loopt over",
        {"belemmering_bewoning": True, "groot_gevolgschade_risico": False, "te_beperken": False},
        None,
    ),
    (
        "elektra",
        "ik heb geen stroom meer in het hele huis",
        {"stroomuitval": "algeheel", "storing_in_straat": False, "belemmering_bewoning": True},
        {"storing_in_straat": "nee alleen bij mij"},
    ),
    (
        "inbraak",
        "er is ingebroken, de voordeur is opengebroken",
        {"woning_afsluitbaar": False},
        None,
    ),
    ("brand", "er is brand geweest in de keuken, de brandweer is weg, alles zwart", {}, None),
    (
        "storm",
        "door de storm zijn er dakpannen van het dak gewaaid",
        {"groot_gevolgschade_risico": False, "noodvoorziening_mogelijk": True, "te_beperken": True},
        None,
    ),
    (
        "calamiteit_overig",
        "een auto is tegen de gevel van ons huis gereden",
        {"bewoonbaarheid_in_gevaar": False},
        None,
    ),
    (
        "boiler",
        "mijn elektrische boiler lekt en geeft geen warm water",
        {"zonneboiler": False},
        None,
    ),
    ("buitensluiting", "ik ben buitengesloten, mijn sleutels liggen binnen", {}, None),
    (
        "glasschade",
        "er zit een grote barst in de ruit van de woonkamer",
        {"volledige_breuk": False, "woning_afsluitbaar": True},
        None,
    ),
    ("overig", "de deurbel doet het niet meer", {}, None),
]


@pytest.mark.parametrize(
    ("topic", "first", "answers", "free_text"), TOPIC_CASES, ids=[c[0] for c in TOPIC_CASES]
)
def test_melding_per_topic(
    stack: Stack, topic: str, first: str, answers: dict, free_text: dict | None
) -> None:
    if stack.database_url.startswith("postgresql") and topic not in {
        "lekkage_waterleiding",
        "gaslek",
        "elektra",
    }:
        pytest.skip("on PostgreSQL three topics show the same path; SQLite runs them all")
    number, transcript = converse(stack, first, answers, free_text=free_text)
    # a tenant who answers well never sees a refusal
    for refusal in REFUSALS:
        assert not any(refusal in line for line in transcript), "\n".join(transcript)
    ticket = stored(stack, number)
    assert ticket.topic == topic, "\n".join(transcript)
    # The bot asked only what it needed, yet the outcome is what all answers give:
    # (with the client's protocol, office hours and heating season)
    expected = default_engine().evaluate(topic, answers, ticket.created_at, client_settings(stack))
    assert ticket.urgency == expected.urgency.value, "\n".join(transcript)
    assert set(ticket.facts) <= set(answers)
    assert ticket.postcode == "1234 AB" and ticket.huisnummer == 12
    # the address is the demo corporation's Lindehof complex
    assert (ticket.client_id, ticket.complex_id) == ("de-linde", "lindehof")
    assert ticket.telefoon == "+31612345678" and ticket.email is None
    # acuut and urgent go to the contractor on call at once; niet urgent stays with the tenant
    assert ticket.status == ("nieuw" if expected.urgency.value == "niet_urgent" else "doorgezet")


def test_gas_safety_before_any_question(stack: Stack) -> None:
    replies = stack.say(f"gas-{uuid.uuid4().hex[:6]}", "ik ruik gas")
    reply = said(replies)
    assert reply.index("digitale assistent") < reply.index("0800-9009") < reply.index("postcode")


def test_correction_after_summary(stack: Stack) -> None:
    sender = f"corr-{uuid.uuid4().hex[:6]}"
    for message in [
        "ik ben buitengesloten",
        "1234 AB 10",
        "Jan Jansen",
        "0612345678",
        "geen",
        "sleutel ligt binnen",
    ]:
        replies = stack.say(sender, message)
    assert "1234 AB 10" in said(replies)
    replies = stack.say(sender, "nee, het is nummer 12")
    assert "1234 AB 12" in said(replies) and "Klopt dit?" in said(replies)
    number = re.search(r"MK-\d{4}-\d{6}", said(stack.say(sender, "ja"))).group(0)
    assert stored(stack, number).huisnummer == 12


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("", "geen tekst"),  # empty message
        ("🙈🙈🙈", "alleen tekens"),  # emoji only
        ("ja", "nog niets gevraagd"),  # an answer to a question not asked
        ("lekkage " * 1250, "Ik help u met uw melding"),  # 10,000 characters
    ],
    ids=["empty", "emoji", "unasked-yes", "10000-chars"],
)
def test_bad_input_gets_a_clear_answer(stack: Stack, message: str, expected: str) -> None:
    replies = stack.say(f"bad-{uuid.uuid4().hex[:6]}", message)
    assert expected in said(replies)


def test_bad_details_are_explained_and_asked_again(stack: Stack) -> None:
    sender = f"details-{uuid.uuid4().hex[:6]}"
    stack.say(sender, "ik ben buitengesloten")
    assert "bestaat niet" in said(stack.say(sender, "0123 AB 4"))
    stack.say(sender, "1234 AB 4")
    stack.say(sender, "Jan")
    assert "alleen uit cijfers" in said(stack.say(sender, "06-12ab5678"))
    assert "e-mailadres" in said(stack.say(sender, "0612345678"))


def test_english_gas_gets_safety_instructions(stack: Stack) -> None:
    message = "hello, I smell gas in my apartment, what do I do"
    reply = said(stack.say(f"en-{uuid.uuid4().hex[:6]}", message))
    assert "0800-9009" in reply and "Dutch" in reply


def test_every_conversation_is_registered(stack: Stack) -> None:
    sender = f"reg-{uuid.uuid4().hex[:6]}"
    stack.say(sender, "hallo")
    count = len(tracker_events(stack.database_url, sender))
    assert count and count >= 3  # session start, the tenant's message, the bot's answers


def test_ticket_has_timestamps(stack: Stack) -> None:
    number, _ = converse(stack, "ik ben buitengesloten", {})
    ticket = stored(stack, number)
    assert isinstance(ticket.created_at, datetime) and ticket.created_at.tzinfo is not None
