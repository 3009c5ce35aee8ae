"""Every cell of the seed's urgency matrix (section 2.1), one case each."""

from __future__ import annotations

from datetime import datetime

import pytest

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


CELLS = [
    # cv-storing zomer, acuut: geen warm water en medische noodzaak
    (
        "cv_storing",
        {"geen_warm_water": True, "medische_noodzaak": True, "geen_verwarming": False},
        SUMMER_OPEN,
        ACUUT,
    ),
    # cv-storing zomer, urgent: geen warm water zonder medische noodzaak
    (
        "cv_storing",
        {"geen_warm_water": True, "medische_noodzaak": False, "geen_verwarming": False},
        SUMMER_OPEN,
        URGENT,
    ),
    # cv-storing zomer, niet urgent: geen verwarming
    ("cv_storing", {"geen_verwarming": True, "geen_warm_water": False}, SUMMER_OPEN, NIET),
    # cv-storing winter, acuut: geen warm water en medische noodzaak
    (
        "cv_storing",
        {"geen_warm_water": True, "medische_noodzaak": True, "geen_verwarming": True},
        WINTER_OPEN,
        ACUUT,
    ),
    # cv-storing winter, urgent: geen warm water zonder medische noodzaak
    (
        "cv_storing",
        {"geen_warm_water": True, "medische_noodzaak": False, "geen_verwarming": False},
        WINTER_OPEN,
        URGENT,
    ),
    # cv-storing winter, urgent: geen verwarming
    ("cv_storing", {"geen_verwarming": True, "geen_warm_water": False}, WINTER_OPEN, URGENT),
    # Lekkage aan woning, acuut: zeer groot gevolgschade risico
    (
        "lekkage_woning",
        {"groot_gevolgschade_risico": True, "te_beperken": False},
        WINTER_OPEN,
        ACUUT,
    ),
    # Lekkage aan woning, urgent: kantoor niet binnen 24 uur bereikbaar
    ("lekkage_woning", {"groot_gevolgschade_risico": False}, WINTER_WEEKEND, URGENT),
    # Lekkage aan woning, niet urgent: beperkt gevolgschade risico
    ("lekkage_woning", {"groot_gevolgschade_risico": False}, WINTER_OPEN, NIET),
    # Lekkage aan woning, niet urgent: te beperken door afdekken of opvangen
    (
        "lekkage_woning",
        {"groot_gevolgschade_risico": False, "te_beperken": True},
        WINTER_OPEN,
        NIET,
    ),
    # Lekkage aanvoerleidingen water, acuut: gesprongen (spuitende) niet afsluitbare leiding
    (
        "lekkage_waterleiding",
        {"leiding_gesprongen": True, "leiding_afsluitbaar": False},
        WINTER_OPEN,
        ACUUT,
    ),
    # Lekkage aanvoerleidingen water, urgent: gesprongen leiding wel afsluitbaar
    (
        "lekkage_waterleiding",
        {"leiding_gesprongen": True, "leiding_afsluitbaar": True},
        WINTER_OPEN,
        URGENT,
    ),
    # Druppelende waterleiding (in de seed bij gas, hoort bij water): niet urgent
    ("lekkage_waterleiding", {"leiding_gesprongen": False}, WINTER_WEEKEND, NIET),
    # Lekkage aanvoerleidingen gas, acuut: gaslek (of vermoeden tot)
    ("gaslek", {}, SUMMER_WEEKEND, ACUUT),
    # Lekkage afvoeren, urgent: ernstige belemmering voor bewoning
    (
        "lekkage_afvoer",
        {"belemmering_bewoning": True, "groot_gevolgschade_risico": False},
        WINTER_OPEN,
        URGENT,
    ),
    # Lekkage afvoeren, urgent: groot gevolgschade risico
    (
        "lekkage_afvoer",
        {"belemmering_bewoning": False, "groot_gevolgschade_risico": True},
        WINTER_OPEN,
        URGENT,
    ),
    # Lekkage afvoeren, niet urgent: te beperken door afdekken of opvangen
    (
        "lekkage_afvoer",
        {"belemmering_bewoning": False, "groot_gevolgschade_risico": False, "te_beperken": True},
        WINTER_OPEN,
        NIET,
    ),
    # Elektra, acuut: algehele stroomuitval
    ("elektra", {"stroomuitval": "algeheel", "storing_in_straat": False}, WINTER_OPEN, ACUUT),
    # Elektra, urgent: gedeeltelijke stroomuitval incl. uitval cv-installatie
    ("elektra", {"stroomuitval": "gedeeltelijk_met_cv"}, WINTER_OPEN, URGENT),
    # Elektra, urgent: kantoor niet binnen 24 uur en de uitval belemmert de bewoning (koelkast/vriezer/koken)
    (
        "elektra",
        {"stroomuitval": "gedeeltelijk_zonder_cv", "belemmering_bewoning": True},
        WINTER_WEEKEND,
        URGENT,
    ),
    # Elektra, niet urgent: gedeeltelijke stroomuitval excl. cv-installatie
    ("elektra", {"stroomuitval": "gedeeltelijk_zonder_cv"}, WINTER_OPEN, NIET),
    # Inbraak, acuut: woning niet meer afsluitbaar
    ("inbraak", {"woning_afsluitbaar": False}, WINTER_OPEN, ACUUT),
    # Inbraak, niet urgent: woning afsluitbaar (evt. met noodvoorziening)
    ("inbraak", {"woning_afsluitbaar": True}, WINTER_WEEKEND, NIET),
    # Calamiteit brand, acuut: altijd
    ("brand", {}, SUMMER_OPEN, ACUUT),
    # Calamiteit storm, acuut: groot gevolgschade risico
    ("storm", {"groot_gevolgschade_risico": True, "te_beperken": False}, WINTER_OPEN, ACUUT),
    # Calamiteit storm, urgent: kantoor niet binnen 24 uur en huurder kan geen noodvoorziening treffen
    (
        "storm",
        {"groot_gevolgschade_risico": False, "noodvoorziening_mogelijk": False},
        WINTER_WEEKEND,
        URGENT,
    ),
    # Calamiteit storm, niet urgent: beperkt gevolgschade risico
    ("storm", {"groot_gevolgschade_risico": False}, WINTER_OPEN, NIET),
    # Calamiteit storm, niet urgent: te beperken door afdekken of opvangen (ook in het weekend met noodvoorziening)
    (
        "storm",
        {"groot_gevolgschade_risico": False, "te_beperken": True, "noodvoorziening_mogelijk": True},
        WINTER_WEEKEND,
        NIET,
    ),
    # Calamiteit overig, acuut: risico bewoonbaarheid
    ("calamiteit_overig", {"bewoonbaarheid_in_gevaar": True}, WINTER_OPEN, ACUUT),
    # Boiler, acuut: op basis van inschatting (reguliere boiler)
    ("boiler", {"zonneboiler": False}, WINTER_OPEN, ACUUT),
    # Boiler, niet urgent: zonneboilers zijn nooit urgent
    ("boiler", {"zonneboiler": True}, WINTER_WEEKEND, NIET),
    # Buitensluiting, acuut: altijd
    ("buitensluiting", {}, SUMMER_OPEN, ACUUT),
    # Glasschade, acuut: volledige breuk, gat in ruit, woning niet meer dicht
    ("glasschade", {"volledige_breuk": True, "woning_afsluitbaar": False}, WINTER_OPEN, ACUUT),
    # Glasschade, niet urgent: scheur in ruit, ruit nog in sponning, geen direct gevaar
    ("glasschade", {"volledige_breuk": False}, WINTER_WEEKEND, NIET),
    # Overige reparatie (geen seed-rij): nooit spoed
    ("overig", {}, WINTER_WEEKEND, NIET),
]


@pytest.mark.parametrize(("topic", "facts", "at", "urgency"), CELLS)
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
