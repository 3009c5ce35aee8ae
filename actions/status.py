"""The status lookup and "nog niet opgelost" in the conversation: adapters to the core.

The proof is checked by :func:`meldkamer.service.status_lookup.look_up` as soon as the
ticket number and the address are both known; on WhatsApp and Telegram the form asks
nothing (the sender is the proof) and :class:`ActionStatusMelding` looks up at once.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handover import hand_over
from actions.runtime import runtime
from actions.state import is_interruption, latest_text, slot_asked
from meldkamer.intake.fields import UNKNOWN
from meldkamer.intake.validation import Address, parse_address
from meldkamer.service.not_solved import report_not_solved
from meldkamer.service.status_lookup import (
    HANDOVER_REASON,
    SENDER_CHANNELS,
    Asker,
    Found,
    Proof,
    StatusAnswer,
    asker_for,
    find_number,
    look_up,
    without_number,
)

NUMBER, ADDRESS, OUTCOME = "status_nummer", "status_adres", "status_uitkomst"
#: The number slot when the tenant's answer had no ticket number in it.
NOT_READ = "__geen_nummer__"
NO_NUMBER = (
    "Ik zie geen meldingsnummer. Het begint met MK, bijvoorbeeld MK-2026-000123. "
    "Weet u het nummer niet? Typ 'medewerker'."
)
#: A new melding during the lookup is no answer: the melding's rules take over.
MELDING_PREFIX = "melding_"


def asker(tracker: Tracker) -> Asker:
    """Who asks: the conversation and its channel."""
    return asker_for(tracker.sender_id, tracker.get_latest_input_channel() or UNKNOWN)


def _something_else(tracker: Tracker) -> bool:
    intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
    return is_interruption(tracker) or intent.startswith(MELDING_PREFIX)


def _address(text: str) -> Address | None:
    found = parse_address(without_number(text))
    return found if isinstance(found, Address) else None


def extracting(tracker: Tracker) -> bool:
    """Whether Rasa runs this validation in its slot extraction, right after the message.

    Rasa (3.6) runs a form's validation twice a turn: first within ``action_extract_slots``,
    whose bot messages it drops, then within the form itself. The lookup says something
    and logs a contact, so it waits for the second run; the first comes while the tenant's
    message is still the tracker's last event but for the slots being extracted.
    """
    last: dict[str, Any] = next(
        (e for e in reversed(tracker.events) if e.get("event") != "slot"), {}
    )
    return last.get("event") == "user"


def _tell(dispatcher: CollectingDispatcher, answer: StatusAnswer) -> None:
    if answer.message:
        dispatcher.utter_message(text=answer.message)


class ValidateStatusForm(FormValidationAction):
    """Reads the ticket number and address, and checks the proof once both are there."""

    def name(self) -> str:
        return "validate_status_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        return [] if asker(tracker).channel in SENDER_CHANNELS else [NUMBER, ADDRESS]

    async def extract_status_nummer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if _something_else(tracker) or tracker.get_slot(NUMBER):
            return {}
        number = find_number(latest_text(tracker))
        if number:
            return {NUMBER: number}
        return {NUMBER: NOT_READ} if slot_asked(tracker) == NUMBER else {}

    async def extract_status_adres(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if _something_else(tracker) or tracker.get_slot(ADDRESS):
            return {}
        if slot_asked(tracker) == ADDRESS:
            return {ADDRESS: latest_text(tracker)}
        # Given along with the question or the number: taken when it reads as an address.
        return {ADDRESS: latest_text(tracker)} if _address(latest_text(tracker)) else {}

    def validate_status_nummer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value == NOT_READ:
            dispatcher.utter_message(text=NO_NUMBER)
            return {NUMBER: None}
        return {NUMBER: value}

    def validate_status_adres(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        found = parse_address(without_number(str(value or "")))
        if not isinstance(found, Address):
            dispatcher.utter_message(text=found.message)
            return {ADDRESS: None}
        return {ADDRESS: str(found)}

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events: list[EventType] = await super().get_validation_events(dispatcher, tracker, domain)
        number, address = tracker.slots.get(NUMBER), tracker.slots.get(ADDRESS)
        if not number or not address or tracker.slots.get(OUTCOME) or extracting(tracker):
            return events
        answer = look_up(runtime(), asker(tracker), Proof(number, _address(address)))
        _tell(dispatcher, answer)
        if answer.found is Found.WRONG:
            # Asked again from the number on: nothing tells which of the two was wrong.
            return [*events, SlotSet(NUMBER, None), SlotSet(ADDRESS, None)]
        return [*events, SlotSet(OUTCOME, answer.found.value)]


class ActionStatusMelding(Action):
    """After the lookup: a person takes over after too many wrong proofs; slots cleared."""

    def name(self) -> str:
        return "action_status_melding"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        outcome = tracker.get_slot(OUTCOME)
        if outcome is None and asker(tracker).channel in SENDER_CHANNELS:
            answer = look_up(runtime(), asker(tracker), Proof(find_number(latest_text(tracker))))
            _tell(dispatcher, answer)
            outcome = answer.found.value
        events: list[EventType] = [SlotSet(NUMBER, None), SlotSet(ADDRESS, None)]
        events.append(SlotSet(OUTCOME, None))
        if outcome == Found.TO_PERSON.value:
            events += hand_over(dispatcher, tracker, HANDOVER_REASON)
        return events


class ActionNietOpgelost(Action):
    """The tenant answers the done message: the melding goes on (see the core)."""

    def name(self) -> str:
        return "action_niet_opgelost"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        answer = report_not_solved(runtime(), asker(tracker))
        dispatcher.utter_message(text=answer.message)
        return []
