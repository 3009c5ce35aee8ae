"""Urgency reasons from the row the triage used (the client's protocol), in words everywhere.

De Linde's protocol row for ``boiler`` replaces the matrix's: it asks nothing and says
niet urgent with its own reason, under the same rule id (``boiler_anders``) as the
matrix's acuut fallback. A lookup in the matrix alone would show the wrong reason.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from console.summary import effective_topic, present_stored, reasons, summarise
from meldkamer.clients.loader import parse_client
from meldkamer.clients.store import apply
from meldkamer.handover.summary import HandoverSummary
from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.tickets import get_ticket
from meldkamer.triage import default_engine
from tests.console.conftest import NOW
from tests.console.test_phone import Wizard, asked_fact
from tests.service.conftest import burst_pipe

ROOT = Path(__file__).resolve().parents[2]
CLIENT_REASON = "Geen reguliere boilers in bezit van De Linde; zonneboilers zijn nooit urgent"
MATRIX_REASON = "Boiler: op basis van inschatting"
TABLE = default_engine().table


def reasons_on(page: str) -> str:
    return page.split("Waarom deze urgentie")[1].split("</section>")[0]


async def test_a_client_protocol_rule_shows_the_clients_reason(sanne, sessions) -> None:
    ctx = Collaborators(sessions=sessions, clock=lambda: NOW)
    melding = burst_pipe("b-1", topic="boiler", facts={}, beschrijving="boiler lekt")
    number = confirm_melding(ctx, melding).ticket_number
    assert number is not None
    with sessions() as session:
        ticket = get_ticket(session, number)
        assert ticket is not None and ticket.urgency == "niet_urgent"
        assert ticket.outcome["rules"] == ["boiler_anders"]  # the id the matrix has too
    shown = reasons_on(await (await sanne.get(f"/ticket/{number}")).text())
    assert f"Niet urgent: {CLIENT_REASON}" in shown
    assert MATRIX_REASON not in shown and "Acuut" not in shown
    # The client's row asks nothing: the matrix's question is no "niet gevraagd".
    assert "Niet gevraagd" not in shown and TABLE.facts["zonneboiler"].question not in shown


async def test_the_row_in_force_when_the_ticket_was_made(sanne, sessions) -> None:
    ctx = Collaborators(sessions=sessions, clock=lambda: NOW)
    number = confirm_melding(ctx, burst_pipe("b-2", topic="boiler", facts={})).ticket_number
    source = (ROOT / "clients" / "de-linde.yml").read_text(encoding="utf-8")
    changed = source.replace(CLIENT_REASON, "Boilers regelt De Linde zelf op werkdagen")
    assert changed != source
    with sessions.begin() as session:
        client = parse_client(changed, "de-linde.yml", TABLE)
        apply(session, client, changed, by="test", now=NOW + timedelta(hours=1))
    shown = reasons_on(await (await sanne.get(f"/ticket/{number}")).text())
    assert CLIENT_REASON in shown and "regelt De Linde zelf" not in shown
    with sessions() as session:
        later = effective_topic(session, TABLE, "de-linde", "boiler", NOW + timedelta(hours=2))
        assert later is not None and later.otherwise.reason.startswith("Boilers regelt")
        assert effective_topic(session, TABLE, None, "boiler") == TABLE.topics["boiler"]


def test_the_matrix_row_without_a_client_keeps_the_matrixs_reason() -> None:
    outcome = default_engine().evaluate("boiler", {}, NOW).to_dict()
    given = reasons(TABLE, TABLE.topics["boiler"], {}, outcome)
    # Undecided: the fail-safe line names the open question, in words, once.
    assert given.undecided == (
        "Uitgegaan van het zwaarste geval (acuut); een medewerker beoordeelt. "
        f"Nog niet bekend: {TABLE.facts['zonneboiler'].question}"
    )
    assert given.not_asked == () and given.given == ()
    decided = default_engine().evaluate("boiler", {"zonneboiler": False}, NOW).to_dict()
    lines = reasons(TABLE, TABLE.topics["boiler"], {"zonneboiler": False}, decided).lines()
    assert lines == ("Acuut: Reguliere boiler: acuut op basis van inschatting door een medewerker",)


def test_an_outcome_without_rule_ids_keeps_its_lines_in_words() -> None:
    outcome = {"urgency": "acuut", "reasons": ["[acuut] Gesprongen leiding, niet afsluitbaar"]}
    topic = TABLE.topics["lekkage_waterleiding"]
    shown = reasons(TABLE, topic, {"leiding_gesprongen": True}, outcome, ["leiding_afsluitbaar"])
    assert shown.lines() == (
        "Acuut: Gesprongen leiding, niet afsluitbaar",
        f"Weet de huurder niet: {TABLE.facts['leiding_afsluitbaar'].question}",
    )


def test_stored_lines_read_in_words() -> None:
    question = TABLE.facts["leiding_afsluitbaar"].question
    assert present_stored(TABLE, "[urgent] Groot gevolgschade risico") == (
        "Urgent: Groot gevolgschade risico"
    )
    open_line = present_stored(
        TABLE,
        "Nog niet bekend: leiding_afsluitbaar. Uitgegaan van het zwaarste geval "
        "(acuut: Leiding niet af te sluiten); een medewerker beoordeelt",
    )
    assert question in open_line and "leiding_afsluitbaar" not in open_line
    assert "(acuut: Leiding niet af te sluiten)" in open_line
    conflict = present_stored(TABLE, "Tegenstrijdige antwoorden (leiding_afsluitbaar=true): x")
    assert question in conflict and "=true" not in conflict
    assert present_stored(TABLE, "iets anders") == "iets anders"


def test_the_handover_summary_shows_the_same_reasons(sessions) -> None:
    engine = default_engine()
    with sessions() as session:
        client = Collaborators(sessions=sessions, clock=lambda: NOW).client("de-linde")
        assert client is not None
        settings = client.triage_settings(TABLE)
        facts = {"leiding_gesprongen": True}
        outcome = engine.evaluate("lekkage_waterleiding", facts, NOW, settings).to_dict()
        stored_lines = engine.evaluate("lekkage_waterleiding", facts, NOW, settings).reasons
        assert any(line.startswith("Nog niet bekend: leiding_") for line in stored_lines)
        stored = HandoverSummary(
            topic="lekkage_waterleiding", facts=facts, outcome=outcome, client_id="de-linde"
        )
        summary = summarise(session, TABLE, stored, "gesprek-x", None)
        boiler = HandoverSummary(
            topic="boiler",
            outcome=engine.evaluate("boiler", {}, NOW, settings).to_dict(),
            client_id="de-linde",
        )
        boiler_lines = summarise(session, TABLE, boiler, "gesprek-y", None).reasons
    text = " | ".join(summary.reasons)
    assert summary.reasons and "[" not in text and "leiding_afsluitbaar" not in text
    assert TABLE.facts["leiding_afsluitbaar"].question in text
    assert boiler_lines == (f"Niet urgent: {CLIENT_REASON}",)


async def test_phone_mode_summary_shows_the_reasons_in_words(sanne) -> None:
    wizard = Wizard(sanne)
    await wizard.start()
    await wizard.send("onderwerp", onderwerp="boiler")
    await wizard.send("adres", adres="1234 AB 3")
    assert asked_fact(wizard.page) is None  # De Linde's row asks nothing
    await wizard.send("naam", naam="Jan de Boer")
    await wizard.send("telefoon", telefoon="0612345678")
    await wizard.send("email", email="")
    await wizard.send("beschrijving", beschrijving="de boiler lekt")
    summary = wizard.page.split("Controleer de melding")[1].split("</section>")[0]
    assert f"Niet urgent: {CLIENT_REASON}" in summary
    assert "[niet_urgent]" not in summary and MATRIX_REASON not in summary
