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
    language,
    latest_text,
    slot_asked,
    unknown_facts,
)
from meldkamer.clients.streets import Ask, resolve_address
from meldkamer.intake.catalog import Catalog, catalog
from meldkamer.intake.corrections import name_and_phone
from meldkamer.intake.digressions import Digressions, digressions_for, with_client
from meldkamer.intake.fields import CHECKS, UNKNOWN, check
from meldkamer.intake.street_address import Unlisted
from meldkamer.intake.validation import Invalid, normalise_email
from meldkamer.triage.answers import facts_from_text, is_unknown, parse_answer
from meldkamer.triage.table import DecisionTable
from meldkamer.triage.translation import translated_table

#: The address comes first: it tells which client (and so which protocol, office hours
#: and heating season) the triage questions follow.
ADDRESS_SLOT = "adres"
CONTACT_SLOTS = list(CHECKS)
_YES_NO_INTENTS = {"affirm": True, "deny": False}
#: The safety instructions of a topic, as the domain's responses say them.
SAFETY_RESPONSES = {"gas": "utter_veiligheid_gas", "brand": "utter_veiligheid_brand"}
#: After this many wrong e-mail addresses the optional field is skipped.
EMAIL_TRIES = 2
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


def say(tracker: Tracker) -> Catalog:
    """The texts in the tenant's language."""
    return catalog(language(tracker))


def matrix(tracker: Tracker) -> DecisionTable:
    """The urgency matrix with its questions, buttons and patterns in the tenant's language."""
    return translated_table(runtime().engine.table, language(tracker))


def _asked(tracker: Tracker, slot: str) -> bool:
    return slot_asked(tracker) == slot and not is_interruption(tracker)


def earlier_answers(tracker: Tracker, slot: str) -> list[str]:
    """What the tenant sent to ``slot``'s question before the latest message, this melding."""
    answers: list[str] = []
    requested: str | None = None
    for event in tracker.events:
        kind = event.get("event")
        if kind == "action" and event.get("name") == "action_start_melding":
            answers, requested = [], None
        elif kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif kind == "user" and requested == slot:
            answers.append(str(event.get("text") or ""))
    # The latest message is the one being validated now.
    return answers[:-1] if answers and answers[-1] == latest_text(tracker) else answers


def digressions(tracker: Tracker) -> Digressions:
    """The questions in the tenant's language; the client's first once the address named it."""
    general = digressions_for(language(tracker))
    client = runtime().client(tracker.get_slot("opdrachtgever"))
    return with_client(general, client.questions_for(language(tracker))) if client else general


def answered_digression(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Answer a question asked in the middle of the form ("wie betaalt dit?"), if it is one.

    The caller then clears its slot, so the form asks its own question again.
    """
    rt = runtime()
    code = tracker.get_slot("topic")
    topic = rt.engine.table.topics.get(code) if code else None
    client = rt.client(tracker.get_slot("opdrachtgever"))
    reply = digressions(tracker).reply(
        latest_text(tracker),
        topic=code,
        safety=topic.safety if topic else None,
        notice=client.notice_for(code, language(tracker)) if client and code else None,
        channel=tracker.get_latest_input_channel() or "",
    )
    if reply is None:
        return False
    if reply.safety in SAFETY_RESPONSES:
        dispatcher.utter_message(response=SAFETY_RESPONSES[reply.safety])
    for text in reply.texts:
        dispatcher.utter_message(text=text)
    return True


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
        fact = matrix(tracker).facts[fact_name]
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
        if answered_digression(dispatcher, tracker):
            return {"triage_antwoord": None}
        if value == UNCLEAR or not fact_name:
            dispatcher.utter_message(text=say(tracker)("niet_begrepen_antwoord"))
            return {"triage_antwoord": None}
        known, unknown = facts(tracker), unknown_facts(tracker)
        if value == UNKNOWN:
            unknown.append(fact_name)
        else:
            known[fact_name] = value
        # A free-text answer may settle more than the question ("nee, hij spuit en ik krijg hem niet dicht").
        table = matrix(tracker)
        topic = table.topic(tracker.get_slot("topic"))
        for name, extra in facts_from_text(table, topic, latest_text(tracker)).items():
            if name not in known and name not in unknown:
                known[name] = extra
        return {"triage_antwoord": None, "feiten": known, "onbekende_feiten": unknown}

    def validate_adres(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if answered_digression(dispatcher, tracker):
            return {"adres": None}
        registry = runtime().registry()
        earlier = earlier_answers(tracker, ADDRESS_SLOT)
        result = resolve_address(registry, str(value), earlier, language=language(tracker))
        if isinstance(result, Ask):
            buttons = [{"title": title, "payload": payload} for title, payload in result.choices]
            dispatcher.utter_message(text=result.message, buttons=buttons)
            return {"adres": None}
        if isinstance(result, Unlisted):
            # Kept as typed, the rest is still asked; without a postcode a person completes it.
            dispatcher.utter_message(text=say(tracker)("adres_niet_bediend"))
            street = result.address
            return {
                "adres": result.label,
                "postcode": None,
                "huisnummer": street.huisnummer,
                "huisnummer_toevoeging": street.toevoeging,
                "complex": None,
            }
        address = result.address
        slots: dict[str, Any] = {
            "adres": result.label,
            "postcode": address.postcode,
            "huisnummer": address.huisnummer,
            "huisnummer_toevoeging": address.toevoeging,
        }
        if result.place:
            client, complex_ = result.place
            slots.update(opdrachtgever=client.id, complex=complex_.id)
        elif not tracker.get_slot("opdrachtgever"):
            # Never a dead end: the melding is still taken, a person calls back.
            dispatcher.utter_message(text=say(tracker)("adres_niet_bediend"))
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
        # Only the answer to this slot's own question can be a digression: a value another
        # action set this turn (the first message as description) is never re-read as one.
        if _asked(tracker, slot) and answered_digression(dispatcher, tracker):
            return {slot: None}
        both = name_and_phone(str(value)) if slot == "naam" else None
        if both:
            # "Fatima el Amrani, 06 12345678": the phone question is not asked any more.
            return {"naam": both[0], "telefoon": both[1]}
        checked = check(slot, str(value))
        if isinstance(checked, Invalid) and slot == "email":
            return _wrong_email(dispatcher, tracker)
        if isinstance(checked, Invalid):
            dispatcher.utter_message(text=checked.in_language(language(tracker)))
            return {slot: None}
        # Only the e-mail may be absent: a marker for it, so the form does not ask again.
        return {slot: NO_EMAIL if checked is None else checked}

    return validate


def _wrong_email(dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """The e-mail is optional: after the second wrong address the form goes on without."""
    questions = digressions(tracker)
    wrong = [
        text
        for text in earlier_answers(tracker, "email")
        if isinstance(normalise_email(text), Invalid) and questions.find(text) is None
    ]
    if len(wrong) + 1 >= EMAIL_TRIES:
        dispatcher.utter_message(text=say(tracker)("email_overgeslagen"))
        return {"email": NO_EMAIL}
    dispatcher.utter_message(text=say(tracker)("email_ongeldig"))
    return {"email": None}


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
        fact = matrix(tracker).facts[fact_name]
        buttons = [
            {"title": option.label, "payload": "/inform" + json.dumps({fact_name: option.value})}
            for option in fact.options
        ]
        buttons.append({"title": say(tracker)("weet_niet"), "payload": "/weet_niet"})
        dispatcher.utter_message(text=fact.question, buttons=buttons)
        return [SlotSet("triage_vraag", fact_name)]
