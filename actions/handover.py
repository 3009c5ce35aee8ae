"""Handing the conversation to a person of the meldkamer, and taking it back.

The bot pauses (Rasa's ``ConversationPaused``): it stays silent while an agent writes
from the console. When no agent is available the tenant is told a person will call
back, and the bot stays on so the melding can still be completed.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import runtime
from actions.state import facts
from meldkamer.handover.summary import HandoverSummary
from meldkamer.intake.fields import UNKNOWN
from meldkamer.intake.texts import ANYTHING_ELSE, BACK_TO_BOT
from meldkamer.service.handover import HandoverRequest
from meldkamer.service.handover import hand_over as hand_over_case

logger = logging.getLogger(__name__)


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
    )


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
        ),
    )
    dispatcher.utter_message(text=result.message)
    return [ConversationPaused()] if result.agent_available else []


class ActionVraagMedewerker(Action):
    """The tenant asks for a person."""

    def name(self) -> str:
        return "action_vraag_medewerker"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return hand_over(dispatcher, tracker, "Huurder vraagt om een medewerker")


class ActionHervat(Action):
    """The agent handed the conversation back: the bot picks up where it was."""

    def name(self) -> str:
        return "action_hervat"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=BACK_TO_BOT)
        if tracker.active_loop.get("name"):
            return []  # the rule runs the form next, which asks its question again
        if tracker.get_slot("wacht_op_bevestiging"):
            return [FollowupAction("action_bevestig_melding")]
        dispatcher.utter_message(text=ANYTHING_ELSE)
        return []
