"""The panel "Doorverbinden met opdrachtgever" on the ticket and conversation pages."""

from __future__ import annotations

import html

from sqlalchemy import select

from meldkamer.contacts.models import Contact
from meldkamer.handover.models import Handover
from meldkamer.notify.models import OutboxMessage
from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.sla.models import Transfer
from tests.console.conftest import NOW, hand_over
from tests.service.conftest import burst_pipe

PANEL = "Doorverbinden met opdrachtgever"


def ticket(sessions) -> str:
    ctx = Collaborators(sessions=sessions, clock=lambda: NOW)
    number = confirm_melding(ctx, burst_pipe("m-1", channel="webchat")).ticket_number
    assert number is not None
    return number


def panel_of(page: str) -> str:
    return html.unescape(page).split(f">{PANEL}</h2>")[1].split("</section>")[0]


async def test_the_ticket_page_shows_who_is_on_duty_and_mails_the_summary(sanne, sessions) -> None:
    number = ticket(sessions)
    panel = panel_of(await (await sanne.get(f"/ticket/{number}")).text())
    # 2 December 03:00: De Linde's first roster week, De Vries first.
    assert "volgens het piketrooster" in panel
    assert panel.index("Anouk de Vries") < panel.index("Peter Jansen")
    assert 'href="tel:+31610000102"' in panel and "eerst bellen" in panel
    assert "Mail de samenvatting aan a.devries@de-linde.example.nl" in panel

    response = await sanne.post(
        f"/ticket/{number}/doorverbinden", {"aan": "de-vries", "uitkomst": "samenvatting_gemaild"}
    )
    assert response.status == 303
    assert response.headers["Location"] == f"/ticket/{number}#doorverbinden"
    page = html.unescape(await (await sanne.get(f"/ticket/{number}")).text())
    assert "Sanne de Vries met Anouk de Vries (teamleider onderhoud): samenvatting gemaild" in (
        panel_of(page)
    )
    assert "samenvatting_gemaild" not in panel_of(page).split("Eerder doorverbonden")[1]
    with sessions() as session:
        mail = session.execute(
            select(OutboxMessage).where(OutboxMessage.purpose == "opdrachtgever")
        )
        assert [m.recipient for m in mail.scalars() if m.key.startswith("doorverbinding:")] == [
            "a.devries@de-linde.example.nl"
        ]
        kinds = session.execute(select(Contact.kind).where(Contact.by == "sanne")).scalars()
        assert "doorverbinding" in list(kinds)


async def test_a_call_outcome_and_a_refused_person(sanne, sessions) -> None:
    number = ticket(sessions)
    refused = await sanne.post(
        f"/ticket/{number}/doorverbinden", {"aan": "kantoor", "uitkomst": "verbonden"}
    )
    assert refused.status == 400
    assert "geen dienst bij de opdrachtgever" in panel_of(await refused.text())
    done = await sanne.post(
        f"/ticket/{number}/doorverbinden",
        {"aan": "jansen", "uitkomst": "geen_gehoor", "notitie": "twee keer gebeld"},
    )
    assert done.status == 303
    with sessions() as session:
        rows = session.execute(select(Transfer)).scalars().all()
        assert [(r.by, r.to_phone, r.outcome, r.note) for r in rows] == [
            ("sanne", "+31610000101", "geen_gehoor", "twee keer gebeld")
        ]


async def test_a_conversation_without_ticket_offers_the_call_not_the_mail(sanne, sessions) -> None:
    handover_id = hand_over(sessions)
    with sessions.begin() as session:
        session.get(Handover, handover_id).client_id = "de-linde"
    page = await (await sanne.get(f"/gesprek/{handover_id}")).text()
    panel = panel_of(page)
    assert "Anouk de Vries" in panel and "Mail de samenvatting" not in panel
    response = await sanne.post(
        f"/gesprek/{handover_id}/doorverbinden", {"aan": "de-vries", "uitkomst": "verbonden"}
    )
    assert response.status == 303
    assert response.headers["Location"] == f"/gesprek/{handover_id}#doorverbinden"
    mailed = await sanne.post(
        f"/gesprek/{handover_id}/doorverbinden",
        {"aan": "de-vries", "uitkomst": "samenvatting_gemaild"},
    )
    assert mailed.status == 400
    with sessions() as session:
        rows = session.execute(select(Transfer)).scalars().all()
        assert [(r.ticket_id, r.conversation_id, r.outcome) for r in rows] == [
            (None, "web-" + "a" * 32, "verbonden")
        ]
    later = panel_of(await (await sanne.get(f"/gesprek/{handover_id}")).text())
    assert "met Anouk de Vries (teamleider onderhoud): doorverbonden" in later


async def test_a_missing_conversation_is_404(sanne) -> None:
    response = await sanne.post("/gesprek/999/doorverbinden", {"aan": "x", "uitkomst": "x"})
    assert response.status == 404
