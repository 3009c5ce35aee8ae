"""Handing the conversation to a person of the meldkamer, and taking it back.

The bot pauses (Rasa's ``ConversationPaused``): it stays silent while an agent writes
from the console. When no agent is available the tenant is told a person will call
back, and the bot stays on so the melding can still be completed.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.runtime import runtime
from actions.state import facts
from meldkamer.handover.service import availability, request_handover
from meldkamer.intake.validation import format_phone
from meldkamer.tickets import flag_attention, get_ticket

logger = logging.getLogger(__name__)

#: When even the handover cannot be stored, this is what the tenant can still do.
FALLBACK = "Bel de meldkamer: 088-3746100 (dag en nacht). Bij gevaar: bel 112."


def summary_of(tracker: Tracker) -> dict[str, Any]:
    """What the bot knows, for the agent's queue, with the outcome as far as known."""
    rt = runtime()
    topic = tracker.get_slot("topic")
    outcome: dict[str, Any] = {}
    if topic:
        settings = rt.settings_for(tracker.get_slot("opdrachtgever"))
        outcome = rt.engine.evaluate(topic, facts(tracker), rt.clock(), settings).to_dict()
    return {
        "topic": tracker.get_slot("topic"),
        "facts": facts(tracker),
        "unknown_facts": tracker.get_slot("onbekende_feiten") or [],
        "outcome": outcome,
        "adres": tracker.get_slot("adres"),
        "naam": tracker.get_slot("naam"),
        "telefoon": tracker.get_slot("telefoon"),
        "email": tracker.get_slot("email"),
        "beschrijving": tracker.get_slot("beschrijving"),
        "fotos": tracker.get_slot("fotos") or [],
        "ticket": tracker.get_slot("ticket_nummer"),
        "opdrachtgever": tracker.get_slot("opdrachtgever"),
    }


def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> list[EventType]:
    """Queue the conversation for an agent and tell the tenant what happens."""
    rt = runtime()
    now = rt.clock()
    phone = tracker.get_slot("telefoon")
    try:
        with rt.sessions.begin() as session:
            available = availability(session, now)
            number = tracker.get_slot("ticket_nummer")
            ticket = get_ticket(session, number) if number else None
            request_handover(
                session,
                conversation_id=tracker.sender_id,
                channel=tracker.get_latest_input_channel() or "onbekend",
                reason=reason,
                summary=summary_of(tracker),
                now=now,
                client_id=tracker.get_slot("opdrachtgever"),
                ticket_id=ticket.id if ticket else None,
                callback=not available.available,
            )
            if ticket is not None and not available.available:
                flag_attention(session, ticket, "Terugbellen: huurder vroeg om een medewerker", now)
    except SQLAlchemyError:
        logger.exception("could not queue a handover for %s", tracker.sender_id)
        dispatcher.utter_message(text=f"Het doorverbinden lukt nu niet. {FALLBACK}")
        return []
    dispatcher.utter_message(text=available.tenant_message(format_phone(phone) if phone else None))
    return [ConversationPaused()] if available.available else []


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
        dispatcher.utter_message(text="U praat weer met de digitale assistent.")
        if tracker.active_loop.get("name"):
            return []  # the rule runs the form next, which asks its question again
        if tracker.get_slot("wacht_op_bevestiging"):
            return [FollowupAction("action_bevestig_melding")]
        dispatcher.utter_message(
            text="Kan ik u nog ergens mee helpen? Beschrijf het probleem in een paar woorden."
        )
        return []
