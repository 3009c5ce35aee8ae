"""The urgency decision table: loading and checking ``urgentiematrix.yml``.

The table is data a supervisor edits; this module turns it into frozen objects and
refuses a table that names an unknown fact, value or urgency, so that a typo in the
file fails loudly in ``make test`` instead of silently changing an outcome.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from meldkamer.labels import LabelTable

FactValue = bool | str

#: Facts the engine derives from the moment of the melding; they are never asked.
DERIVED_FACTS: dict[str, tuple[FactValue, ...]] = {
    "seizoen": ("winter", "zomer"),
    "kantoor_binnen_24u": (True, False),
}

#: Escalates any topic to acuut with ``inform_client`` (seed 2.1, triage.md).
HABITABILITY = "bewoonbaarheid_in_gevaar"


class Urgency(str, Enum):
    """The three categories of the seed, ordered from low to high."""

    NIET_URGENT = "niet_urgent"
    URGENT = "urgent"
    ACUUT = "acuut"

    @property
    def rank(self) -> int:
        """Position from low (0) to high (2)."""
        return _URGENCY_ORDER.index(self)


_URGENCY_ORDER = [Urgency.NIET_URGENT, Urgency.URGENT, Urgency.ACUUT]
#: What people read for each urgency.
URGENCY_LABELS: LabelTable[Urgency] = LabelTable(
    Urgency,
    {Urgency.ACUUT: "Acuut", Urgency.URGENT: "Urgent", Urgency.NIET_URGENT: "Niet urgent"},
)


class TableError(ValueError):
    """The decision table file is malformed; the message names the place."""


@dataclass(frozen=True)
class Option:
    """One answer button: the value it sets and the Dutch label on the button."""

    value: FactValue
    label: str


@dataclass(frozen=True)
class Fact:
    """A fact the bot or an agent can ask, with its question and answer options."""

    name: str
    question: str
    options: tuple[Option, ...]
    yes_means: FactValue | None
    patterns: Mapping[FactValue, tuple[re.Pattern[str], ...]]

    @property
    def values(self) -> tuple[FactValue, ...]:
        """Every value the fact can take."""
        return tuple(option.value for option in self.options)

    @property
    def is_boolean(self) -> bool:
        """Whether this is a yes/no fact."""
        return set(self.values) == {True, False}


@dataclass(frozen=True)
class Rule:
    """One line of a seed row: conditions and the outcome when they all hold."""

    id: str
    when: Mapping[str, FactValue]
    urgency: Urgency
    reason: str
    overrides: bool = False
    needs_assessment: bool = False
    inform_client: bool = False
    advice: str | None = None
    notice: str | None = None


@dataclass(frozen=True)
class Topic:
    """A row of the matrix: which facts to ask, the rules, and the fallback outcome."""

    code: str
    name: str
    seed_row: str
    trade: str
    questions: tuple[str, ...]
    rules: tuple[Rule, ...]
    otherwise: Rule
    conflicts: tuple[Mapping[str, FactValue], ...] = ()
    safety: str | None = None


@dataclass(frozen=True)
class SafetyNet:
    """A rule above the rows of some topics (``vangnetten``): it holds whatever the row.

    It applies only when the tenant already said the fact (it is known) and the row in
    force, the matrix's or a client's protocol, does not ask it; then nothing the tenant
    said is ignored in silence, and a person judges.
    """

    rule: Rule
    topics: tuple[str, ...]

    def facts(self) -> tuple[str, ...]:
        """The facts the net's conditions name."""
        return tuple(self.rule.when)


@dataclass(frozen=True)
class DecisionTable:
    """The whole matrix: facts by name, topics by code, and the safety nets."""

    facts: Mapping[str, Fact]
    topics: Mapping[str, Topic]
    source: str = field(default="", compare=False)
    safety_nets: tuple[SafetyNet, ...] = ()

    def nets_for(self, code: str) -> tuple[SafetyNet, ...]:
        """The safety nets that cover a topic."""
        return tuple(net for net in self.safety_nets if code in net.topics)

    def topic(self, code: str) -> Topic:
        """Return a topic or raise ``KeyError`` naming the valid codes."""
        try:
            return self.topics[code]
        except KeyError:
            valid = ", ".join(sorted(self.topics))
            raise KeyError(f"onbekend onderwerp {code!r}; geldig zijn: {valid}") from None

    def domain(self, fact: str) -> tuple[FactValue, ...]:
        """Every value a fact (asked or derived) can take."""
        if fact in DERIVED_FACTS:
            return DERIVED_FACTS[fact]
        return self.facts[fact].values


def load_table(path: Path | None = None) -> DecisionTable:
    """Read and check the decision table.

    Args:
        path: a table file; the packaged ``urgentiematrix.yml`` when omitted.

    Raises:
        TableError: when the file is not a valid table; the message names the place.
    """
    if path is None:
        text = resources.files("meldkamer.triage").joinpath("urgentiematrix.yml").read_text("utf-8")
        source = "urgentiematrix.yml"
    else:
        text = path.read_text("utf-8")
        source = str(path)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TableError(f"{source}: geen geldige YAML: {exc}") from exc
    return parse_table(raw, source)


def parse_table(raw: Any, source: str = "<tabel>") -> DecisionTable:
    """Build a :class:`DecisionTable` from parsed YAML, checking every reference."""
    if not isinstance(raw, dict) or "feiten" not in raw or "onderwerpen" not in raw:
        raise TableError(f"{source}: verwacht de onderdelen 'feiten' en 'onderwerpen'")
    facts = {name: _parse_fact(name, spec, source) for name, spec in raw["feiten"].items()}
    table = DecisionTable(facts=facts, topics={}, source=source)
    topics = {
        code: parse_topic(code, spec, table, f"{source}: onderwerp {code}")
        for code, spec in raw["onderwerpen"].items()
    }
    nets = tuple(
        _parse_net(spec, table, set(topics), f"{source}: vangnet {i + 1}")
        for i, spec in enumerate(raw.get("vangnetten") or ())
    )
    return DecisionTable(facts=facts, topics=topics, source=source, safety_nets=nets)


def _parse_net(spec: Any, table: DecisionTable, topics: set[str], where: str) -> SafetyNet:
    if not isinstance(spec, dict) or not spec.get("id"):
        raise TableError(f"{where}: een vangnet heeft 'id', 'onderwerpen', 'als' en 'urgentie'")
    codes = tuple(spec.get("onderwerpen") or ())
    unknown = [code for code in codes if code not in topics]
    if not codes or unknown:
        raise TableError(f"{where}: noem bestaande onderwerpen (onbekend: {unknown})")
    body = {k: v for k, v in spec.items() if k not in ("id", "onderwerpen")}
    rule = _parse_rule(str(spec["id"]), body, table, where)
    # A net acts on what the tenant said; a derived fact or an empty condition would
    # make it fire on every melding of its topics.
    if not rule.when or any(name not in table.facts for name in rule.when):
        raise TableError(f"{where}: 'als' noemt alleen feiten die gevraagd kunnen worden")
    return SafetyNet(rule=rule, topics=codes)


def parse_topic(code: str, spec: Any, table: DecisionTable, where: str) -> Topic:
    """Build one topic; also used for a client's override of a row."""
    if not isinstance(spec, dict):
        raise TableError(f"{where}: verwacht een blok met vragen, regels en anders")
    questions = tuple(spec.get("vragen") or ())
    for name in questions:
        if name not in table.facts:
            raise TableError(f"{where}: vraag naar onbekend feit {name!r}")
    rules = tuple(
        _parse_rule(rule.get("id", f"{code}_{i}"), rule, table, f"{where}, regel {i + 1}")
        for i, rule in enumerate(spec.get("regels") or ())
    )
    if "anders" not in spec:
        raise TableError(f"{where}: 'anders' ontbreekt (de uitkomst als geen regel geldt)")
    otherwise = _parse_rule(
        f"{code}_anders", {"als": {}, **spec["anders"]}, table, f"{where}, anders"
    )
    conflicts = tuple(
        _parse_conditions(c, table, f"{where}, tegenstrijdig")
        for c in spec.get("tegenstrijdig") or ()
    )
    for rule in rules:
        for name in rule.when:
            if name not in questions and name not in DERIVED_FACTS and name != HABITABILITY:
                raise TableError(
                    f"{where}: regel {rule.id} gebruikt {name!r}, dat niet bij 'vragen' staat"
                )
    return Topic(
        code=code,
        name=str(spec.get("naam", code)),
        seed_row=str(spec.get("seed", "")),
        trade=str(spec.get("vakgebied", "algemeen")),
        questions=questions,
        rules=rules,
        otherwise=otherwise,
        conflicts=conflicts,
        safety=spec.get("veiligheid"),
    )


def _parse_fact(name: str, spec: Any, source: str) -> Fact:
    where = f"{source}: feit {name}"
    if not isinstance(spec, dict) or not spec.get("vraag") or not spec.get("opties"):
        raise TableError(f"{where}: verwacht 'vraag' en 'opties'")
    options = tuple(Option(value=o["waarde"], label=str(o["label"])) for o in spec["opties"])
    values = {o.value for o in options}
    yes_means = spec.get("ja_betekent")
    if yes_means is not None and yes_means not in values:
        raise TableError(f"{where}: ja_betekent {yes_means!r} is geen van de opties")
    patterns: dict[FactValue, tuple[re.Pattern[str], ...]] = {}
    for value, regexes in (spec.get("herkenning") or {}).items():
        if value not in values:
            raise TableError(f"{where}: herkenning voor onbekende waarde {value!r}")
        try:
            patterns[value] = tuple(re.compile(r, re.IGNORECASE) for r in regexes or ())
        except re.error as exc:
            raise TableError(f"{where}: ongeldig patroon bij {value!r}: {exc}") from exc
    return Fact(
        name=name,
        question=str(spec["vraag"]),
        options=options,
        yes_means=yes_means,
        patterns=patterns,
    )


def _parse_conditions(raw: Any, table: DecisionTable, where: str) -> dict[str, FactValue]:
    if not isinstance(raw, dict):
        raise TableError(f"{where}: 'als' moet feit: waarde paren bevatten")
    for name, value in raw.items():
        if name in DERIVED_FACTS:
            allowed = DERIVED_FACTS[name]
        elif name in table.facts:
            allowed = table.facts[name].values
        else:
            raise TableError(f"{where}: onbekend feit {name!r}")
        if value not in allowed:
            raise TableError(f"{where}: {name} kan niet {value!r} zijn; mogelijk: {list(allowed)}")
    return dict(raw)


def _parse_rule(rule_id: str, raw: Any, table: DecisionTable, where: str) -> Rule:
    if not isinstance(raw, dict) or "urgentie" not in raw or "reden" not in raw:
        raise TableError(f"{where}: een regel heeft 'urgentie' en 'reden' nodig")
    try:
        urgency = Urgency(raw["urgentie"])
    except ValueError:
        raise TableError(
            f"{where}: onbekende urgentie {raw['urgentie']!r}; kies uit acuut, urgent, niet_urgent"
        ) from None
    return Rule(
        id=str(rule_id),
        when=_parse_conditions(raw.get("als") or {}, table, where),
        urgency=urgency,
        reason=str(raw["reden"]),
        overrides=bool(raw.get("voorrang", False)),
        needs_assessment=bool(raw.get("inschatting", False)),
        inform_client=bool(raw.get("informeer_opdrachtgever", False)),
        advice=raw.get("advies"),
        notice=raw.get("mededeling"),
    )
