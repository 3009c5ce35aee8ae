"""The texts of work orders and notifications, in plain Dutch."""

from __future__ import annotations

from collections.abc import Sequence

from meldkamer.clients.schema import Client
from meldkamer.dispatch.models import WorkOrder
from meldkamer.intake.texts import outcome_message
from meldkamer.intake.validation import format_phone
from meldkamer.tickets import Ticket
from meldkamer.triage import Outcome, Urgency, default_engine
from meldkamer.triage.officehours import AMSTERDAM

_WORDS = {Urgency.ACUUT: "acuut", Urgency.URGENT: "urgent", Urgency.NIET_URGENT: "niet urgent"}


def urgency_word(urgency: Urgency) -> str:
    """``acuut``, ``urgent`` or ``niet urgent``."""
    return _WORDS[urgency]


def topic_name(code: str) -> str:
    """The Dutch name of a topic, e.g. ``lekkage van een waterleiding``."""
    table = default_engine().table
    return table.topics[code].name if code in table.topics else code


def address(ticket: Ticket) -> str:
    """``1234 AB 12A``."""
    addition = ticket.huisnummer_toevoeging or ""
    joiner = "-" if addition[:1].isdigit() else ""
    return f"{ticket.postcode} {ticket.huisnummer}{joiner}{addition}"


def facts_lines(ticket: Ticket) -> list[str]:
    """The triage answers as ``question answer`` lines."""
    table = default_engine().table
    lines = []
    for name, value in (ticket.facts or {}).items():
        if name in table.facts:
            label = next(
                (o.label for o in table.facts[name].options if o.value == value), str(value)
            )
            lines.append(f"- {table.facts[name].question} {label}")
    return lines


def melding_lines(ticket: Ticket) -> list[str]:
    """The melding in a mail: address, tenant, their own words and the triage answers."""
    return [
        f"Adres: {address(ticket)}"
        + (f" (complex {ticket.complex_id})" if ticket.complex_id else ""),
        f"Huurder: {ticket.naam}, {format_phone(ticket.telefoon)}",
        "",
        "Omschrijving van de huurder:",
        ticket.beschrijving,
        "",
        "Antwoorden:",
        *(facts_lines(ticket) or ["- (geen vragen nodig)"]),
    ]


def work_order_email(
    ticket: Ticket,
    order: WorkOrder,
    client: Client,
    link: str,
    photos: Sequence[str],
    service_phone: str,
) -> str:
    """Everything a contractor needs to go, and the link to acknowledge."""
    deadline = order.deadline.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")
    urgency = Urgency(order.urgency)
    when = (
        f"Bevestig via de link voor {deadline}; anders schakelen we de volgende aannemer in."
        if urgency is Urgency.ACUUT
        else f"Uitvoeren voor {deadline}."
    )
    lines = [
        f"Werkbon {ticket.number} - {urgency_word(urgency).upper()}",
        f"Opdrachtgever: {client.name}",
        f"Onderwerp: {topic_name(ticket.topic)}",
        *melding_lines(ticket),
    ]
    if photos:
        lines += ["", f"Foto's ({len(photos)}): te zien via de link hieronder."]
    lines += [
        "",
        when,
        f"Bevestigen dat u gaat: {link}",
        "",
        f"Vragen? Bel de meldkamer: {service_phone}.",
    ]
    return "\n".join(lines)


def work_order_sms(ticket: Ticket, order: WorkOrder, link: str) -> str:
    """The short version for the phone; the e-mail has the rest."""
    return (
        f"{urgency_word(Urgency(order.urgency)).upper()} {ticket.number}: {topic_name(ticket.topic)}, "
        f"{address(ticket)}. Huurder {format_phone(ticket.telefoon)}. Bevestig: {link}"
    )


def client_notice(ticket: Ticket, outcome: Outcome, client: Client) -> str:
    """The e-mail to the client when it must be informed directly."""
    return "\n".join(
        [
            f"Geachte {client.name},",
            "",
            f"De meldkamer heeft een melding ontvangen waarover u direct geïnformeerd moet worden: {ticket.number}.",
            f"Onderwerp: {topic_name(ticket.topic)} - {urgency_word(outcome.urgency)}",
            f"Adres: {address(ticket)}",
            f"Huurder: {ticket.naam}, {format_phone(ticket.telefoon)}",
            "",
            "Waarom:",
            *[f"- {reason}" for reason in outcome.reasons],
            "",
            "Omschrijving:",
            ticket.beschrijving,
            "",
            "Met vriendelijke groet,",
            "De meldkamer",
        ]
    )


def tenant_confirmation(ticket: Ticket, outcome: Outcome, client: Client | None) -> str:
    """The e-mail to the tenant with the ticket number."""
    name = client.name if client else "uw verhuurder"
    phone = format_phone(client.contact.phone) if client else None
    return "\n".join(
        [
            f"Beste {ticket.naam},",
            "",
            outcome_message(outcome, ticket.number, office_name=name, office_phone=phone),
            "",
            f"Adres: {address(ticket)}",
            f"Uw omschrijving: {ticket.beschrijving}",
            "",
            "Met vriendelijke groet,",
            "De meldkamer",
        ]
    )


def escalation_to_agents(ticket: Ticket, orders: Sequence[WorkOrder]) -> str:
    """The e-mail to the meldkamer when no contractor acknowledged."""
    tried = ", ".join(order.contractor_name for order in orders) or "niemand"
    return "\n".join(
        [
            f"Geen aannemer heeft werkbon {ticket.number} bevestigd ({topic_name(ticket.topic)}, {address(ticket)}).",
            f"Gevraagd: {tried}.",
            "Bel zelf een aannemer en de huurder: "
            + f"{ticket.naam}, {format_phone(ticket.telefoon)}.",
        ]
    )
