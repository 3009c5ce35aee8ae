"""The summary, the tenant's confirmation or correction, and the ticket at the end."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.handover import hand_over
from actions.runtime import runtime
from actions.state import facts, latest_text, melding_from
from meldkamer.attachments.store import link_to_ticket
from meldkamer.dispatch.service import dispatch
from meldkamer.intake.corrections import parse_correction
from meldkamer.intake.melding import register_melding
from meldkamer.intake.texts import outcome_message, summary
from meldkamer.intake.validation import Address, format_phone
from meldkamer.triage import TriageSettings

logger = logging.getLogger(__name__)

#: What the tenant can change after the summary; "antwoorden" are the triage answers.
FIELDS = {
    "onderwerp": "Soort probleem",
    "adres": "Adres",
    "naam": "Naam",
    "telefoon": "Telefoon",
    "email": "E-mail",
    "beschrijving": "Omschrijving",
    "antwoorden": "Antwoorden over het probleem",
}
_CONFIRM_BUTTONS = [
    {"title": "Ja, klopt", "payload": "/affirm"},
    {"title": "Nee, aanpassen", "payload": "/deny"},
]


def _show_summary(
    dispatcher: CollectingDispatcher, tracker: Tracker, changes: dict[str, Any] | None = None
) -> None:
    slots = {k: tracker.get_slot(k) for k in ("adres", "naam", "telefoon", "email", "beschrijving")}
    slots.update({k: v for k, v in (changes or {}).items() if k in slots})
    text = summary(runtime().engine.table, tracker.get_slot("topic"), facts(tracker), slots)
    dispatcher.utter_message(text=text, buttons=_CONFIRM_BUTTONS)


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
            dispatcher.utter_message(
                text="Wat klopt er niet? Kies hieronder, of typ de verbetering, bijvoorbeeld 'het is nummer 12'.",
                buttons=[
                    {"title": t, "payload": f'/wijzig{{"veld": "{k}"}}'} for k, t in FIELDS.items()
                ],
            )
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
            dispatcher.utter_message(
                text="Welk onderdeel wilt u aanpassen?",
                buttons=[
                    {"title": t, "payload": f'/wijzig{{"veld": "{k}"}}'} for k, t in FIELDS.items()
                ],
            )
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
    from meldkamer.intake.spool import flush_spool, spool_melding

    rt = runtime()
    try:
        # Meldingen kept during an earlier outage first (nothing to do when none wait).
        flush_spool(
            rt.sessions,
            engine=rt.engine,
            registry=rt.registry,
            dispatch_settings=rt.dispatch,
            now=rt.clock(),
        )
    except Exception:
        logger.exception("could not register the spooled meldingen")
    try:
        melding = melding_from(tracker)
    except KeyError as missing:
        logger.error("melding incomplete at confirmation: %s", missing)
        dispatcher.utter_message(text="Ik mis nog een gegeven. Ik vraag het opnieuw.")
        return [SlotSet("wacht_op_bevestiging", False), SlotSet(str(missing.args[0]), None)]
    client = rt.client(melding.client_id)
    complex_ = client.complex(melding.complex_id) if client and melding.complex_id else None
    settings = client.triage_settings(rt.engine.table) if client else TriageSettings()
    photos = list(tracker.get_slot("fotos") or [])
    now = rt.clock()
    try:
        # Ticket, work order and messages are stored together or not at all.
        with rt.sessions.begin() as session:
            ticket, outcome, new = register_melding(
                session, melding, engine=rt.engine, settings=settings, now=now
            )
            if new:
                link_to_ticket(session, melding.conversation_id, photos, ticket.id)
                dispatch(
                    session,
                    ticket,
                    outcome,
                    client,
                    complex_,
                    photos=photos,
                    settings=rt.dispatch,
                    now=now,
                )
            number = ticket.number
    except SQLAlchemyError:
        logger.exception("could not store melding %s", melding.melding_id)
        try:
            spool_melding(melding, received_at=now, photos=photos, sessions=rt.sessions)
        except (OSError, ValueError, TypeError):
            logger.exception("could not spool melding %s either", melding.melding_id)
            dispatcher.utter_message(
                text="Sorry, het opslaan lukt nu niet. Uw gegevens zijn niet kwijt. "
                "Typ 'ja' om het opnieuw te proberen, of bel de meldkamer: 088-3746100."
            )
            return []
        # Still waiting for the confirmation: a new 'ja' gives the ticket number once the
        # database is back (the spooled melding is registered first, so still one ticket).
        dispatcher.utter_message(
            text="Sorry, het vastleggen in ons systeem lukt op dit moment niet. Uw melding is "
            "wel bewaard: uw gegevens zijn niet kwijt en de melding wordt vastgelegd zodra het "
            "systeem weer werkt. Een meldnummer kan ik u nu niet geven; zo nodig belt een "
            "medewerker u terug. Typ 'ja' om het nog eens te proberen. Spoed? Bel de "
            "meldkamer: 088-3746100. Is er gevaar voor mensen? Bel 112."
        )
        return []
    notice = client.notice_for(melding.topic) if client else None
    if notice:
        # The client's own notice (e.g. its lock-out costs) replaces the matrix's default.
        outcome = replace(outcome, notices=(notice,))
    message = outcome_message(
        outcome,
        number,
        office_name=client.name if client else "uw verhuurder",
        office_phone=format_phone(client.contact.phone) if client else None,
    )
    dispatcher.utter_message(text=message)
    events: list[EventType] = [
        SlotSet("ticket_nummer", number),
        SlotSet("wacht_op_bevestiging", False),
        SlotSet("fotos", None),
    ]
    # A person decides ("op basis van inschatting"), or nobody serves this address.
    reason = None
    if client is None:
        reason = "Adres hoort bij geen bekende opdrachtgever"
    elif outcome.needs_assessment:
        reason = "Beoordeling nodig: " + outcome.reasons[-1]
    if reason:
        tracker.slots["ticket_nummer"] = number
        events += hand_over(dispatcher, tracker, reason)
    return events
