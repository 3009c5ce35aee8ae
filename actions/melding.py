"""Starting and stopping a melding."""

from __future__ import annotations

import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.form import SAFETY_RESPONSES
from actions.runtime import runtime
from actions.state import language, latest_text
from meldkamer.intake.channel import phone_from_sender
from meldkamer.intake.language import detect_language
from meldkamer.intake.responses import response_in
from meldkamer.intake.sender_name import name_from_channel
from meldkamer.intake.texts import helping_with
from meldkamer.intake.validation import Invalid, clean_description
from meldkamer.triage.answers import facts_from_text
from meldkamer.triage.translation import translated_table

#: A first message this long describes the problem well enough to be the description.
_DESCRIPTIVE_WORDS = 4

#: Slots of one melding; contact details are kept for a second melding in the same chat.
MELDING_SLOTS = (
    "topic",
    "melding_id",
    "feiten",
    "onbekende_feiten",
    "triage_vraag",
    "triage_antwoord",
    "beschrijving",
    "wacht_op_bevestiging",
    "ticket_nummer",
)


class ActionStartMelding(Action):
    """Recognise the topic, give safety instructions first, and take facts already said."""

    def name(self) -> str:
        return "action_start_melding"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        table = runtime().engine.table
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        code = next(tracker.get_latest_entity_values("topic"), None) or intent.removeprefix(
            "melding_"
        )
        text = latest_text(tracker)
        from_button = text.startswith("/")
        # The language is read from the first message ("chosen from the first message").
        before = language(tracker)
        taal = (None if from_button else detect_language(text)) or before
        switch = [SlotSet("taal", taal)] if taal != before else []
        if code not in table.topics:
            utter_in(dispatcher, "utter_vraag_probleem", taal, switched=bool(switch))
            # No topic yet: wait for the description instead of opening the form.
            return [*switch, FollowupAction("action_listen")]
        topic = translated_table(table, taal).topic(code)
        if topic.safety in SAFETY_RESPONSES:
            utter_in(dispatcher, SAFETY_RESPONSES[topic.safety], taal, switched=bool(switch))

        known = {} if from_button else facts_from_text(translated_table(table, taal), topic, text)
        description = None
        if not from_button and len(text.split()) >= _DESCRIPTIVE_WORDS:
            cleaned = clean_description(text)
            description = None if isinstance(cleaned, Invalid) else cleaned

        dispatcher.utter_message(text=helping_with(topic.name, taal))
        events: list[EventType] = [SlotSet(slot, None) for slot in MELDING_SLOTS]
        events += [
            *switch,
            SlotSet("topic", code),
            SlotSet("melding_id", uuid.uuid4().hex),
            SlotSet("feiten", known),
            SlotSet("onbekende_feiten", []),
            SlotSet("beschrijving", description),
            SlotSet("wacht_op_bevestiging", False),
        ]
        phone = phone_from_sender(tracker.sender_id, tracker.get_latest_input_channel())
        if phone and not tracker.get_slot("telefoon"):
            # WhatsApp and SMS: the number the tenant writes from; the summary shows it.
            events.append(SlotSet("telefoon", phone))
        naam = name_from_channel(latest_metadata(tracker).get("sender_name"))
        if naam and not tracker.get_slot("naam"):
            # WhatsApp's profile name, Telegram's name: the summary shows it to confirm.
            events.append(SlotSet("naam", naam))
        client_id = tracker.get_slot("opdrachtgever") or client_from_entry(tracker)
        if client_id:
            events.append(SlotSet("opdrachtgever", client_id))
        return events


def utter_in(
    dispatcher: CollectingDispatcher, response: str, taal: str, *, switched: bool = False
) -> None:
    """Say a domain response in the tenant's language.

    Rasa renders a response with the slots from before this action, so in the turn that
    sets the language the new language's variation (text and buttons) is sent as it is.
    """
    if switched:
        dispatcher.utter_message(**response_in(response, taal))
    else:
        dispatcher.utter_message(response=response)


def client_from_entry(tracker: Tracker) -> str | None:
    """The client whose site, WhatsApp number or Telegram bot the tenant wrote to."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            entry = (event.get("metadata") or {}).get("entry") or {}
            kind, key = entry.get("kind"), entry.get("key")
            if isinstance(kind, str) and isinstance(key, str):
                try:
                    client = runtime().registry().find_by_entry(kind, key)
                except ValueError:
                    return None
                return client.id if client else None
    return None


def latest_metadata(tracker: Tracker) -> dict[str, Any]:
    """The metadata the channel sent with the tenant's latest message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            metadata = event.get("metadata")
            return metadata if isinstance(metadata, dict) else {}
    return {}


class ActionStopMelding(Action):
    """The tenant stops: nothing is stored, the melding is forgotten."""

    def name(self) -> str:
        return "action_stop_melding"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_gestopt")
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + [
            SlotSet(slot, None) for slot in MELDING_SLOTS
        ]
