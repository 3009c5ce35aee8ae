"""Phone mode: who is calling? The caller's tickets by phone number, open first."""

from __future__ import annotations

import re

from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.tickets import change_status, get_ticket
from tests.console.conftest import NOW
from tests.service.conftest import burst_pipe


def tickets_on(page: str) -> list[str]:
    return re.findall(r'<tr data-ticket="(MK-\d{4}-\d{6})">', page)


async def test_the_callers_tickets_open_first_with_what_to_read_out(sanne, sessions) -> None:
    ctx = Collaborators(sessions=sessions, clock=lambda: NOW)
    closed = confirm_melding(ctx, burst_pipe("m-1")).ticket_number
    open_ = confirm_melding(ctx, burst_pipe("m-2", telefoon="+31612345678")).ticket_number
    other = confirm_melding(ctx, burst_pipe("m-3", telefoon="+31687654321")).ticket_number
    assert closed and open_ and other
    with sessions.begin() as session:
        ticket = get_ticket(session, closed)
        assert ticket is not None
        change_status(session, ticket, "afgerond", by="test", reason=None, now=NOW)
    response = await sanne.get("/nieuw", params={"beller": "06-12 34 56 78"})
    page = await response.text()
    assert response.status == 200
    assert tickets_on(page) == [open_, closed]  # another caller's ticket is not there
    assert "Afgerond" in page and "afgerond" not in page.split("Stand van zaken")[0]
    assert f"Melding {open_}" in page  # the tenant's own words, to read out


async def test_an_unknown_or_malformed_number(sanne) -> None:
    none = await (await sanne.get("/nieuw", params={"beller": "0699999999"})).text()
    assert "Geen meldingen met dit nummer" in none and tickets_on(none) == []
    bad = await (await sanne.get("/nieuw", params={"beller": "abc"})).text()
    assert "alleen uit cijfers" in bad


async def test_signed_out_nobody_looks_up_a_caller(anonymous) -> None:
    response = await anonymous.get("/nieuw", params={"beller": "0612345678"}, allow_redirects=False)
    assert response.status in (302, 303) and "MK-" not in await response.text()
