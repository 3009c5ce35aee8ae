"""The urgency engine: topic + facts + moment + client settings -> outcome.

Pure: no I/O, no clock, no Rasa. The semantics, in the words of ``triage.md``:

* Of the rules of a topic that hold, the highest urgency counts; a rule with
  ``voorrang`` (override) replaces the ordinary rules when it holds.
* A fact the topic asks but that is missing is filled in every possible way; the
  outcome is the highest of those (fail safe) and ``needs_assessment`` is raised when
  they differ. So removing a fact never lowers the urgency.
* ``bewoonbaarheid_in_gevaar`` makes any melding acuut with ``inform_client``.
* Answers listed as ``tegenstrijdig`` for a topic raise ``needs_assessment``.
* A safety net (``vangnetten``) on a fact the row in force does not ask raises the
  outcome when the tenant already said that fact, whatever a client's protocol says.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from meldkamer.triage.officehours import HeatingSeason, OfficeHours
from meldkamer.triage.table import (
    HABITABILITY,
    DecisionTable,
    FactValue,
    Rule,
    Topic,
    Urgency,
)

#: The seed's overarching rule, applied to every topic.
HABITABILITY_RULE = Rule(
    id=HABITABILITY,
    when={HABITABILITY: True},
    urgency=Urgency.ACUUT,
    reason="Bewoonbaarheid in gevaar: altijd acuut, opdrachtgever direct informeren",
    inform_client=True,
)


class TriageInputError(ValueError):
    """A topic, fact or value that the table does not know; the message names it."""


@dataclass(frozen=True)
class TriageSettings:
    """What a client (opdrachtgever) can set that changes the outcome.

    Attributes:
        office: office hours, closing days and holidays.
        heating_season: the client's stookseizoen.
        overrides: replacement rows of the matrix, by topic code (client protocol).
    """

    office: OfficeHours = field(default_factory=OfficeHours)
    heating_season: HeatingSeason = field(default_factory=HeatingSeason)
    overrides: Mapping[str, Topic] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """The outcome fields of ``triage.md``, plus explanations for agents."""

    topic: str
    urgency: Urgency
    inform_client: bool
    needs_assessment: bool
    reasons: tuple[str, ...]
    next_office_day: date | None
    rules: tuple[str, ...] = ()
    missing_facts: tuple[str, ...] = ()
    ignored_facts: tuple[str, ...] = ()
    advice: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    season: str = "winter"
    office_within_24h: bool = True
    next_office_opening: datetime | None = None
    trade: str = "algemeen"

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form; field names are the contract's."""
        return {
            "topic": self.topic,
            "urgency": self.urgency.value,
            "inform_client": self.inform_client,
            "needs_assessment": self.needs_assessment,
            "reasons": list(self.reasons),
            "next_office_day": self.next_office_day.isoformat() if self.next_office_day else None,
            "rules": list(self.rules),
            "missing_facts": list(self.missing_facts),
            "ignored_facts": list(self.ignored_facts),
            "advice": list(self.advice),
            "notices": list(self.notices),
            "season": self.season,
            "office_within_24h": self.office_within_24h,
            "next_office_opening": (
                self.next_office_opening.isoformat() if self.next_office_opening else None
            ),
            "trade": self.trade,
        }


@dataclass(frozen=True)
class _Verdict:
    urgency: Urgency
    fired: tuple[Rule, ...]
    inform_client: bool

    @property
    def key(self) -> tuple[Urgency, bool]:
        return (self.urgency, self.inform_client)


class TriageEngine:
    """Evaluates the decision table; one instance serves any number of meldingen."""

    def __init__(self, table: DecisionTable) -> None:
        self.table = table

    def topic_for(self, code: str, settings: TriageSettings) -> Topic:
        """The row that applies: the client's override, else the table's."""
        if code in settings.overrides:
            return settings.overrides[code]
        try:
            return self.table.topic(code)
        except KeyError as exc:
            raise TriageInputError(str(exc.args[0])) from None

    def check_facts(self, facts: Mapping[str, object]) -> dict[str, FactValue]:
        """Refuse unknown facts and values, naming them."""
        checked: dict[str, FactValue] = {}
        for name, value in facts.items():
            if name not in self.table.facts:
                valid = ", ".join(sorted(self.table.facts))
                raise TriageInputError(f"onbekend feit {name!r}; geldig zijn: {valid}")
            allowed = self.table.facts[name].values
            # bool is a subclass of int; compare types so that 1 is not accepted as True.
            if not any(value == a and type(value) is type(a) for a in allowed):
                shown = ", ".join(_show(a) for a in allowed)
                raise TriageInputError(
                    f"feit {name}: ongeldige waarde {_show(value)}; mogelijk: {shown}"
                )
            checked[name] = value  # type: ignore[assignment]
        return checked

    def evaluate(
        self,
        topic_code: str,
        facts: Mapping[str, object],
        at: datetime,
        settings: TriageSettings | None = None,
    ) -> Outcome:
        """Classify a melding.

        Args:
            topic_code: a topic of the table, e.g. ``"cv_storing"``.
            facts: known facts; absent facts are unknown, never guessed.
            at: the moment of the melding, timezone-aware.
            settings: the client's settings; defaults from ``triage.md`` when omitted.

        Raises:
            TriageInputError: for an unknown topic, fact or value, or a naive ``at``.
        """
        if at.tzinfo is None:
            raise TriageInputError("het moment van de melding heeft een tijdzone nodig")
        settings = settings or TriageSettings()
        topic = self.topic_for(topic_code, settings)
        known = self.check_facts(facts)
        derived = self._derived(at, settings)
        missing = tuple(q for q in topic.questions if q not in known)
        used = set(topic.questions) | {HABITABILITY}
        ignored = tuple(sorted(name for name in known if name not in used))

        verdicts = [self._judge(topic, {**c, **derived}) for c in self._completions(topic, known)]
        worst = max(verdicts, key=lambda v: (v.urgency.rank, v.inform_client))
        urgency, inform_client = worst.urgency, any(v.inform_client for v in verdicts)
        undecided = len({v.key for v in verdicts}) > 1
        open_questions = (
            tuple(q for q in missing if self._matters(topic, known, derived, q))
            if undecided
            else ()
        )
        conflicts = [c for c in topic.conflicts if all(known.get(k) == v for k, v in c.items())]

        # Reasons name only rules that hold on the facts as given, so an agent reads
        # what the tenant actually said, plus a line for every fail-safe step.
        if undecided:
            fired = self._certain_rules(topic, {**known, **derived})
            worst_case = "; ".join(r.reason for r in worst.fired if r.urgency is urgency)
            reasons = [f"[{r.urgency.value}] {r.reason}" for r in fired]
            reasons.append(
                f"Nog niet bekend: {', '.join(open_questions)}. Uitgegaan van het zwaarste geval "
                f"({urgency.value}: {worst_case}); een medewerker beoordeelt"
            )
        else:
            fired = worst.fired
            reasons = [f"[{r.urgency.value}] {r.reason}" for r in fired]
        for conflict in conflicts:
            pairs = ", ".join(f"{k}={_show(v)}" for k, v in conflict.items())
            reasons.append(f"Tegenstrijdige antwoorden ({pairs}): een medewerker beoordeelt")

        needs_assessment = (
            undecided or bool(conflicts) or any(r.needs_assessment for r in worst.fired)
        )
        opening = settings.office.next_opening(at)
        outcome = Outcome(
            topic=topic.code,
            urgency=urgency,
            inform_client=inform_client,
            needs_assessment=needs_assessment,
            reasons=tuple(reasons),
            next_office_day=opening.date() if urgency is Urgency.NIET_URGENT else None,
            rules=tuple(r.id for r in fired),
            missing_facts=open_questions,
            ignored_facts=ignored,
            advice=tuple(r.advice for r in fired if r.advice),
            notices=tuple(r.notice for r in fired if r.notice),
            season=str(derived["seizoen"]),
            office_within_24h=bool(derived["kantoor_binnen_24u"]),
            next_office_opening=opening,
            trade=topic.trade,
        )
        return self._with_safety_nets(outcome, topic, known)

    def _with_safety_nets(
        self, outcome: Outcome, topic: Topic, known: Mapping[str, FactValue]
    ) -> Outcome:
        """Raise the outcome by every safety net that holds on what the tenant said.

        Only nets on facts the row in force does not ask: a row that asks the fact
        decides with it itself, and a fact never said is not guessed.
        """
        nets = [
            net.rule
            for net in self.table.nets_for(topic.code)
            if any(name not in topic.questions for name in net.rule.when)
            and all(known.get(name) == value for name, value in net.rule.when.items())
        ]
        if not nets:
            return outcome
        urgency = max((outcome.urgency, *(r.urgency for r in nets)), key=lambda u: u.rank)
        used = {name for rule in nets for name in rule.when}
        return replace(
            outcome,
            urgency=urgency,
            inform_client=outcome.inform_client or any(r.inform_client for r in nets),
            needs_assessment=outcome.needs_assessment or any(r.needs_assessment for r in nets),
            reasons=(*outcome.reasons, *(f"[{r.urgency.value}] {r.reason}" for r in nets)),
            rules=(*outcome.rules, *(r.id for r in nets)),
            ignored_facts=tuple(f for f in outcome.ignored_facts if f not in used),
            advice=(*outcome.advice, *(r.advice for r in nets if r.advice)),
            notices=(*outcome.notices, *(r.notice for r in nets if r.notice)),
            next_office_day=outcome.next_office_day if urgency is Urgency.NIET_URGENT else None,
        )

    def next_question(
        self,
        topic_code: str,
        facts: Mapping[str, object],
        at: datetime,
        settings: TriageSettings | None = None,
        skip: Iterable[str] = (),
    ) -> str | None:
        """The next fact worth asking, or ``None`` when the outcome can no longer change.

        A fact is worth asking when two answers to it, all else equal, lead to a
        different urgency or ``inform_client``. Facts in ``skip`` (the tenant did not
        know) are not asked again; the fail-safe outcome covers them.
        """
        settings = settings or TriageSettings()
        topic = self.topic_for(topic_code, settings)
        known = self.check_facts(facts)
        if known.get(HABITABILITY) is True:
            return None
        derived = self._derived(at, settings)
        skipped = set(skip)
        for name in topic.questions:
            if (
                name not in known
                and name not in skipped
                and self._matters(topic, known, derived, name)
            ):
                return name
        return None

    def _matters(
        self,
        topic: Topic,
        known: Mapping[str, FactValue],
        derived: Mapping[str, FactValue],
        name: str,
    ) -> bool:
        """Whether answering ``name`` can change the urgency or ``inform_client``."""
        outcomes_by_value = set()
        for value in self.table.domain(name):
            trial = {**known, name: value}
            keys = frozenset(
                self._judge(topic, {**c, **derived}).key for c in self._completions(topic, trial)
            )
            outcomes_by_value.add(keys)
        return len(outcomes_by_value) > 1

    def _derived(self, at: datetime, settings: TriageSettings) -> dict[str, FactValue]:
        local_day = at.astimezone(settings.office.zone).date()
        return {
            "seizoen": "winter" if settings.heating_season.is_winter(local_day) else "zomer",
            "kantoor_binnen_24u": settings.office.reachable_within(at, timedelta(hours=24)),
        }

    def _completions(
        self, topic: Topic, known: Mapping[str, FactValue]
    ) -> list[dict[str, FactValue]]:
        """Every way to fill in the topic's unanswered questions."""
        missing = [q for q in topic.questions if q not in known]
        domains = [self.table.domain(q) for q in missing]
        return [
            {**known, **dict(zip(missing, values, strict=True))}
            for values in itertools.product(*domains)
        ]

    @staticmethod
    def _certain_rules(topic: Topic, facts: Mapping[str, FactValue]) -> tuple[Rule, ...]:
        """Rules whose every condition is known and holds."""
        return tuple(
            r for r in topic.rules if all(k in facts and facts[k] == v for k, v in r.when.items())
        )

    @staticmethod
    def _judge(topic: Topic, facts: Mapping[str, FactValue]) -> _Verdict:
        fired = tuple(r for r in topic.rules if all(facts.get(k) == v for k, v in r.when.items()))
        overriding = tuple(r for r in fired if r.overrides)
        chosen = overriding or fired or (topic.otherwise,)
        if facts.get(HABITABILITY) is True:
            return _Verdict(Urgency.ACUUT, (HABITABILITY_RULE, *chosen), inform_client=True)
        urgency = max((r.urgency for r in chosen), key=lambda u: u.rank)
        return _Verdict(urgency, chosen, inform_client=any(r.inform_client for r in chosen))


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def with_override(settings: TriageSettings, topic: Topic) -> TriageSettings:
    """Settings with one more client override of a matrix row."""
    return replace(settings, overrides={**settings.overrides, topic.code: topic})
