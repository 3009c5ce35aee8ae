"""The melding form: triage questions the matrix still needs, then contact details."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import runtime
from actions.state import (
    NO_EMAIL,
    UNCLEAR,
    facts,
    is_interruption,
    latest_text,
    slot_asked,
    unknown_facts,
)
from meldkamer.intake.fields import CHECKS, UNKNOWN, check
from meldkamer.intake.texts import ADDRESS_NOT_SERVED, DONT_KNOW, NOT_UNDERSTOOD_ANSWER
from meldkamer.intake.validation import Invalid, parse_address
from meldkamer.triage.answers import facts_from_text, is_unknown, parse_answer

#: The address comes first: it tells which client (and so which protocol, office hours
#: and heating season) the triage questions follow.
ADDRESS_SLOT = "adres"
CONTACT_SLOTS = list(CHECKS)
_YES_NO_INTENTS = {"affirm": True, "deny": False}
Extract = Callable[..., Awaitable[dict[str, Any]]]
Validate = Callable[..., dict[str, Any]]


def next_triage_question(tracker: Tracker) -> str | None:
    """The fact the matrix still needs for this melding, if any."""
    topic = tracker.get_slot("topic")
    if not topic:
        return None
    rt = runtime()
    return rt.engine.next_question(
        topic,
        facts(tracker),
        rt.clock(),
        rt.settings_for(tracker.get_slot("opdrachtgever")),
        skip=unknown_facts(tracker),
    )


def _asked(tracker: Tracker, slot: str) -> bool:
    return slot_asked(tracker) == slot and not is_interruption(tracker)


class ValidateMeldingForm(FormValidationAction):
    """Decides what the form asks next, and reads and checks every answer."""

    def name(self) -> str:
        return "validate_melding_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        triage = ["triage_antwoord"] if next_triage_question(tracker) else []
        return [ADDRESS_SLOT, *triage, *CONTACT_SLOTS]

    # Extraction: each slot reads the latest message only when it was the one asked.

    async def extract_triage_antwoord(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        fact_name = tracker.get_slot("triage_vraag")
        if not _asked(tracker, "triage_antwoord") or not fact_name:
            return {}
        fact = runtime().engine.table.facts[fact_name]
        # A button carries the contract's fact and value: /inform{"leiding_afsluitbaar": false}
        for entity in tracker.latest_message.get("entities") or []:
            if entity.get("entity") == fact_name and entity.get("value") in fact.values:
                return {"triage_antwoord": entity["value"]}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = latest_text(tracker)
        if intent == "weet_niet" or is_unknown(text):
            return {"triage_antwoord": UNKNOWN}
        value = parse_answer(fact, text, _YES_NO_INTENTS.get(str(intent)))
        return {"triage_antwoord": UNCLEAR if value is None else value}

    async def extract_adres(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return {"adres": latest_text(tracker)} if _asked(tracker, "adres") else {}

    # Validation: a refused value is set back to None, so the form asks again.

    def validate_triage_antwoord(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        fact_name = tracker.get_slot("triage_vraag")
        if value is None:
            # Rasa may validate a slot again after it was reset; nothing new was said.
            return {}
        if value == UNCLEAR or not fact_name:
            dispatcher.utter_message(text=NOT_UNDERSTOOD_ANSWER)
            return {"triage_antwoord": None}
        rt = runtime()
        known, unknown = facts(tracker), unknown_facts(tracker)
        if value == UNKNOWN:
            unknown.append(fact_name)
        else:
            known[fact_name] = value
        # A free-text answer may settle more than the question ("nee, hij spuit en ik krijg hem niet dicht").
        topic = rt.engine.table.topic(tracker.get_slot("topic"))
        for name, extra in facts_from_text(rt.engine.table, topic, latest_text(tracker)).items():
            if name not in known and name not in unknown:
                known[name] = extra
        return {"triage_antwoord": None, "feiten": known, "onbekende_feiten": unknown}

    def validate_adres(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        address = parse_address(str(value))
        if isinstance(address, Invalid):
            dispatcher.utter_message(text=address.message)
            return {"adres": None}
        slots: dict[str, Any] = {
            "adres": str(address),
            "postcode": address.postcode,
            "huisnummer": address.huisnummer,
            "huisnummer_toevoeging": address.toevoeging,
        }
        found = runtime().registry().find_by_address(address.postcode, address.huisnummer)
        if found:
            client, complex_ = found
            slots.update(opdrachtgever=client.id, complex=complex_.id)
        elif not tracker.get_slot("opdrachtgever"):
            # Never a dead end: the melding is still taken, a person calls back.
            dispatcher.utter_message(text=ADDRESS_NOT_SERVED)
            slots.update(complex=None)
        return slots


def _extractor(slot: str) -> Extract:
    async def extract(
        self: ValidateMeldingForm,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        return {slot: latest_text(tracker)} if _asked(tracker, slot) else {}

    return extract


def _validator(slot: str) -> Validate:
    def validate(
        self: ValidateMeldingForm,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        checked = check(slot, str(value))
        if isinstance(checked, Invalid):
            dispatcher.utter_message(text=checked.message)
            return {slot: None}
        # Only the e-mail may be absent: a marker for it, so the form does not ask again.
        return {slot: NO_EMAIL if checked is None else checked}

    return validate


# The contact slots read and check their answer alike, with the checks every way in
# shares (meldkamer.intake.fields): extract_<slot> and validate_<slot>, as rasa_sdk finds them.
for _slot in CONTACT_SLOTS:
    setattr(ValidateMeldingForm, f"extract_{_slot}", _extractor(_slot))
    setattr(ValidateMeldingForm, f"validate_{_slot}", _validator(_slot))


class ActionAskTriageAntwoord(Action):
    """Ask the next triage question, with buttons whose payloads carry the contract."""

    def name(self) -> str:
        return "action_ask_triage_antwoord"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        fact_name = next_triage_question(tracker)
        if fact_name is None:
            return []
        fact = runtime().engine.table.facts[fact_name]
        buttons = [
            {"title": option.label, "payload": "/inform" + json.dumps({fact_name: option.value})}
            for option in fact.options
        ]
        buttons.append({"title": DONT_KNOW, "payload": "/weet_niet"})
        dispatcher.utter_message(text=fact.question, buttons=buttons)
        return [SlotSet("triage_vraag", fact_name)]
