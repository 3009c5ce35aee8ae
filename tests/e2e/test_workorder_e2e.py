"""End to end: an acuut melding by web chat followed until the work is done.

The real Rasa server (trained model) and action server run the web chat and SMS
channels on one SQLite file (devstack's Stack); the tenant plays the whole melding in
the web chat. The contractor then goes bevestigd on the work-order page (the console,
served on the same database), ONDERWEG by an SMS keyword through the signed SMS webhook
(the answer comes back through the SMS gateway fake), ter plaatse by an agent with
``meldkamer werkbon status``, and gereed with a report on the page again. Every step is
in the order's history and the contact log; the outbox's chat messages are delivered
through Rasa's API as the worker does, and the tenant reads each update in the web chat.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.app import ConsoleSettings, init_app
from devstack.cli import run_meldkamer
from devstack.followup import WebchatTenant, chat_sender, deliver
from devstack.stack import ROOT, Stack
from devstack.tenant import converse
from meldkamer.clients.store import latest
from meldkamer.contacts import contacts_for_ticket
from meldkamer.db import make_engine, make_sessionmaker
from meldkamer.dispatch.models import WorkOrder, WorkOrderEvent
from meldkamer.tickets import get_ticket
from tests.e2e.smsstack import sms_stack, text_in, wait_for_sms
from tests.fakes.mail import SmsGateway
from tests.links import link_token

pytestmark = pytest.mark.e2e

BURST = {"leiding_gesprongen": True, "leiding_afsluitbaar": False}
#: The agent who sets ter plaatse for a contractor who calls in; the report on gereed.
AGENT = "Sanne"
REPORT = "leiding gerepareerd"
#: What each update tells the tenant (H2's texts), in the order of the steps.
HEARD = ("heeft de opdracht aangenomen", "is onderweg", "aangekomen", "afgerond")


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, SmsGateway]]:
    channels = ("channels.webchat.WebchatInput", "channels.sms.SmsInput")
    with sms_stack(tmp_path_factory.mktemp("werkbon-e2e"), channels) as running:
        yield running


def sms_to_webhook(stack: Stack, sender: str, text: str) -> None:
    assert text_in(stack, sender, text) == 200


def werkbon_cli(stack: Stack, number: str, status: str, by: str) -> None:
    """The agent's ``meldkamer werkbon status ... --by`` for a contractor who calls in."""
    env = {**os.environ, "DATABASE_URL": stack.database_url, "PYTHONPATH": str(ROOT)}
    run_meldkamer("werkbon", "status", number, status, "--by", by, env=env)


def assert_the_rounds(session: Session, order_id: int) -> None:
    """The order's history: the page, the SMS keyword, the agent (by name), the page's report."""
    events = session.execute(
        select(WorkOrderEvent.status_to, WorkOrderEvent.via, WorkOrderEvent.by)
        .where(WorkOrderEvent.work_order_id == order_id)
        .order_by(WorkOrderEvent.id)
    ).all()
    assert [(e.status_to, e.via) for e in events] == [
        ("bevestigd", "pagina"),
        ("onderweg", "sms"),
        ("ter_plaatse", "cli"),
        ("gereed", "pagina"),
    ]
    assert events[2].by == AGENT
    done = session.get(WorkOrder, order_id)
    assert done is not None and done.report == REPORT


def test_webchat_melding_through_page_sms_and_cli_to_done(
    running: tuple[Stack, SmsGateway],
) -> None:
    stack, gateway = running
    tenant = WebchatTenant(stack)
    number, _ = converse(tenant, "de leiding onder de gootsteen is gesprongen", BURST)  # type: ignore[arg-type]
    engine = make_engine(stack.database_url)
    sessions = make_sessionmaker(engine)
    try:
        with sessions() as session:
            ticket = get_ticket(session, number)
            assert ticket is not None and ticket.urgency == "acuut" and ticket.channel == "webchat"
            order = session.execute(
                select(WorkOrder).where(WorkOrder.ticket_id == ticket.id)
            ).scalar_one()
            contractor = latest(session).get(order.client_id).contractors[order.contractor_id]
        token = link_token(sessions, order)
        page = asyncio.run(_page_step(stack, sessions, token, {"status": "bevestigd"}))
        assert "De meldkamer weet dat u gaat" in page

        sms_to_webhook(stack, contractor.sms_number, "ONDERWEG 30")
        answers = wait_for_sms(gateway, contractor.sms_number, 1)
        assert answers[-1] == f"{number}: genoteerd, onderweg. Dank u.", stack.log()[-3000:]

        werkbon_cli(stack, number, "ter_plaatse", AGENT)

        form = {"status": "gereed", "note": REPORT}
        assert "gereed gemeld" in asyncio.run(_page_step(stack, sessions, token, form))

        with sessions() as session:
            assert_the_rounds(session, order.id)
            ticket = get_ticket(session, number)
            log = [(c.channel, c.kind) for c in contacts_for_ticket(session, order.ticket_id)]
        assert ticket is not None and ticket.status == "afgerond"
        assert ("webchat", "gesprek") in log  # the melding itself
        assert log.count(("pagina", "status")) == 2 and ("sms", "status") in log
        assert ("telefoon", "status") in log  # the agent set it for a caller

        # The worker delivers the tenant's updates into the web chat (H2's texts).
        assert deliver(stack, chat_sender(stack)) >= 4
        heard = " ".join(m.get("text", "") for m in tenant.read(timeout=10))
        for part in HEARD:
            assert f"Melding {number}" in heard and part in heard, heard
    finally:
        engine.dispose()


async def _page_step(stack: Stack, sessions: Any, token: str, form: dict[str, str]) -> str:
    """Tap one button on the work-order page: the console on the stack's database, on loopback."""
    from aiohttp.test_utils import TestClient, TestServer

    console = init_app(ConsoleSettings(database_url=stack.database_url), sessions=sessions)
    async with TestClient(TestServer(console)) as client:
        response = await client.post(f"/werkbon/{token}", data=form)
        text = await response.text()
        assert response.status == 200, text
        return text
