"""The summary, the tenant's confirmation or correction, and the ticket at the end."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handover import hand_over
from actions.runtime import runtime
from actions.state import facts, language, latest_text, melding_from, unknown_facts
from meldkamer.intake.catalog import catalog
from meldkamer.intake.corrections import parse_correction
from meldkamer.intake.street_address import UNLISTED_REASON
from meldkamer.intake.texts import CORRECTABLE, correctable, summary
from meldkamer.intake.validation import Address
from meldkamer.service.confirm import Stored, confirm_melding
from meldkamer.service.registration import Origin

logger = logging.getLogger(__name__)

#: What the tenant can change after the summary; "antwoorden" are the triage answers.
FIELDS = CORRECTABLE


def _confirm_buttons(tracker: Tracker) -> list[dict[str, str]]:
    say = catalog(language(tracker))
    return [
        {"title": say("ja_klopt"), "payload": "/affirm"},
        {"title": say("nee_aanpassen"), "payload": "/deny"},
    ]


def _field_buttons(tracker: Tracker) -> list[dict[str, str]]:
    labels = correctable(language(tracker))
    return [{"title": t, "payload": f'/wijzig{{"veld": "{k}"}}'} for k, t in labels.items()]


def _show_summary(
    dispatcher: CollectingDispatcher, tracker: Tracker, changes: dict[str, Any] | None = None
) -> None:
    slots = {k: tracker.get_slot(k) for k in ("adres", "naam", "telefoon", "email", "beschrijving")}
    slots.update({k: v for k, v in (changes or {}).items() if k in slots})
    table, topic = runtime().engine.table, tracker.get_slot("topic")
    text = summary(table, topic, facts(tracker), slots, unknown_facts(tracker), language(tracker))
    dispatcher.utter_message(text=text, buttons=_confirm_buttons(tracker))


class ActionBevestigMelding(Action):
    """Show what was understood and ask the tenant to confirm."""

    def name(self) -> str:
        return "action_bevestig_melding"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        _show_summary(dispatcher, tracker)
        return [SlotSet("wacht_op_bevestiging", True)]


class ActionVerwerkAntwoord(Action):
    """A yes, no or correction outside a question: confirmation of the summary, or none asked."""

    def name(self) -> str:
        return "action_verwerk_antwoord"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not tracker.get_slot("wacht_op_bevestiging"):
            dispatcher.utter_message(response="utter_geen_vraag")
            return []
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        correction = parse_correction(latest_text(tracker))
        if intent == "affirm" and not correction.changes:
            return _register(dispatcher, tracker)
        for problem in correction.problems:
            dispatcher.utter_message(text=problem)
        if correction.changes:
            events = _apply(correction.changes, tracker)
            _show_summary(dispatcher, tracker, {e["name"]: e["value"] for e in events})
            return events
        if not correction.problems:
            say = catalog(language(tracker))
            dispatcher.utter_message(text=say("wat_klopt_niet"), buttons=_field_buttons(tracker))
        return []


class ActionWijzigVeld(Action):
    """Clear the chosen field so the form asks it again."""

    def name(self) -> str:
        return "action_wijzig_veld"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        field = next(tracker.get_latest_entity_values("veld"), None)
        if field not in FIELDS:
            say = catalog(language(tracker))
            dispatcher.utter_message(text=say("welk_onderdeel"), buttons=_field_buttons(tracker))
            return []
        events: list[EventType] = [SlotSet("wacht_op_bevestiging", False)]
        if field == "onderwerp":
            # A wrongly recognised topic: the tenant picks it; contact details are kept.
            dispatcher.utter_message(response="utter_vraag_probleem")
            return [*events, FollowupAction("action_listen")]
        if field == "antwoorden":
            events += [
                SlotSet("feiten", {}),
                SlotSet("onbekende_feiten", []),
                SlotSet("triage_antwoord", None),
            ]
        else:
            events.append(SlotSet(field, None))
        return events


def _apply(changes: dict[str, Any], tracker: Tracker) -> list[EventType]:
    """Slot events for corrected details; a new house number or postcode rebuilds the address."""
    events = [SlotSet(k, v) for k, v in changes.items() if k in ("naam", "telefoon", "email")]
    if {"postcode", "huisnummer"} & changes.keys():
        address = Address(
            postcode=changes.get("postcode") or tracker.get_slot("postcode"),
            huisnummer=int(changes.get("huisnummer") or tracker.get_slot("huisnummer")),
            toevoeging=changes["huisnummer_toevoeging"]
            if "huisnummer" in changes
            else tracker.get_slot("huisnummer_toevoeging"),
        )
        events += [
            SlotSet("postcode", address.postcode),
            SlotSet("huisnummer", address.huisnummer),
            SlotSet("huisnummer_toevoeging", address.toevoeging),
            SlotSet("adres", str(address)),
        ]
    return events


def _register(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    try:
        melding = melding_from(tracker)
    except KeyError as missing:
        if missing.args[0] == "postcode" and tracker.get_slot("adres"):
            # An address in no list and no postcode: no ticket yet, a person completes it.
            done = SlotSet("wacht_op_bevestiging", False)
            return [done, *hand_over(dispatcher, tracker, UNLISTED_REASON)]
        logger.error("melding incomplete at confirmation: %s", missing)
        dispatcher.utter_message(text=catalog(language(tracker))("gegeven_mist"))
        return [SlotSet("wacht_op_bevestiging", False), SlotSet(str(missing.args[0]), None)]
    photos = list(tracker.get_slot("fotos") or [])
    result = confirm_melding(runtime(), melding, photos=photos, origin=Origin.chat())
    dispatcher.utter_message(text=result.message)
    if result.stored is not Stored.REGISTERED:
        # Still waiting for the confirmation: a new 'ja' gives the ticket number once the
        # database is back (the spooled melding is registered first, so still one ticket).
        return []
    events: list[EventType] = [
        SlotSet("ticket_nummer", result.ticket_number),
        SlotSet("wacht_op_bevestiging", False),
        SlotSet("fotos", None),
    ]
    if result.handover_reason:
        events += hand_over(dispatcher, tracker, result.handover_reason, result.ticket_number)
    return events
