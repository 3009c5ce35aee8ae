"""End to end (issue 15): what tests/e2e/test_rest_dialogue.py leaves out of the
understanding work. A question at every step of the form (the phone, e-mail and
description steps too) is answered and the bot asks its own question again; an unknown
street without a postcode is still taken and reaches a person with the address as typed;
on WhatsApp the sender's number is taken and the phone question never asked (fake Graph
API).

The session's stacks of tests/e2e/conftest.py: REST on SQLite, WhatsApp against the fake.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from devstack.stack import Stack
from devstack.stored import database, stored_ticket, ticket_numbers
from devstack.tenant import buttons, converse, ticket_in
from meldkamer.handover.drafts import Draft
from meldkamer.handover.models import Handover
from meldkamer.intake.street_address import UNLISTED_REASON
from tests.e2e.test_rest_dialogue import Tenant
from tests.e2e.test_whatsapp_e2e import WhatsAppTenant
from tests.e2e.whatsappstack import Running

pytestmark = pytest.mark.e2e

#: The phone question as the domain asks it (utter_ask_telefoon).
PHONE_QUESTION = "Op welk telefoonnummer"

#: Per step of the form: a question the tenant asks there, words of its answer, and the
#: answer the tenant then gives (None: the first button, a triage answer).
STEPS: list[tuple[str, str, str, str | None]] = [
    ("adres", "ben je een mens?", "digitale assistent", "1234 AB 12"),
    ("triage", "kan ik een foto sturen?", "geen foto ontvangen", None),
    ("naam", "wie betaalt dit?", "huurcontract", "Fatima el Amrani"),
    ("telefoon", "hoe lang gaat het duren voordat er iemand komt?", "precieze tijd", "0612345678"),
    ("email", "wat moet ik nu doen?", "hoofdkraan", "geen"),
    ("beschrijving", "wanneer komt er iemand?", "precieze tijd", "water uit de leiding"),
]


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def test_a_question_at_every_step_is_answered_and_the_form_asks_again(
    sqlite_stack: Stack,
) -> None:
    stack = sqlite_stack
    tenant = Tenant(stack)
    # The topic from its button: nothing said yet, so every step is asked, the description too.
    asked = last_line(tenant.says("/melding_lekkage_waterleiding"))
    for step, question, words, answer in STEPS:
        offered = [b["payload"] for b in buttons(tenant.replies)]
        text = tenant.says(question)
        assert words in text, (step, text)
        assert "begreep ik niet" not in text, (step, text)
        # the bot's own question again, with the same buttons
        assert last_line(text) == asked, (step, text)
        assert [b["payload"] for b in buttons(tenant.replies)] == offered, step
        text = tenant.says(answer if answer is not None else offered[0])
        while answer is None and buttons(tenant.replies):  # the next triage question
            text = tenant.says(buttons(tenant.replies)[0]["payload"])
        asked = last_line(text)
    assert "Klopt dit?" in text and "Omschrijving: water uit de leiding" in text
    ticket = ticket_in(stack.say(tenant.sender, "ja"))
    assert ticket
    stored = stored_ticket(stack.database_url, ticket)
    assert (stored.postcode, stored.client_id) == ("1234 AB", "de-linde")
    assert stored.beschrijving == "water uit de leiding" and stored.email is None


def test_an_unknown_street_without_postcode_is_taken_for_a_person(sqlite_stack: Stack) -> None:
    stack = sqlite_stack
    tenant = Tenant(stack)
    tenant.says("de leiding onder de gootsteen is gesprongen")
    text = tenant.says("Dorpsstraat 5 Utrecht")
    assert "Dorpsstraat 5, Utrecht" in text and "Wat is de postcode?" in text
    # no postcode known: taken anyway, and the melding goes on
    text = tenant.says("weet ik niet")
    assert "Ik neem uw melding toch op" in text and "afsluiten" in text
    tenant.says(tenant.payload("Nee, lukt niet"))
    tenant.says("Fatima el Amrani, 06 12345678")
    text = tenant.says("geen")
    assert "Adres: Dorpsstraat 5, Utrecht" in text and "Klopt dit?" in text
    text = tenant.says("ja")
    assert "mis nog een gegeven" not in text and ticket_in(tenant.replies) is None
    # a ticket needs a postcode: a person completes it, with everything collected
    assert ticket_numbers(stack.database_url, tenant.sender) == []
    with database(stack.database_url) as session:
        (handover,) = session.scalars(
            select(Handover).where(Handover.conversation_id == tenant.sender)
        )
        drafts = session.scalars(select(Draft).where(Draft.conversation_id == tenant.sender))
        (draft,) = drafts
        assert handover.reason == UNLISTED_REASON
        assert handover.summary["adres"] == "Dorpsstraat 5, Utrecht"
        assert handover.summary["telefoon"] == "+31612345678"
        assert handover.summary["outcome"]["urgency"] == "acuut"
        assert draft.is_open and draft.summary["adres"] == "Dorpsstraat 5, Utrecht"


def test_whatsapp_takes_the_senders_number_and_never_asks_it(whatsapp: Running) -> None:
    tenant = WhatsAppTenant(whatsapp)
    number, transcript = converse(
        tenant,  # type: ignore[arg-type]
        "de leiding onder de gootsteen is gesprongen",
        {"leiding_gesprongen": True, "leiding_afsluitbaar": False},
        sender=tenant.sender,
    )
    bot = "\n".join(line for line in transcript if line.startswith("bot: "))
    assert PHONE_QUESTION not in bot, "\n".join(transcript)
    ticket = stored_ticket(whatsapp.stack.database_url, number)
    assert ticket.telefoon == "+" + tenant.wa_id and ticket.channel == "whatsapp"
    # the summary the tenant confirmed showed the number taken
    assert f"06 {tenant.wa_id[3:]}" in bot, "\n".join(transcript)
