"""Who at the client takes a transfer now, how it can end, and the summary they are mailed.

Pure: no database. Seed 1.4, "doorverbinden naar een medewerker van de opdrachtgever": an
agent puts a tenant (or a question about a melding) through to the client's own employee.
During the piket roster's hours that is the employee on duty (first to call first); when
nobody is on duty and the office is open, the office; otherwise nobody, and the panel says
so instead of offering a number that will not answer.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from meldkamer.clients.schema import Client
from meldkamer.contact import MELDKAMER_PHONE
from meldkamer.dispatch.texts import melding_lines, topic_name, urgency_word
from meldkamer.tickets import Ticket
from meldkamer.triage import Urgency
from meldkamer.triage.officehours import AMSTERDAM

#: The key of the office contact among the people to call (piket ids are slugs of the file).
OFFICE = "kantoor"


class TransferOutcome(str, enum.Enum):
    """How a transfer ended (``doorverbindingen.outcome``)."""

    VERBONDEN = "verbonden"
    GEEN_GEHOOR = "geen_gehoor"
    INGESPROKEN = "ingesproken"
    SAMENVATTING_GEMAILD = "samenvatting_gemaild"


#: What agents read: one label per value, never the raw value.
OUTCOME_LABELS: dict[str, str] = {
    TransferOutcome.VERBONDEN.value: "doorverbonden",
    TransferOutcome.GEEN_GEHOOR.value: "geen gehoor",
    TransferOutcome.INGESPROKEN.value: "voicemail ingesproken",
    TransferOutcome.SAMENVATTING_GEMAILD.value: "samenvatting gemaild",
}
#: The outcomes of a phone call, in the order the panel offers them.
CALL_OUTCOMES = (
    TransferOutcome.VERBONDEN,
    TransferOutcome.GEEN_GEHOOR,
    TransferOutcome.INGESPROKEN,
)


@dataclass(frozen=True)
class Person:
    """Someone at the client to put the tenant through to.

    Attributes:
        key: the piket employee's id in the client file, or :data:`OFFICE`.
        role: why this person: ``piketmedewerker`` or ``kantoor``.
    """

    key: str
    name: str
    role: str
    phone: str
    email: str | None


@dataclass(frozen=True)
class OnDuty:
    """Who to call now, first to call first, and why them (a sentence for the agent)."""

    people: tuple[Person, ...]
    why: str


def _local(moment: datetime) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")


def _roster_end(client: Client, now: datetime) -> datetime | None:
    """The end of the roster period in force, ``None`` when the standing list applies."""
    return next((p.end for p in client.piket.cover.roster if p.covers(now)), None)


def on_duty(client: Client | None, now: datetime) -> OnDuty:
    """Who at ``client`` takes a transfer at ``now`` (aware), and why."""
    if client is None:
        return OnDuty(
            (),
            "Deze melding hoort bij geen bekende opdrachtgever: niemand om naar door te verbinden.",
        )
    employees = client.piket.on_duty(now)
    if employees:
        people = tuple(Person(e.id, e.name, "piketmedewerker", e.phone, e.email) for e in employees)
        end = _roster_end(client, now)
        source = (
            f"volgens het piketrooster (deze periode tot {_local(end)})"
            if end is not None
            else "volgens de vaste piketlijst (geen roosterperiode nu)"
        )
        return OnDuty(people, f"Piket van {client.name} {source}; bel eerst de bovenste.")
    if client.office.is_open(now):
        office = Person(
            OFFICE, f"Kantoor {client.name}", "kantoor", client.contact.phone, client.contact.email
        )
        return OnDuty((office,), f"{client.name} heeft nu geen piket; het kantoor is open.")
    opens = client.office.next_opening(now)
    return OnDuty(
        (),
        f"{client.name} heeft nu geen piket en het kantoor is dicht (weer open "
        f"{_local(opens)}): niemand van de opdrachtgever is nu bereikbaar.",
    )


def summary_email(ticket: Ticket, client: Client, person: Person, agent: str) -> tuple[str, str]:
    """Subject and body of the ticket summary mailed to ``person`` at the client."""
    urgency = urgency_word(Urgency(ticket.urgency))
    subject = f"Melding {ticket.number} ({urgency}): {topic_name(ticket.topic)}"
    body = [
        f"Beste {person.name},",
        "",
        f"De meldkamer verbindt u door over melding {ticket.number} van {client.name}.",
        f"Onderwerp: {topic_name(ticket.topic)} - {urgency}",
        *melding_lines(ticket),
        "",
        f"Doorverbonden door {agent}. Vragen? Bel de meldkamer: {MELDKAMER_PHONE}.",
    ]
    return subject, "\n".join(body)
