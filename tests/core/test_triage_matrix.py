"""Every cell of the seed's urgency matrix (section 2.1), one case each (triage_cells.yml)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import yaml

from meldkamer.triage import TriageEngine, TriageSettings, Urgency, default_engine
from meldkamer.triage.engine import with_override
from meldkamer.triage.officehours import AMSTERDAM
from meldkamer.triage.table import parse_topic

# Wednesday morning, office open: kantoor binnen 24 uur bereikbaar.
WINTER_OPEN = datetime(2026, 12, 2, 10, 0, tzinfo=AMSTERDAM)
SUMMER_OPEN = datetime(2026, 7, 15, 10, 0, tzinfo=AMSTERDAM)
# Friday evening: the office opens Monday 08:00, more than 24 hours away.
WINTER_WEEKEND = datetime(2026, 12, 4, 18, 0, tzinfo=AMSTERDAM)
SUMMER_WEEKEND = datetime(2026, 7, 17, 18, 0, tzinfo=AMSTERDAM)

ACUUT, URGENT, NIET = Urgency.ACUUT, Urgency.URGENT, Urgency.NIET_URGENT


@pytest.fixture(scope="module")
def engine() -> TriageEngine:
    return default_engine()


#: The moments the cells name (tests/core/triage_cells.yml ``at``).
MOMENTS = {
    "winter_open": WINTER_OPEN,
    "zomer_open": SUMMER_OPEN,
    "winter_weekend": WINTER_WEEKEND,
    "zomer_weekend": SUMMER_WEEKEND,
}
SEED = yaml.safe_load(Path(__file__).with_name("triage_cells.yml").read_text())
CELLS = [
    (cell["topic"], cell["facts"], MOMENTS[cell["at"]], Urgency(cell["urgency"])) for cell in SEED
]


@pytest.mark.parametrize(
    ("topic", "facts", "at", "urgency"), CELLS, ids=[cell["cell"] for cell in SEED]
)
def test_seed_cell(
    engine: TriageEngine, topic: str, facts: dict, at: datetime, urgency: Urgency
) -> None:
    outcome = engine.evaluate(topic, facts, at)
    assert outcome.urgency is urgency, outcome.reasons
    assert not outcome.missing_facts
    assert outcome.reasons
    # niet urgent always tells the tenant when the client can be reached, and only then
    assert (outcome.next_office_day is not None) is (urgency is NIET)


def test_boiler_is_assessed_by_a_person(engine: TriageEngine) -> None:
    # Boiler: "op basis van inschatting" -> needs_assessment
    assert engine.evaluate("boiler", {"zonneboiler": False}, WINTER_OPEN).needs_assessment


def test_client_without_regular_boilers_overrides_the_row(engine: TriageEngine) -> None:
    # Boiler, niet urgent: "Geen reguliere boilers in bezit" (client protocol)
    row = parse_topic(
        "boiler",
        {
            "vragen": [],
            "anders": {"urgentie": "niet_urgent", "reden": "Geen reguliere boilers in bezit"},
        },
        engine.table,
        "test",
    )
    settings = with_override(TriageSettings(), row)
    outcome = engine.evaluate("boiler", {"zonneboiler": False}, WINTER_OPEN, settings)
    assert outcome.urgency is NIET
    assert engine.next_question("boiler", {}, WINTER_OPEN, settings) is None


def test_lock_out_carries_the_cost_notice(engine: TriageEngine) -> None:
    # Buitensluiting: "Duidelijk aangeven dat kosten worden doorberekend"
    outcome = engine.evaluate("buitensluiting", {}, WINTER_WEEKEND)
    assert any("kosten" in notice for notice in outcome.notices)


def test_fire_informs_the_client(engine: TriageEngine) -> None:
    assert engine.evaluate("brand", {}, WINTER_OPEN).inform_client


def test_street_outage_goes_to_the_network_operator(engine: TriageEngine) -> None:
    # Storing in de straat: netbeheerder, niet de verhuurder
    outcome = engine.evaluate(
        "elektra", {"stroomuitval": "algeheel", "storing_in_straat": True}, WINTER_OPEN
    )
    assert outcome.urgency is NIET
    assert any("0800-9009" in advice for advice in outcome.advice)


@pytest.mark.parametrize("topic", list(default_engine().table.topics))
def test_habitability_makes_every_topic_acute_and_informs_client(
    engine: TriageEngine, topic: str
) -> None:
    outcome = engine.evaluate(topic, {"bewoonbaarheid_in_gevaar": True}, SUMMER_OPEN)
    assert outcome.urgency is ACUUT
    assert outcome.inform_client
    assert outcome.reasons[0].startswith("[acuut] Bewoonbaarheid")


@pytest.mark.parametrize(
    ("topic", "facts", "urgency"),
    [
        # missing medical need with no hot water: worst case acuut
        ("cv_storing", {"geen_warm_water": True}, ACUUT),
        # nothing known of a burst pipe: worst case acuut
        ("lekkage_waterleiding", {}, ACUUT),
        # contradicting: large risk yet limitable -> highest (acuut) and assessed
        ("lekkage_woning", {"groot_gevolgschade_risico": True, "te_beperken": True}, ACUUT),
        # contradicting in drains -> urgent (the highest the row allows), assessed
        (
            "lekkage_afvoer",
            {"groot_gevolgschade_risico": True, "te_beperken": True, "belemmering_bewoning": False},
            URGENT,
        ),
        # calamity without a habitability answer: worst case acuut
        ("calamiteit_overig", {}, ACUUT),
        # calamity without risk for habitability: not in the matrix, urgent and assessed
        ("calamiteit_overig", {"bewoonbaarheid_in_gevaar": False}, URGENT),
    ],
)
def test_fail_safe(engine: TriageEngine, topic: str, facts: dict, urgency: Urgency) -> None:
    outcome = engine.evaluate(topic, facts, WINTER_OPEN)
    assert outcome.urgency is urgency
    assert outcome.needs_assessment
