"""Turns outside a melding: not understood, the language, asking for a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.form import answered_digression
from actions.handover import hand_over
from actions.melding import utter_in
from actions.state import language, latest_text
from meldkamer.intake.catalog import catalog
from meldkamer.intake.language import detect_language, english_emergency
from meldkamer.intake.validation import has_words

#: After this many misunderstandings in a row the bot offers a person.
MAX_MISUNDERSTOOD = 2


class ActionNietBegrepen(Action):
    """Fallback: say what was wrong with the message and, the second time, offer a person."""

    def name(self) -> str:
        return "action_niet_begrepen"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker)
        # A question of vragen.yml outside the form (at the summary: "wie betaalt dit?") is
        # understood: the answer, and the question the bot asked before still stands.
        if has_words(text) and answered_digression(dispatcher, tracker):
            return [SlotSet("niet_begrepen", 0)]
        count = int(tracker.get_slot("niet_begrepen") or 0) + 1
        switch: list[EventType] = []
        if not text.strip():
            dispatcher.utter_message(response="utter_leeg")
        elif not has_words(text):
            dispatcher.utter_message(text=catalog(language(tracker))("alleen_tekens"))
        else:
            # An English message nobody understood is answered in English from now on.
            before = language(tracker)
            taal = detect_language(text) or before
            if taal != before:
                switch.append(SlotSet("taal", taal))
            utter_in(dispatcher, "utter_niet_begrepen", taal, switched=bool(switch))
        if count >= MAX_MISUNDERSTOOD:
            # Twice in a row not understood: a person takes over.
            return [
                *switch,
                SlotSet("niet_begrepen", 0),
                *hand_over(dispatcher, tracker, "Bot begreep de huurder twee keer niet"),
            ]
        return [*switch, SlotSet("niet_begrepen", count)]


class ActionEnglish(Action):
    """The tenant chose English: the intake goes on in it (the slot is set from the intent).

    Gas and fire in the same message still get their safety instructions first; outside a
    melding the bot asks what is wrong, during one the form asks its question again.
    """

    def name(self) -> str:
        return "action_english"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        emergency = english_emergency(latest_text(tracker))
        if emergency == "gaslek":
            dispatcher.utter_message(response="utter_veiligheid_gas")
        elif emergency == "brand":
            dispatcher.utter_message(response="utter_veiligheid_brand")
        return switched_to(dispatcher, tracker, "en", "utter_english")


class ActionNederlands(Action):
    """The tenant chose Dutch ("Nederlands"): the intake goes on in it."""

    def name(self) -> str:
        return "action_nederlands"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return switched_to(dispatcher, tracker, "nl", "utter_nederlands")


def switched_to(
    dispatcher: CollectingDispatcher, tracker: Tracker, taal: str, response: str
) -> list[EventType]:
    """Say the language is switched and, outside a melding, ask what is wrong."""
    dispatcher.utter_message(response=response)
    if not tracker.active_loop.get("name"):
        dispatcher.utter_message(response="utter_vraag_probleem")
    # Normally set from the intent already (domain.yml); a button may send it alone.
    return [SlotSet("taal", taal)]
