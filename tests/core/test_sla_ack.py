"""The escalation step's link: the supervisor or the piket takes it on, or the chain goes on.

The links are read from what the SMS gateway fake and the SMTP fake received, as the
supervisor and the piket would; the clock is moved, never slept.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from meldkamer.dispatch.links import LinkPolicy, hash_token
from meldkamer.service.context import Collaborators
from meldkamer.service.sla_ack import acknowledge_step, show_step
from meldkamer.sla.ack import UnknownAck
from meldkamer.sla.models import SlaClock
from tests.core.test_dispatch import NIGHT, NO_HEAT_MEDICAL, deliver, register
from tests.core.test_sla import escalation_contacts, round_at

POLICY = LinkPolicy()
_LINK = re.compile(r"/sla/([A-Za-z0-9_-]{43})")


@pytest.fixture
def sessions(demo_sessions):
    return demo_sessions


def ctx_at(sessions, minutes: float) -> Collaborators:
    return Collaborators(sessions=sessions, clock=lambda: NIGHT + timedelta(minutes=minutes))


async def links_sent(sessions, smtp_server, sms_gateway, minutes: float) -> dict[str, str]:
    """The token each recipient got last, by phone number and by e-mail address."""
    for _ in range(3):  # the worker sends ten a round
        await deliver(sessions, smtp_server, sms_gateway, NIGHT + timedelta(minutes=minutes))
    found: dict[str, str] = {}
    for request in sms_gateway.requests:
        if match := _LINK.search(str(request["text"])):
            found[str(request["to"])] = match.group(1)
    for mail in smtp_server.mailbox.messages:
        if match := _LINK.search(mail.get_content()):
            found[str(mail["To"])] = match.group(1)
    return found


def breached_to_supervisor(sessions) -> str:
    number, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT)
    round_at(sessions, NIGHT + timedelta(minutes=15))  # the next contractor
    lines = round_at(sessions, NIGHT + timedelta(minutes=30))
    assert any("naar de supervisor" in line for line in lines), lines
    return number


async def test_the_supervisor_takes_it_on_by_the_link_and_the_chain_stops(
    sessions, smtp_server, sms_gateway
) -> None:
    number = breached_to_supervisor(sessions)
    links = await links_sent(sessions, smtp_server, sms_gateway, 31)
    token = links["+31611112222"]
    assert links["supervisor@meldkamer.test"] == token  # one step, one link in SMS and mail
    # The database keeps only the hash of the secret.
    with sessions() as session:
        stored = session.execute(
            select(SlaClock.ack_token_hash).where(SlaClock.ack_token_hash.is_not(None))
        ).scalars()
        assert list(stored) == [hash_token(token)]
    shown = show_step(ctx_at(sessions, 32), token, POLICY)
    assert (shown.ticket_number, shown.what, shown.taken_on) == (
        number,
        "aannemer bevestigt",
        False,
    )

    taken, already = acknowledge_step(ctx_at(sessions, 33), token, POLICY)
    assert taken.taken_on and not already
    # The piket is not called: the step was taken on.
    assert not any("piket" in line for line in round_at(sessions, NIGHT + timedelta(minutes=60)))
    log = escalation_contacts(sessions, number)
    assert any("Escalatie opgepakt" in line for line in log)
    again, already = acknowledge_step(ctx_at(sessions, 34), token, POLICY)
    assert again.taken_on and already


async def test_not_taken_on_goes_to_the_piket_with_a_link_of_its_own(
    sessions, smtp_server, sms_gateway
) -> None:
    breached_to_supervisor(sessions)
    supervisor = (await links_sent(sessions, smtp_server, sms_gateway, 31))["+31611112222"]
    lines = round_at(sessions, NIGHT + timedelta(minutes=45))
    assert any("piketmedewerker" in line for line in lines), lines
    links = await links_sent(sessions, smtp_server, sms_gateway, 46)
    # 2 December: De Vries is on duty (SMS to her phone, mail to her address).
    piket = links["+31610000102"]
    assert links["a.devries@de-linde.example.nl"] == piket and piket != supervisor
    # The chain moved on: the supervisor's link is no longer a step that waits.
    with pytest.raises(UnknownAck):
        show_step(ctx_at(sessions, 47), supervisor, POLICY)
    taken, _ = acknowledge_step(ctx_at(sessions, 48), piket, POLICY)
    assert taken.taken_on and taken.step == "naar de piketmedewerker van de opdrachtgever"
    with sessions() as session:
        (clock,) = session.execute(
            select(SlaClock).where(SlaClock.ack_token_hash == hash_token(piket))
        ).scalars()
        assert clock.state == "gestopt"


async def test_guessed_and_expired_links_get_the_same_answer(
    sessions, smtp_server, sms_gateway
) -> None:
    breached_to_supervisor(sessions)
    token = (await links_sent(sessions, smtp_server, sms_gateway, 31))["+31611112222"]
    for guess in ("x", token[:-1] + ("A" if token[-1] != "A" else "B"), ""):
        with pytest.raises(UnknownAck, match="onbekende of verlopen link"):
            show_step(ctx_at(sessions, 32), guess, POLICY)
    late = ctx_at(sessions, 30 + POLICY.grace.total_seconds() / 60)
    with pytest.raises(UnknownAck, match="onbekende of verlopen link"):
        acknowledge_step(late, token, POLICY)
    # Still valid a minute before.
    assert not show_step(
        ctx_at(sessions, 29 + POLICY.grace.total_seconds() / 60), token, POLICY
    ).taken_on
