"""The ticket page shows each work order with its history and the contact log, in Dutch."""

from __future__ import annotations

import html

from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.service.workorder import Request, Via, update_by_number
from tests.console.conftest import NOW
from tests.service.conftest import burst_pipe


async def test_work_orders_with_history_and_the_contact_log(sanne, sessions) -> None:
    ctx = Collaborators(sessions=sessions, clock=lambda: NOW)
    number = confirm_melding(ctx, burst_pipe("m-1", channel="webchat")).ticket_number
    assert number is not None
    update_by_number(ctx, number, Request("onderweg", by="sanne", via=Via.CLI, eta_minutes=30))
    update_by_number(ctx, number, Request("ter_plaatse", by="sanne", via=Via.CLI))
    response = await sanne.get(f"/ticket/{number}")
    assert response.status == 200
    page = html.unescape(await response.text())
    orders = page.split("<h3>Werkbonnen</h3>")[1].split("<h3>Berichten</h3>")[0]
    assert ": ter plaatse</h4>" in orders  # the order's status, as its label
    assert "verstuurd → onderweg (verwacht" in orders and "onderweg → ter plaatse" in orders
    assert "Sanne de Vries" in orders and "telefoon (opdrachtregel)" in orders
    assert "ter_plaatse" not in orders and ">cli<" not in orders  # no raw values
    log = page.split("Contactlogboek</h3>")[1]
    for label in ("binnengekomen", "verstuurd", "webchat", "huurder", "aannemer", "gesprek"):
        assert f"<td>{label}</td>" in log, label
    assert "<td>statuswijziging</td>" in log and "<td>sms</td>" in log
    assert "<td>uit</td>" not in log and "<td>status</td>" not in log
