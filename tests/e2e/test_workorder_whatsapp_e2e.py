"""End to end: an acuut melding by WhatsApp followed until the work is done; a REST tenant's SMS.

The WhatsApp version of tests/e2e/test_workorder_e2e.py. The real Rasa and action
servers run the WhatsApp (answers to the Graph API fake), SMS and REST channels on one
SQLite file; the console runs as its own process on it. The tenant plays the melding on
WhatsApp; the contractor goes bevestigd on the work-order page in headless Chromium,
ONDERWEG 30 by an SMS keyword through the signed SMS webhook, ter plaatse by an agent
with the real ``meldkamer werkbon status ... --by``, and gereed with a report on the page
again. After the worker's rounds the tenant has each update as a WhatsApp text (inside
the 24-hour window). A REST tenant hears the SMS keyword's step by SMS.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from devstack.followup import chat_sender, deliver
from devstack.stack import Stack
from devstack.stored import stored_ticket
from devstack.tenant import converse
from meldkamer.clients.store import latest
from meldkamer.db import make_engine, make_sessionmaker
from meldkamer.dispatch.models import WorkOrder
from meldkamer.notify.sms import SmsSender
from tests.console.browser import console_env, console_process, phone_page
from tests.console.test_browser_handover import _need_browser
from tests.e2e.smsstack import sms_stack, wait_for_sms
from tests.e2e.test_whatsapp_e2e import WhatsAppTenant
from tests.e2e.test_workorder_e2e import (
    AGENT,
    BURST,
    HEARD,
    REPORT,
    assert_the_rounds,
    sms_to_webhook,
    werkbon_cli,
)
from tests.e2e.whatsappstack import Running
from tests.fakes.graph_api import MetaWebhooks, running_graph_api
from tests.fakes.mail import SmsGateway
from tests.links import link_token

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

WAIT_MS = 30_000


class Site:
    """The stack (WhatsApp, SMS, REST), the fakes it talks to and the console on its database."""

    def __init__(self, running: Running, gateway: SmsGateway, console: str) -> None:
        self.running, self.gateway, self.console = running, gateway, console

    @property
    def stack(self) -> Stack:
        return self.running.stack


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    _need_browser()
    workdir = tmp_path_factory.mktemp("werkbon-whatsapp")
    channels = ("rest", "channels.whatsapp.WhatsAppInput", "channels.sms.SmsInput")
    with (
        running_graph_api() as graph,
        sms_stack(workdir, channels, env=graph.env(), unset=("WHATSAPP_*",)) as (
            stack,
            gateway,
        ),
    ):
        with console_process(console_env(stack.database_url), workdir) as console:
            yield Site(Running(stack, graph, MetaWebhooks(graph=graph)), gateway, console)


def order_of(stack: Stack, number: str) -> tuple[WorkOrder, str, str]:
    """The ticket's work order, the link token of its page and its contractor's SMS number."""
    engine = make_engine(stack.database_url)
    sessions = make_sessionmaker(engine)
    try:
        ticket = stored_ticket(stack.database_url, number)
        with sessions() as session:
            order = session.execute(
                select(WorkOrder).where(WorkOrder.ticket_id == ticket.id)
            ).scalar_one()
            contractor = latest(session).get(order.client_id).contractors[order.contractor_id]
        return order, link_token(sessions, order), contractor.sms_number
    finally:
        engine.dispose()


def tap_step(page: Any, link: str, button: str, report: str | None = None) -> None:
    """Open the work order's link afresh and tap one step (with a short report)."""
    from playwright.sync_api import expect

    page.goto(link)
    if report is not None:
        page.get_by_label("Kort verslag").fill(report)
    page.get_by_role("button", name=button).tap()
    expect(page.get_by_role("status")).to_contain_text("Dank u", timeout=WAIT_MS)


def test_whatsapp_melding_through_browser_sms_and_cli_to_done(site: Site) -> None:
    tenant = WhatsAppTenant(site.running)
    first = "de leiding onder de gootsteen is gesprongen"
    number, _ = converse(tenant, first, BURST, sender=tenant.sender)  # type: ignore[arg-type]
    before = len(site.running.graph.sent(tenant.wa_id))
    order, token, contractor = order_of(site.stack, number)
    link = f"{site.console}/werkbon/{token}"
    with phone_page() as page:
        tap_step(page, link, "Ik ga: bevestig de werkbon")
        # The number says which order, whatever else this contractor has open.
        sms_to_webhook(site.stack, contractor, f"ONDERWEG 30 {number}")
        answers = wait_for_sms(site.gateway, contractor, 1)
        assert answers[-1] == f"{number}: genoteerd, onderweg. Dank u.", site.stack.log()[-3000:]
        werkbon_cli(site.stack, number, "ter_plaatse", AGENT)
        tap_step(page, link, "Gereed: het werk is klaar", report=REPORT)

    engine = make_engine(site.stack.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            assert_the_rounds(session, order.id)
    finally:
        engine.dispose()
    assert stored_ticket(site.stack.database_url, number).status == "afgerond"

    # The worker's rounds: each update reaches the tenant as a WhatsApp text, in order.
    assert deliver(site.stack, chat_sender(site.stack)) >= len(HEARD)
    site.running.graph.wait_for_sent(before + len(HEARD), to=tenant.wa_id)
    updates = site.running.graph.sent(tenant.wa_id)[before:]
    assert all(m["type"] == "text" for m in updates), updates
    bodies = [
        m["text"]["body"] for m in updates if m["text"]["body"].startswith(f"Melding {number}")
    ]
    assert [next(p for p in HEARD if p in b) for b in bodies] == list(HEARD), bodies
    assert REPORT in bodies[-1]
    assert site.running.graph.refused() == []


def test_a_rest_tenant_hears_the_sms_keyword_step_by_sms(site: Site) -> None:
    number, _ = converse(site.stack, "de leiding onder de gootsteen is gesprongen", BURST)
    _, _, contractor = order_of(site.stack, number)
    earlier = len(wait_for_sms(site.gateway, contractor, 0))  # the first test's answers
    sms_to_webhook(site.stack, contractor, f"ONDERWEG 30 {number}")
    answers = wait_for_sms(site.gateway, contractor, earlier + 1)
    assert answers[-1] == f"{number}: genoteerd, onderweg. Dank u."
    phone = stored_ticket(site.stack.database_url, number).telefoon
    deliver(site.stack, {"sms": SmsSender(site.gateway.settings())})
    texts = [t for t in wait_for_sms(site.gateway, phone, 1) if t.startswith(f"Melding {number}:")]
    assert len(texts) == 1 and "is onderweg" in texts[0] and "naar verwachting om" in texts[0]
