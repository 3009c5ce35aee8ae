"""End to end: SMS in through the gateway's signed webhook, answers out through the gateway.

The real Rasa and action servers run the SMS channel; the fake gateway of
tests/fakes/mail.py receives the bot's SMS, tests/fakes/sms_inbound.py signs the
tenant's. The tenant answers questions by number, as the SMS spells them out.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from devstack.stack import Stack
from devstack.stored import stored_ticket
from tests.e2e.smsstack import post, sent_to, sms_stack, text_in
from tests.fakes.mail import SmsGateway
from tests.fakes.sms_inbound import inbound_webhook

pytestmark = pytest.mark.e2e

TICKET = re.compile(r"MK-\d{4}-\d{6}")


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, SmsGateway]]:
    with sms_stack(tmp_path_factory.mktemp("sms"), ("rest", "channels.sms.SmsInput")) as running:
        yield running


def text_and_wait(
    stack: Stack, gateway: SmsGateway, number: str, text: str, message_id: str | None = None
) -> str:
    """The tenant texts ``text``; the bot's answer SMS."""
    before = len(sent_to(gateway, number))
    assert text_in(stack, number, text, message_id) == 200
    deadline = time.monotonic() + 60
    while len(sent_to(gateway, number)) == before:
        assert time.monotonic() < deadline, stack.log()[-3000:]
        time.sleep(0.1)
    # A turn is one SMS: a second one would show up in the next turn's count and fail there.
    answers = sent_to(gateway, number)[before:]
    assert len(answers) == 1, answers
    return answers[0]


def answer_to(sms: str) -> str:
    """What the tenant texts back: the number of the right option, or the detail asked."""
    options = dict(re.findall(r"^(\d+)\. (.+)$", sms, re.MULTILINE))
    if "Klopt dit?" in sms:
        return "ja"
    wanted = "Nee" if "afsluiten" in sms else "Ja"
    for number, title in options.items():
        if title.startswith(wanted):
            return number
    if "postcode en huisnummer" in sms:
        return "1234 AB 12"
    if "naam" in sms:
        return "Fatima el Amrani"
    if "telefoonnummer" in sms:
        return "06-12345678"
    if "e-mailadres" in sms:
        return "geen"
    raise AssertionError(f"nothing to answer to: {sms}")


def test_a_complete_melding_by_sms(running: tuple[Stack, SmsGateway]) -> None:
    stack, gateway = running
    number = "+31687654321"
    sms = text_and_wait(stack, gateway, number, "de leiding onder de gootsteen is gesprongen")
    transcript: list[str] = []
    for _ in range(12):
        if TICKET.search(sms):
            break
        answer = answer_to(sms)
        transcript += [f"bot: {sms}", f"huurder: {answer}"]
        sms = text_and_wait(stack, gateway, number, answer)
    found = TICKET.search(sms)
    assert found, "\n".join(transcript)
    ticket = stored_ticket(stack.database_url, found.group(0))
    assert (ticket.urgency, ticket.client_id, ticket.channel) == ("acuut", "de-linde", "sms")
    assert ticket.conversation_id == "sms-31687654321"
    # Options came numbered and a number was understood.
    assert any(re.search(r"^1\. ", line, re.M) for line in transcript)


def test_a_bad_or_missing_signature_is_refused(running: tuple[Stack, SmsGateway]) -> None:
    stack, gateway = running
    body, headers = inbound_webhook("in-vals", "+31611112222", "hallo", secret="verkeerd")
    assert post(stack, body, headers) == 403
    assert post(stack, body, {"Content-Type": "application/json"}) == 401
    assert post(stack, b"geen json", inbound_webhook("x", "+31611112222", "x")[1]) == 403
    # Refused before anything is kept; a signed SMS meanwhile is answered as usual.
    text_and_wait(stack, gateway, "+31655556666", "ik ben buitengesloten")
    assert sent_to(gateway, "+31611112222") == []


def test_a_repeated_delivery_is_handled_once(running: tuple[Stack, SmsGateway]) -> None:
    stack, gateway = running
    number = "+31633334444"
    text_and_wait(stack, gateway, number, "ik ben buitengesloten", message_id="in-dubbel-1")
    # The gateway delivers the same SMS again (it did not see our 200, say).
    assert text_in(stack, number, "ik ben buitengesloten", "in-dubbel-1") == 200
    # A later SMS of the same tenant is answered after the first: then all were handled.
    text_and_wait(stack, gateway, number, "medewerker")
    assert len(sent_to(gateway, number)) == 2
