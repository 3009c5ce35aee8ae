"""A contractor's SMS keywords through the SMS webhook (channels/sms) to the work order.

The real channel on a database with the demo clients: the signed inbound webhook of
tests/fakes/sms_inbound.py in, the answer out through the SMS gateway fake.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from channels.common.inbox import Inbox
from channels.sms import SmsInput
from meldkamer.contacts import contacts_for_ticket
from meldkamer.dispatch.models import WorkOrder
from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from tests.fakes.mail import SmsGateway
from tests.fakes.sms_inbound import INBOUND_SECRET, inbound_webhook
from tests.service.conftest import burst_pipe


async def _nobody(message: object) -> None:
    raise AssertionError(f"a contractor's SMS reached the bot: {message}")


async def test_keywords_by_sms_take_the_order_to_done(
    ctx: Collaborators, sms_gateway: SmsGateway, tmp_path: Path
) -> None:
    confirmed = confirm_melding(ctx, burst_pipe())
    assert confirmed.ticket_id is not None
    with ctx.sessions() as session:
        order = session.execute(select(WorkOrder)).scalar_one()
    phone = ctx.registry().get(order.client_id).contractors[order.contractor_id].sms_number
    channel = SmsInput(
        INBOUND_SECRET, sms_gateway.settings(), inbox=Inbox(tmp_path / "inbox"), ctx=ctx
    )
    replies = ["ONDERWEG 20", "ter plaatse", "GEREED kraan vervangen", "hallo"]
    for n, text in enumerate(replies):
        body, headers = inbound_webhook(f"in-{n}", phone, text)
        assert (await channel.receive(body, headers["X-Signature"], _nobody))[0] == 200
        await channel.drain()
    answers = [r["text"] for r in sms_gateway.accepted if r["to"] == phone]
    number = confirmed.ticket_number
    assert answers[:3] == [
        f"{number}: genoteerd, onderweg. Dank u.",
        f"{number}: genoteerd, ter plaatse. Dank u.",
        f"{number}: genoteerd, gereed. Dank u.",
    ]
    assert "ONDERWEG" in answers[3]  # not a keyword: the help, nothing changed
    with ctx.sessions() as session:
        done = session.get(WorkOrder, order.id)
        assert done is not None
        assert (done.status, done.report) == ("gereed", "kraan vervangen")
        steps = [c.summary for c in contacts_for_ticket(session, confirmed.ticket_id)]
    assert sum(1 for s in steps if s.startswith("Werkbon ")) == 3
    assert channel.inbox.pending() == []
