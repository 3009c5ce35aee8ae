"""The safety net of the matrix (``vangnetten``): a medical need the tenant already named on a
warm-water or heating topic whose row does not ask it is never ignored in silence (issue 15).

Case by case, with De Linde's own client file (its protocol makes a boiler niet urgent
without a question).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from meldkamer.clients.loader import load_client
from meldkamer.triage import TableError, TriageEngine, TriageSettings, Urgency, default_engine
from meldkamer.triage.answers import facts_from_text
from meldkamer.triage.engine import with_override
from meldkamer.triage.officehours import AMSTERDAM
from meldkamer.triage.table import parse_table, parse_topic

#: The first message of issue 15.
ISSUE = "We hebben geen warm water meer en mijn man is net geopereerd, hij moet gewassen worden"
NET = "vangnet_medisch_warm_water"
# Wednesday night: the office is closed, so acuut means a contractor now.
NIGHT = datetime(2026, 12, 2, 23, 30, tzinfo=AMSTERDAM)


@pytest.fixture(scope="module")
def engine() -> TriageEngine:
    return default_engine()


@pytest.fixture(scope="module")
def de_linde(engine: TriageEngine) -> TriageSettings:
    return load_client("clients/de-linde.yml", engine.table).client.triage_settings(engine.table)


def _triage(engine: TriageEngine, topic: str, text: str, settings: TriageSettings):  # type: ignore[no-untyped-def]
    facts = facts_from_text(engine.table, engine.table.topic(topic), text)
    return facts, engine.evaluate(topic, facts, NIGHT, settings)


def test_issue_sentence_read_as_boiler_at_de_linde_is_acuut_for_a_person(
    engine: TriageEngine, de_linde: TriageSettings
) -> None:
    facts, outcome = _triage(engine, "boiler", ISSUE, de_linde)
    assert facts["medische_noodzaak"] is True
    assert outcome.urgency is Urgency.ACUUT
    assert outcome.needs_assessment
    assert NET in outcome.rules
    assert "medische_noodzaak" not in outcome.ignored_facts
    assert outcome.next_office_day is None
    # De Linde's row asks nothing; the net adds no question, a person judges.
    assert engine.next_question("boiler", facts, NIGHT, de_linde) is None


def test_issue_sentence_read_as_cv_storing_is_acuut_by_the_matrix_itself(
    engine: TriageEngine, de_linde: TriageSettings
) -> None:
    facts, outcome = _triage(engine, "cv_storing", ISSUE, de_linde)
    assert facts == {"geen_warm_water": True, "medische_noodzaak": True}
    assert outcome.urgency is Urgency.ACUUT
    assert "cv_warm_water_medisch" in outcome.rules
    # The row asks the fact and decides with it: the net stays out.
    assert NET not in outcome.rules


@pytest.mark.parametrize(
    "text",
    [
        "de boiler lekt en geeft geen warm water",
        # "geen medische" and "medisch" both match: nothing is concluded, so no net.
        "boiler stuk, geen medische redenen",
    ],
)
def test_no_named_medical_need_keeps_de_lindes_niet_urgent(
    engine: TriageEngine, de_linde: TriageSettings, text: str
) -> None:
    facts, outcome = _triage(engine, "boiler", text, de_linde)
    assert "medische_noodzaak" not in facts
    assert outcome.urgency is Urgency.NIET_URGENT
    assert NET not in outcome.rules


def test_both_readings_of_ziek_conclude_nothing(engine: TriageEngine) -> None:
    facts = facts_from_text(
        engine.table, engine.table.topic("boiler"), "boiler kapot, niemand is ziek"
    )
    assert "medische_noodzaak" not in facts


def test_a_protocol_that_drops_the_question_from_cv_storing_is_caught(
    engine: TriageEngine,
) -> None:
    row = parse_topic(
        "cv_storing",
        {"vragen": [], "anders": {"urgentie": "niet_urgent", "reden": "Eigen protocol"}},
        engine.table,
        "test",
    )
    settings = with_override(TriageSettings(), row)
    outcome = engine.evaluate("cv_storing", {"medische_noodzaak": True}, NIGHT, settings)
    assert outcome.urgency is Urgency.ACUUT and outcome.needs_assessment
    assert NET in outcome.rules


def test_even_a_solar_boiler_with_a_named_medical_need_goes_to_a_person(
    engine: TriageEngine,
) -> None:
    facts = {"zonneboiler": True, "medische_noodzaak": True}
    outcome = engine.evaluate("boiler", facts, NIGHT)
    assert outcome.urgency is Urgency.ACUUT and outcome.needs_assessment
    without = engine.evaluate("boiler", {"zonneboiler": True}, NIGHT)
    assert without.urgency is Urgency.NIET_URGENT and NET not in without.rules


def test_topics_outside_the_net_do_not_read_the_medical_need(engine: TriageEngine) -> None:
    text = "lekkage door het plafond, ik heb een baby"
    facts = facts_from_text(engine.table, engine.table.topic("lekkage_woning"), text)
    assert "medische_noodzaak" not in facts
    outcome = engine.evaluate("lekkage_woning", {"medische_noodzaak": True}, NIGHT)
    assert NET not in outcome.rules
    assert "medische_noodzaak" in outcome.ignored_facts


def _table_with(net: dict) -> None:  # type: ignore[type-arg]
    raw = {
        "feiten": {
            "medische_noodzaak": {
                "vraag": "Medisch?",
                "opties": [{"waarde": True, "label": "Ja"}, {"waarde": False, "label": "Nee"}],
            }
        },
        "onderwerpen": {"boiler": {"vragen": [], "anders": {"urgentie": "urgent", "reden": "r"}}},
        "vangnetten": [net],
    }
    parse_table(raw, "test")


@pytest.mark.parametrize(
    ("net", "named"),
    [
        (
            {
                "id": "n",
                "onderwerpen": ["geiser"],
                "als": {"medische_noodzaak": True},
                "urgentie": "acuut",
                "reden": "r",
            },
            "geiser",
        ),
        (
            {"id": "n", "onderwerpen": ["boiler"], "als": {}, "urgentie": "acuut", "reden": "r"},
            "alleen feiten",
        ),
        (
            {
                "id": "n",
                "onderwerpen": ["boiler"],
                "als": {"seizoen": "winter"},
                "urgentie": "acuut",
                "reden": "r",
            },
            "alleen feiten",
        ),
        (
            {
                "id": "n",
                "onderwerpen": ["boiler"],
                "als": {"medische_noodzaak": True},
                "urgentie": "spoed",
                "reden": "r",
            },
            "spoed",
        ),
        (
            {
                "onderwerpen": ["boiler"],
                "als": {"medische_noodzaak": True},
                "urgentie": "acuut",
                "reden": "r",
            },
            "id",
        ),
    ],
)
def test_a_bad_net_is_refused_naming_the_place(net: dict, named: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(TableError, match="vangnet 1") as info:
        _table_with(net)
    assert named in str(info.value)
