"""The page behind an escalation step's link (``/sla/{token}``): no account, one big button."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import select

from meldkamer.contact import MELDKAMER_PHONE
from meldkamer.notify.models import OutboxMessage
from meldkamer.sla.models import SlaClock
from tests.console.conftest import NOW
from tests.core.test_dispatch import NO_HEAT_MEDICAL, register
from tests.core.test_sla import round_at


def supervisor_link(sessions) -> tuple[str, str]:
    """A breach escalated to the supervisor; the ticket number and the SMS's link path."""
    number, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NOW)
    round_at(sessions, NOW + timedelta(minutes=15))
    round_at(sessions, NOW + timedelta(minutes=30))
    with sessions() as session:
        sms = session.execute(
            select(OutboxMessage.body).where(OutboxMessage.key.like("sla:%:supervisor:sms"))
        ).scalar_one()
    found = re.search(r"https://meldkamer\.test(/sla/[A-Za-z0-9_-]+)", sms)
    assert found, sms
    return number, found.group(1)


async def test_the_supervisor_takes_the_step_on_without_an_account(
    anonymous, sessions, clock
) -> None:
    number, path = supervisor_link(sessions)
    clock.advance(minutes=31)
    page = html.unescape(await (await anonymous.get(path)).text())
    assert number in page and "aannemer bevestigt" in page and "Ik pak het op" in page
    assert "bevestiging" not in page  # the clock's label, never its raw value
    # Only the button changes anything (link previews open links by themselves).
    with sessions() as session:
        assert {c.state for c in session.execute(select(SlaClock)).scalars()} >= {"verlopen"}
    taken = await anonymous.post(path)
    assert taken.status == 200 and "Dank u: opgepakt" in await taken.text()
    again = await anonymous.post(path)
    assert "Was al opgepakt" in await again.text()
    with sessions() as session:
        clock_row = session.execute(
            select(SlaClock).where(SlaClock.escalation_step == 2)
        ).scalar_one()
        assert clock_row.state == "gestopt"


async def test_an_unknown_link_gets_the_same_dutch_404(anonymous, sessions, clock) -> None:
    _, path = supervisor_link(sessions)
    clock.advance(days=8)  # past the link's week
    for asked in (path, "/sla/geraden", path[:-2]):
        for method in ("GET", "POST"):
            response = await anonymous.request(method, asked)
            text = html.unescape(await response.text())
            assert response.status == 404, (method, asked)
            assert "Deze link werkt niet (meer)" in text and MELDKAMER_PHONE in text
