"""The phone wizard's steps: the same intake as the bot, for an agent on the phone.

The order is the bot's (:mod:`actions.form`): topic, address first (it decides the
client, and so the protocol, office hours and heating season), then exactly the
triage questions :meth:`TriageEngine.next_question` still needs, then name, phone,
optional e-mail and description, each checked by :mod:`meldkamer.intake.validation`.

The state holds only what the caller said. Everything computed from it (client,
next question, outcome) is computed again on every step, never taken from the form.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from meldkamer.clients.cache import ClientCache
from meldkamer.clients.schema import Client, Complex
from meldkamer.handover.summary import HandoverSummary
from meldkamer.intake.fields import UNKNOWN, check
from meldkamer.intake.melding import Melding
from meldkamer.intake.validation import Address, Invalid, parse_address
from meldkamer.triage import Outcome, TriageEngine, TriageInputError, TriageSettings
from meldkamer.triage.table import DecisionTable, Fact, FactValue, Topic

CHANNEL = "telefoon"
__all__ = [
    "CHANGES",
    "CHANNEL",
    "STEPS",
    "UNKNOWN",
    "Context",
    "Step",
    "WizardState",
    "from_collected",
    "topics_by_danger",
]
#: The steps that ask a contact detail, each checked as the bot checks it.
CONTACT_STEPS = ("naam", "telefoon", "email", "beschrijving")
STEPS = ("onderwerp", "adres", "vraag", "naam", "telefoon", "email", "beschrijving", "samenvatting")
#: What "aanpassen" on the summary clears, so that the wizard asks it again.
CHANGES: dict[str, tuple[str, ...]] = {
    "onderwerp": ("topic", "facts", "unknown"),
    "adres": ("address", "facts", "unknown"),
    "antwoorden": ("facts", "unknown"),
    "naam": ("naam",),
    "telefoon": ("telefoon",),
    "email": ("email", "email_asked"),
    "beschrijving": ("beschrijving",),
}


#: Safety kinds in the order a caller is in danger: gas first (a spark ignites it, the
#: caller must act now), then fire (112 has it). Kinds not listed come after these.
SAFETY_ORDER = ("gas", "brand")


def _danger(topic: Topic) -> tuple[int, int, int, str]:
    # Safety topics first, then the topics that can be acuut, then those acuut even
    # when nothing is known; the name only breaks ties.
    safety = (
        len(SAFETY_ORDER) + 1
        if topic.safety is None
        else SAFETY_ORDER.index(topic.safety)
        if topic.safety in SAFETY_ORDER
        else len(SAFETY_ORDER)
    )
    highest = max(rule.urgency.rank for rule in (*topic.rules, topic.otherwise))
    return (safety, -highest, -topic.otherwise.urgency.rank, topic.name)


def topics_by_danger(table: DecisionTable) -> list[tuple[str, str]]:
    """``(code, name)`` of every topic, the dangerous ones first: the order on the phone."""
    return [(t.code, t.name) for t in sorted(table.topics.values(), key=_danger)]


@dataclass(frozen=True)
class WizardState:
    """What the caller told the agent so far."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    topic: str | None = None
    address: tuple[str, int, str | None] | None = None
    facts: Mapping[str, FactValue] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()
    naam: str | None = None
    telefoon: str | None = None
    email: str | None = None
    email_asked: bool = False
    beschrijving: str | None = None
    #: The draft (``meldingconcepten``) this melding completes, and its conversation.
    draft: int | None = None
    conversation: str | None = None

    @property
    def conversation_id(self) -> str:
        """A draft's own conversation; other phone meldingen get ``tel-<uuid>``."""
        return self.conversation or f"tel-{self.id}"

    def address_value(self) -> Address | None:
        """The address as :class:`Address`."""
        if self.address is None:
            return None
        postcode, number, addition = self.address
        return Address(postcode=postcode, huisnummer=number, toevoeging=addition)

    def to_data(self) -> dict[str, Any]:
        """JSON-friendly form, for the signed hidden field."""
        data = asdict(self)
        data["facts"] = dict(self.facts)
        data["unknown"] = list(self.unknown)
        data["address"] = list(self.address) if self.address else None
        return data

    @classmethod
    def from_data(cls, data: Any) -> WizardState:
        """Back from :meth:`to_data` (signed, so only our own shapes arrive here)."""
        if not isinstance(data, dict):
            raise ValueError("geen geldige stand van de melding")
        address = data.get("address")
        return cls(
            id=str(data["id"]),
            topic=data.get("topic"),
            address=(str(address[0]), int(address[1]), address[2]) if address else None,
            facts=dict(data.get("facts") or {}),
            unknown=tuple(data.get("unknown") or ()),
            naam=data.get("naam"),
            telefoon=data.get("telefoon"),
            email=data.get("email"),
            email_asked=bool(data.get("email_asked")),
            beschrijving=data.get("beschrijving"),
            draft=int(data["draft"]) if data.get("draft") is not None else None,
            conversation=data.get("conversation"),
        )

    def cleared(self, part: str) -> WizardState:
        """The state with one part removed (the summary's "aanpassen")."""
        defaults = WizardState(id=self.id, draft=self.draft, conversation=self.conversation)
        return replace(self, **{name: getattr(defaults, name) for name in CHANGES[part]})


def _is_option(fact: Fact, value: object) -> bool:
    """One of the fact's answers, of its type too (``True`` is not ``1``)."""
    return any(value == v and type(value) is type(v) for v in fact.values)


def _checked(name: str, value: str | None) -> str | None:
    """A collected contact value the bot's own check accepts, else ``None`` (asked again)."""
    if value is None:
        return None
    checked = check(name, value)
    return None if isinstance(checked, Invalid) else checked


def from_collected(
    table: DecisionTable, collected: HandoverSummary, *, draft: int, conversation: str
) -> WizardState:
    """The wizard prefilled with a draft's collected values, so only what is missing is asked.

    Each value goes through the check its step would apply; one that fails (or a fact the
    table no longer has) is left out, and the wizard asks it.
    """
    topic = collected.topic if collected.topic in table.topics else None
    address = parse_address(collected.address or "")
    known = {
        name: value
        for name, value in collected.facts.items()
        if name in table.facts and _is_option(table.facts[name], value)
    }
    email_given = collected.email is not None and not isinstance(
        check("email", collected.email), Invalid
    )
    return WizardState(
        topic=topic,
        address=(address.postcode, address.huisnummer, address.toevoeging)
        if isinstance(address, Address)
        else None,
        facts=known if topic else {},
        unknown=tuple(f for f in collected.unknown_facts if f in table.facts) if topic else (),
        naam=_checked("naam", collected.name),
        telefoon=_checked("telefoon", collected.phone),
        email=_checked("email", collected.email),
        email_asked=email_given,
        beschrijving=_checked("beschrijving", collected.description),
        draft=draft,
        conversation=conversation,
    )


@dataclass(frozen=True)
class Step:
    """The step to show: its name, and for ``vraag`` the fact asked."""

    name: str
    fact: str | None = None


@dataclass(frozen=True)
class Context:
    """What the steps are computed with: the engine, the clients and the moment."""

    engine: TriageEngine
    clients: ClientCache
    now: datetime

    def client_of(self, state: WizardState) -> tuple[Client | None, Complex | None]:
        """The client and complex of the address, as the bot finds them."""
        address = state.address_value()
        if address is None:
            return None, None
        found = self.clients.by_address(address.postcode, address.huisnummer)
        return found if found else (None, None)

    def settings(self, state: WizardState) -> TriageSettings:
        """The triage settings of the address's client."""
        return self.clients.settings(self.client_of(state)[0])

    def next_question(self, state: WizardState) -> str | None:
        """The fact the engine still needs, given the address's client."""
        assert state.topic is not None
        return self.engine.next_question(
            state.topic, state.facts, self.now, self.settings(state), skip=state.unknown
        )

    def outcome(self, state: WizardState) -> Outcome | None:
        """The outcome so far (unanswered facts fail safe), once topic and address are known."""
        if state.topic is None or state.address is None:
            return None
        return self.engine.evaluate(state.topic, state.facts, self.now, self.settings(state))

    def step(self, state: WizardState) -> Step:
        """The first thing still missing."""
        if state.topic is None:
            return Step("onderwerp")
        if state.address is None:
            return Step("adres")
        fact = self.next_question(state)
        if fact is not None:
            return Step("vraag", fact)
        for name in ("naam", "telefoon"):
            if getattr(state, name) is None:
                return Step(name)
        if not state.email_asked:
            return Step("email")
        if state.beschrijving is None:
            return Step("beschrijving")
        return Step("samenvatting")

    def answer(
        self, state: WizardState, step: Step, form: Mapping[str, str]
    ) -> WizardState | Invalid:
        """Apply the answer to ``step``; :class:`Invalid` with the bot's own message when refused."""
        if step.name == "onderwerp":
            code = form.get("onderwerp", "")
            if code not in self.engine.table.topics:
                return Invalid("Kies een onderwerp.")
            return replace(state, topic=code, facts={}, unknown=())
        if step.name == "adres":
            address = parse_address(form.get("adres", ""))
            if isinstance(address, Invalid):
                return address
            triple = (address.postcode, address.huisnummer, address.toevoeging)
            return replace(state, address=triple, facts={}, unknown=())
        if step.name == "vraag":
            return self._triage_answer(state, step, form)
        if step.name in CONTACT_STEPS:
            return self._contact_answer(state, step.name, form.get(step.name, ""))
        return Invalid("Deze stap heeft geen antwoord.")

    def _contact_answer(self, state: WizardState, name: str, text: str) -> WizardState | Invalid:
        # The bot's own checks (meldkamer.intake.fields); on the phone an empty e-mail
        # is "no e-mail", and the bot's "geen" words work too.
        checked = check(name, text.strip() or "geen" if name == "email" else text)
        if isinstance(checked, Invalid):
            return checked
        if name == "email":
            return replace(state, email=checked, email_asked=True)
        if name == "naam":
            return replace(state, naam=checked)
        if name == "telefoon":
            return replace(state, telefoon=checked)
        return replace(state, beschrijving=checked)

    def _triage_answer(
        self, state: WizardState, step: Step, form: Mapping[str, str]
    ) -> WizardState | Invalid:
        assert step.fact is not None
        if form.get("feit") != step.fact:
            # A second click on an old page: answer the question that is open now.
            return Invalid("Die vraag is al beantwoord. Beantwoord de vraag hieronder.")
        raw = form.get("antwoord", "")
        if raw == UNKNOWN:
            return replace(state, unknown=(*state.unknown, step.fact))
        fact = self.engine.table.facts[step.fact]
        try:
            value = json.loads(raw)
        except ValueError:
            value = None
        if not _is_option(fact, value):
            return Invalid("Kies een van de antwoorden, of 'Weet ik niet'.")
        return replace(state, facts={**state.facts, step.fact: value})

    def melding(self, state: WizardState) -> Melding:
        """The complete melding, as the bot would register it.

        Raises:
            ValueError: something is still missing (the summary was not reached).
        """
        address = state.address_value()
        if (
            self.step(state).name != "samenvatting"
            or state.topic is None
            or address is None
            or state.naam is None
            or state.telefoon is None
            or state.beschrijving is None
        ):
            raise ValueError("de melding is nog niet compleet")
        client, complex_ = self.client_of(state)
        try:
            self.engine.check_facts(state.facts)
        except TriageInputError as error:
            raise ValueError(str(error)) from error
        return Melding(
            melding_id=state.id,
            conversation_id=state.conversation_id,
            channel=CHANNEL,
            topic=state.topic,
            address=address,
            naam=state.naam,
            telefoon=state.telefoon,
            beschrijving=state.beschrijving,
            facts=dict(state.facts),
            unknown_facts=tuple(state.unknown),
            email=state.email,
            client_id=client.id if client else None,
            complex_id=complex_.id if complex_ else None,
        )
