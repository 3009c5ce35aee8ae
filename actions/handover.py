"""Handing the conversation to a person of the meldkamer, and taking it back.

The bot pauses (Rasa's ``ConversationPaused``): it stays silent while an agent writes
from the console. When no agent is available the tenant is told a person will call
back, once the phone number is known (``terugbel_form`` asks it first), and the bot
stays on so the melding can still be completed. What the bot collected goes with the
handover: a complete melding as a ticket, an incomplete one as the queued draft.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ConversationPaused, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.form import SAFETY_RESPONSES
from actions.runtime import runtime
from actions.state import (
    facts,
    is_interruption,
    language,
    latest_text,
    melding_from,
    slot_asked,
)
from meldkamer.handover.summary import HandoverSummary
from meldkamer.handover.texts import handover_texts
from meldkamer.intake.catalog import catalog
from meldkamer.intake.fields import UNKNOWN, check
from meldkamer.intake.melding import Melding
from meldkamer.intake.person import asks_for_person
from meldkamer.intake.validation import Invalid
from meldkamer.service.handover import HandoverRequest, with_outcome
from meldkamer.service.handover import hand_over as hand_over_case

logger = logging.getLogger(__name__)

ASKED_FOR_PERSON = "Huurder vraagt om een medewerker"
#: The form that asks the call-back number before a call back is promised.
CALLBACK_FORM = "terugbel_form"
#: A safety topic this likely in a request for a person gets its instructions first.
SAFETY_HINT = 0.25


def summary_of(tracker: Tracker) -> HandoverSummary:
    """What the bot knows, for the agent's queue (the use case adds the outcome)."""
    return HandoverSummary(
        topic=tracker.get_slot("topic"),
        facts=facts(tracker),
        unknown_facts=tuple(tracker.get_slot("onbekende_feiten") or ()),
        address=tracker.get_slot("adres"),
        name=tracker.get_slot("naam"),
        phone=tracker.get_slot("telefoon"),
        email=tracker.get_slot("email"),
        description=tracker.get_slot("beschrijving"),
        photos=tuple(tracker.get_slot("fotos") or ()),
        ticket=tracker.get_slot("ticket_nummer"),
        client_id=tracker.get_slot("opdrachtgever"),
        language=language(tracker),
    )


def _complete(tracker: Tracker) -> Melding | None:
    """The melding when the bot has all a ticket needs (registered at the handover)."""
    try:
        return melding_from(tracker)
    except (KeyError, ValueError):
        return None


def hand_over(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    reason: str,
    ticket_number: str | None = None,
) -> list[EventType]:
    """Queue the conversation for an agent and tell the tenant what happens."""
    summary = summary_of(tracker)
    if ticket_number:
        summary = replace(summary, ticket=ticket_number)
    result = hand_over_case(
        runtime(),
        HandoverRequest(
            conversation_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or UNKNOWN,
            reason=reason,
            summary=summary,
            melding=None if summary.ticket else _complete(tracker),
            photos=tuple(tracker.get_slot("fotos") or ()),
        ),
    )
    if result.needs_phone:
        # The form asks the number (action_ask_terugbel_form_telefoon); the reason waits.
        return [SlotSet("overdracht_reden", reason), FollowupAction(CALLBACK_FORM)]
    dispatcher.utter_message(text=result.message)
    events: list[EventType] = []
    if result.ticket_number and not summary.ticket:
        events.append(SlotSet("ticket_nummer", result.ticket_number))
    return [*events, ConversationPaused()] if result.agent_available else events


def _safety_first(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Gas or fire mentioned with the request for a person: the instructions come first."""
    if tracker.get_slot("topic"):
        return  # a melding under way had its instructions at the start
    table = runtime().engine.table
    for ranked in tracker.latest_message.get("intent_ranking") or []:
        code = str(ranked.get("name") or "").removeprefix("melding_")
        if code in table.topics and float(ranked.get("confidence") or 0) >= SAFETY_HINT:
            safety = table.topic(code).safety
            if safety in SAFETY_RESPONSES:
                dispatcher.utter_message(response=SAFETY_RESPONSES[safety])
                return


class ActionVraagMedewerker(Action):
    """The tenant asks for a person."""

    def name(self) -> str:
        return "action_vraag_medewerker"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        _safety_first(dispatcher, tracker)
        return hand_over(dispatcher, tracker, ASKED_FOR_PERSON)


class ActionMedewerkerInBericht(Action):
    """A melding's first message that also asks for a person ("... en wil iemand spreken").

    Runs after ``action_start_melding``, so the safety instructions and the topic come
    first; then the handover, as if the tenant had typed "medewerker".
    """

    def name(self) -> str:
        return "action_medewerker_in_bericht"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not asks_for_person(latest_text(tracker)):
            return []
        return hand_over(dispatcher, tracker, ASKED_FOR_PERSON)


class ActionAskTerugbelFormTelefoon(Action):
    """The call-back number, asked before any call back is promised (acuut: 112 first)."""

    def name(self) -> str:
        return "action_ask_terugbel_form_telefoon"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        summary = with_outcome(runtime(), summary_of(tracker))
        texts = handover_texts(summary.language)
        dispatcher.utter_message(text=texts.ask_number(acute=summary.urgency == "acuut"))
        return []


class ValidateTerugbelForm(FormValidationAction):
    """Reads and checks the call-back number with the contact fields' own check."""

    def name(self) -> str:
        return "validate_terugbel_form"

    async def extract_telefoon(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if slot_asked(tracker) != "telefoon" or is_interruption(tracker):
            return {}
        return {"telefoon": latest_text(tracker)}

    def validate_telefoon(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        checked = check("telefoon", str(value))
        if isinstance(checked, Invalid):
            dispatcher.utter_message(text=checked.in_language(language(tracker)))
            return {"telefoon": None}
        return {"telefoon": checked}


class ActionTerugbellen(Action):
    """The number is known: queue the call back with it, then go on with the melding."""

    def name(self) -> str:
        return "action_terugbellen"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reason = tracker.get_slot("overdracht_reden") or ASKED_FOR_PERSON
        events = [SlotSet("overdracht_reden", None), *hand_over(dispatcher, tracker, reason)]
        if any(isinstance(e, dict) and e.get("event") == "pause" for e in events):
            return events
        if tracker.get_slot("topic") and not tracker.get_slot("ticket_nummer"):
            events.append(FollowupAction("melding_form"))  # the melding goes on, phone known
        return events


class ActionHervat(Action):
    """The agent handed the conversation back: the bot picks up where it was.

    What the agent filled in or corrected is in the slots already (the console sets
    them), so nothing is asked again: an open form asks its next empty slot, a melding
    begun but not in the form (handed over at its first message) goes into the form,
    and a melding waiting for confirmation shows its summary again.
    """

    def name(self) -> str:
        return "action_hervat"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=catalog(language(tracker))("terug_bij_bot"))
        if tracker.active_loop.get("name"):
            return []  # the rule runs the form next, which asks its next question
        if tracker.get_slot("wacht_op_bevestiging"):
            return [FollowupAction("action_bevestig_melding")]
        if tracker.get_slot("topic") and not tracker.get_slot("ticket_nummer"):
            return [FollowupAction("melding_form")]
        dispatcher.utter_message(text=catalog(language(tracker))("nog_iets"))
        return []
