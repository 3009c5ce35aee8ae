"""Scenario tenants: the same meldingen told by tenants of different kinds.

:mod:`devstack.tenant` answers with one fixed contact (postcode, name, phone, no e-mail).
Here a :class:`Persona` says how a kind of tenant answers the bot's questions: with a
street and number instead of a postcode, name and phone in one message, on WhatsApp,
mistyping the e-mail, or telling everything in the first message. A
:class:`ScenarioTenant` reads the bot's last question as a person would (its words, its
buttons) and answers it; it counts how often each question came, so a question asked
again gets the persona's next answer (the postcode after a street the bot did not know,
the right e-mail after two typos). ``scripts/bench/turns.py`` plays every topic of
:data:`devstack.tenant.MELDINGEN` with every persona, before and after issue 15's work,
and counts the tenant's messages to the ticket number.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from devstack.tenant import CONTACT, MELDINGEN, Stuck, buttons

#: The topic (intent ``melding_<topic>``) of each of :data:`devstack.tenant.MELDINGEN`, in
#: order, and what a tenant who tells everything at once writes first.
TOPICS: tuple[tuple[str, str], ...] = (
    (
        "lekkage_waterleiding",
        "de leiding onder de gootsteen is gesprongen en ik kan het water niet afsluiten",
    ),
    ("cv_storing", "de cv doet het niet, geen verwarming maar warm water doet het nog wel"),
    ("gaslek", "ik ruik gas in de keuken, het is een sterke gaslucht"),
    ("elektra", "geen stroom in het hele huis, de buren hebben wel stroom"),
    ("buitensluiting", "ik ben buitengesloten, mijn sleutel ligt binnen"),
)
#: Where the demo address 1234 AB 12 lies (clients/de-linde.yml): Lindelaan, Lindendam.
STREET = "Lindelaan 12"
TOWN = "Lindendam"
#: A tenant gives up after this many messages without a ticket number.
GIVE_UP = 20


@dataclass(frozen=True)
class Persona:
    """How one kind of tenant answers; a tuple holds the answers to a question asked again."""

    kind: str
    #: What the report calls this kind.
    label: str
    adres: tuple[str, ...] = (CONTACT["adres"],)
    naam: str = CONTACT["naam"]
    telefoon: str = CONTACT["telefoon"]
    email: tuple[str, ...] = (CONTACT["email"],)
    #: The first answer to the name question is "name, phone".
    naam_met_telefoon: bool = False
    #: The channel the tenant writes on: "rest" (web chat, REST) or "whatsapp".
    channel: str = "rest"
    #: The first message tells the facts too (:data:`TOPICS`).
    alles_vooraf: bool = False


PERSONAS: tuple[Persona, ...] = (
    Persona("postcode", "gives postcode and number"),
    # Knows the street, not the postcode; looks it up when the bot insists.
    Persona("straat", "gives street + number only", adres=(STREET, CONTACT["adres"])),
    Persona("naam_telefoon", "gives name and phone in one message", naam_met_telefoon=True),
    # Writes from the phone the bot may call, with their name as WhatsApp profile name.
    Persona("whatsapp", "on WhatsApp (phone and profile name known)", channel="whatsapp"),
    # Has an e-mail address and types it wrong twice, right the third time.
    Persona(
        "email",
        "mistypes the e-mail twice",
        email=("fatima.amrani@gmail", "fatima.amrani@gmail,com", "fatima.amrani@gmail.com"),
    ),
    Persona("vooraf", "tells the facts in the first message", alles_vooraf=True),
)


@dataclass(frozen=True)
class Scenario:
    """One topic told by one persona."""

    topic: str
    first: str
    answers: dict[str, Any]
    persona: Persona

    @property
    def name(self) -> str:
        return f"{self.topic}/{self.persona.kind}"


def scenarios() -> list[Scenario]:
    """Every topic of :data:`devstack.tenant.MELDINGEN` with every persona: a fixed set."""
    return [
        Scenario(topic, full if persona.alles_vooraf else first, answers, persona)
        for persona in PERSONAS
        for (topic, full), (first, answers) in zip(TOPICS, MELDINGEN, strict=True)
    ]


def last_text(replies: list[dict[str, Any]]) -> str:
    """The last thing the bot wrote: where its question is (an error comes before it)."""
    texts = [reply["text"] for reply in replies if reply.get("text")]
    return texts[-1] if texts else ""


def _payload(replies: list[dict[str, Any]], prefix: str) -> list[tuple[str, str]]:
    return [(b["title"], b["payload"]) for b in buttons(replies) if b["payload"].startswith(prefix)]


@dataclass
class ScenarioTenant:
    """Answers the bot's questions for one :class:`Scenario`, one message at a time."""

    scenario: Scenario
    asked: Counter[str] = field(default_factory=Counter)

    def answer(self, replies: list[dict[str, Any]]) -> str:
        """What the tenant says to ``replies`` (:class:`Stuck` when nothing fits)."""
        for rule in (self._triage, self._topic, self._summary, self._address_choice):
            said = rule(replies)
            if said is not None:
                return said
        question = last_text(replies).lower()
        for key, words in _QUESTIONS:
            if any(word in question for word in words):
                return self._contact(key)
        raise Stuck(f"{self.scenario.name}: the tenant cannot answer {last_text(replies)!r}")

    def _next(self, key: str, options: tuple[str, ...]) -> str:
        """The persona's answer to question ``key`` asked once more."""
        self.asked[key] += 1
        return options[min(self.asked[key], len(options)) - 1]

    def _contact(self, key: str) -> str:
        persona = self.scenario.persona
        if key == "naam":
            first_time = self.asked["naam"] == 0
            self.asked["naam"] += 1
            if persona.naam_met_telefoon and first_time:
                return f"{persona.naam}, {persona.telefoon}"
            return persona.naam
        if key == "email":
            return self._next("email", persona.email)
        if key == "adres":
            return self._next("adres", persona.adres)
        if key == "telefoon":
            return self._next("telefoon", (persona.telefoon,))
        return "het probleem zoals ik het al schreef"

    def _triage(self, replies: list[dict[str, Any]]) -> str | None:
        """A triage question's button: the scenario's answer, else "Weet ik niet"."""
        informs = _payload(replies, "/inform{")
        if not informs:
            return None
        options = [
            (fact, value, payload)
            for _, payload in informs
            for fact, value in json.loads(payload.removeprefix("/inform")).items()
        ]
        fact = options[0][0]
        if fact in self.scenario.answers:
            wanted = self.scenario.answers[fact]
            for name, value, payload in options:
                if name == fact and value == wanted:
                    return payload
        for title, payload in _payload(replies, ""):
            if title.lower().startswith("weet ik niet"):
                return payload
        raise Stuck(f"{self.scenario.name}: unexpected question about {fact}")

    def _topic(self, replies: list[dict[str, Any]]) -> str | None:
        """The bot did not recognise the topic and offers them: tap the tenant's own."""
        mine = f"/melding_{self.scenario.topic}"
        offered = [payload for _, payload in _payload(replies, "/melding_")]
        if not offered:
            return None
        return mine if mine in offered else offered[-1]

    def _summary(self, replies: list[dict[str, Any]]) -> str | None:
        if "klopt dit?" not in last_text(replies).lower():
            return None
        affirm = _payload(replies, "/affirm")
        return affirm[0][1] if affirm else "ja"

    def _address_choice(self, replies: list[dict[str, Any]]) -> str | None:
        """A street in more towns, offered as buttons: the one in the tenant's town."""
        if "welk adres" not in last_text(replies).lower():
            return None
        for title, payload in _payload(replies, ""):
            if TOWN.lower() in title.lower():
                return payload
        return None


#: The contact questions by the words that give them away, checked in this order
#: ("e-mailadres" before "adres"; "Hoe heet u" is the name asked again).
_QUESTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("email", ("e-mail",)),
    ("telefoon", ("telefoonnummer",)),
    ("naam", ("uw naam", "hoe heet u")),
    ("adres", ("adres", "postcode")),
    ("beschrijving", ("beschrijf",)),
)
