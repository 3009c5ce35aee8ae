"""The scenario tenant's answering rules (devstack/scenarios.py), on the bot's own texts.

The questions come from domain.yml and the Dutch catalog, so a reworded question the
tenant no longer recognises fails here rather than as a slower benchmark.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from devstack.scenarios import (
    PERSONAS,
    STREET,
    Persona,
    Scenario,
    ScenarioTenant,
    scenarios,
)
from devstack.tenant import CONTACT, MELDINGEN, Stuck
from meldkamer.intake.catalog import catalog

ROOT = Path(__file__).resolve().parents[2]
RESPONSES = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))["responses"]
SAY = catalog("nl")


def ask(response: str) -> list[dict[str, Any]]:
    """The bot's Dutch question ``response`` (domain.yml), with its buttons."""
    first = RESPONSES[response][0]
    return [{"text": first["text"], "buttons": first.get("buttons") or []}]


def persona(kind: str) -> Persona:
    return next(p for p in PERSONAS if p.kind == kind)


def tenant(kind: str, answers: dict[str, Any] | None = None) -> ScenarioTenant:
    return ScenarioTenant(
        Scenario("cv_storing", "de cv doet het niet", answers or {}, persona(kind))
    )


def test_name_and_phone_in_one_message_then_the_name_alone_when_asked_again() -> None:
    t = tenant("naam_telefoon")
    assert t.answer(ask("utter_ask_naam")) == f"{CONTACT['naam']}, {CONTACT['telefoon']}"
    again = [{"text": "Een naam bevat geen cijfers."}, {"text": SAY("ongeldig_naam")}]
    assert t.answer(again) == CONTACT["naam"]
    assert t.answer(ask("utter_ask_telefoon")) == CONTACT["telefoon"]


def test_other_tenants_give_the_name_alone() -> None:
    assert tenant("postcode").answer(ask("utter_ask_naam")) == CONTACT["naam"]


def test_the_street_first_and_the_postcode_when_the_bot_asks_again() -> None:
    t = tenant("straat")
    assert t.answer(ask("utter_ask_adres")) == STREET
    assert t.answer([{"text": SAY("straat_niet_gevonden", adres=STREET)}]) == CONTACT["adres"]
    assert t.answer(ask("utter_ask_adres")) == CONTACT["adres"]


def test_the_email_question_is_not_read_as_the_address_question() -> None:
    """'e-mailadres' holds 'adres': the e-mail rule comes first."""
    assert tenant("postcode").answer(ask("utter_ask_email")) == "geen"


def test_two_mistyped_emails_then_the_right_one() -> None:
    t = tenant("email")
    typed = [t.answer(ask("utter_ask_email"))]
    typed.append(t.answer([{"text": SAY("email_ongeldig")}, *ask("utter_ask_email")]))
    typed.append(t.answer([{"text": SAY("email_ongeldig")}]))
    assert [("@" in e and "." in e.split("@")[1] and "," not in e) for e in typed] == [
        False,
        False,
        True,
    ]


def test_the_summary_is_confirmed_with_its_button_although_it_names_phone_and_email() -> None:
    summary = "\n".join(
        [SAY("genoteerd"), f"• {SAY('telefoon')}: 06 12345678", f"• {SAY('email')}: geen"]
    )
    replies = [
        {
            "text": f"{summary}\n{SAY('klopt_dit')}",
            "buttons": [{"title": "Ja", "payload": "/affirm"}],
        }
    ]
    assert tenant("postcode").answer(replies) == "/affirm"


def test_triage_buttons_give_the_scenarios_answer_or_weet_ik_niet() -> None:
    buttons = [
        {"title": "Ja", "payload": '/inform{"geen_warm_water": true}'},
        {"title": "Nee", "payload": '/inform{"geen_warm_water": false}'},
    ]
    question = [{"text": "Heeft u ook geen warm water?", "buttons": buttons}]
    assert tenant("postcode", {"geen_warm_water": False}).answer(question) == buttons[1]["payload"]
    with pytest.raises(Stuck):
        tenant("postcode").answer(question)
    dunno = {"title": SAY("weet_niet"), "payload": "/weet_niet"}
    question[0]["buttons"] = [*buttons, dunno]
    assert tenant("postcode").answer(question) == dunno["payload"]


def test_offered_topics_the_tenant_taps_its_own() -> None:
    assert tenant("postcode").answer(ask("utter_vraag_probleem")) == "/melding_cv_storing"


def test_something_the_tenant_cannot_answer_is_stuck() -> None:
    with pytest.raises(Stuck):
        tenant("postcode").answer([{"text": "Hoeveel kamers heeft de woning?"}])


def test_the_scenario_set_is_every_topic_with_every_persona() -> None:
    found = scenarios()
    assert len(found) == len(MELDINGEN) * len(PERSONAS)
    assert len({s.name for s in found}) == len(found)
    told_first = {s.first for s in found if not s.persona.alles_vooraf}
    assert told_first == {first for first, _ in MELDINGEN}
