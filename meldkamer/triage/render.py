"""Render the decision table as a readable Markdown page (docs/urgentiematrix.md).

``make docs`` writes the page; a test fails when the page and the table differ, so the
page agents and supervisors read is always the table the engine runs.
"""

from __future__ import annotations

import sys

from meldkamer.triage.table import HABITABILITY, DecisionTable, FactValue, Rule, Topic, load_table

_URGENCY_NL = {"acuut": "**acuut**", "urgent": "urgent", "niet_urgent": "niet urgent"}


def _value(table: DecisionTable, name: str, value: FactValue) -> str:
    if name in table.facts:
        for option in table.facts[name].options:
            if option.value == value:
                return f"{name} = {_plain(value)} ({option.label})"
    return f"{name} = {_plain(value)}"


def _plain(value: FactValue) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)


def _conditions(table: DecisionTable, rule: Rule) -> str:
    if not rule.when:
        return "altijd"
    return "<br>".join(_value(table, k, v) for k, v in rule.when.items())


def _flags(rule: Rule) -> str:
    flags = []
    if rule.overrides:
        flags.append("voorrang")
    if rule.needs_assessment:
        flags.append("medewerker beoordeelt")
    if rule.inform_client:
        flags.append("opdrachtgever direct informeren")
    if rule.advice:
        flags.append(f"advies: {rule.advice}")
    if rule.notice:
        flags.append(f"mededeling: {rule.notice}")
    return "; ".join(flags)


def render_topic(table: DecisionTable, topic: Topic) -> list[str]:
    """The section of one topic."""
    lines = [
        f"## {topic.code}: {topic.name}",
        "",
        f"Seed-rij: *{topic.seed_row}*. Vakgebied: {topic.trade}."
        + (f" Eerst veiligheidsinstructies ({topic.safety})." if topic.safety else ""),
        "",
    ]
    if topic.questions:
        lines.append(
            "Vragen, in deze volgorde (alleen als het antwoord de uitkomst nog kan veranderen):"
        )
        lines.append("")
        for name in topic.questions:
            fact = table.facts[name]
            options = " / ".join(o.label for o in fact.options)
            lines.append(f"1. `{name}`: {fact.question} ({options})")
        lines.append("")
    else:
        lines += ["Geen vragen: de uitkomst staat vast.", ""]
    lines += ["| regel | als | urgentie | reden | bijzonderheden |", "|---|---|---|---|---|"]
    for rule in (*topic.rules, topic.otherwise):
        name = "anders" if rule is topic.otherwise else f"`{rule.id}`"
        lines.append(
            f"| {name} | {_conditions(table, rule) if rule is not topic.otherwise else 'geen regel geldt'} "
            f"| {_URGENCY_NL[rule.urgency.value]} | {rule.reason} | {_flags(rule)} |"
        )
    if topic.conflicts:
        lines.append("")
        lines.append(
            "Tegenstrijdig (hoogste urgentie, medewerker beoordeelt): "
            + "; ".join(
                ", ".join(_value(table, k, v) for k, v in c.items()) for c in topic.conflicts
            )
        )
    lines.append("")
    return lines


def render(table: DecisionTable) -> str:
    """The whole page."""
    lines = [
        "# Urgentiematrix",
        "",
        "<!-- Gegenereerd uit meldkamer/triage/urgentiematrix.yml met `make docs`; niet met de hand aanpassen. -->",
        "",
        "De urgentiematrix van de seed (paragraaf 2.1) zoals de assistent en de medewerkers hem gebruiken.",
        "Van de regels die gelden telt de hoogste urgentie; een regel met voorrang vervangt de gewone regels.",
        "Ontbreekt een antwoord dat de uitkomst kan veranderen, dan geldt het zwaarste geval en beoordeelt",
        f"een medewerker. `{HABITABILITY}` = ja maakt elke melding **acuut** en de opdrachtgever wordt direct",
        "geïnformeerd.",
        "",
        "Afgeleide feiten: `seizoen` (winter = stookseizoen van de opdrachtgever, standaard 1 oktober t/m",
        "30 april) en `kantoor_binnen_24u` (kantoor van de opdrachtgever binnen 24 uur open, met kantoortijden,",
        "Nederlandse feestdagen en sluitingsdagen; standaard ma-vr 08:00-17:00, Europe/Amsterdam).",
        "",
    ]
    lines += render_nets(table)
    for topic in table.topics.values():
        lines += render_topic(table, topic)
    return "\n".join(lines).rstrip() + "\n"


def render_nets(table: DecisionTable) -> list[str]:
    """The safety nets: above the rows, also above a client's protocol."""
    if not table.safety_nets:
        return []
    lines = [
        "## Vangnetten",
        "",
        "Een vangnet geldt boven de rij van de genoemde onderwerpen, ook als een opdrachtgever die",
        "rij in zijn protocol vervangt: alleen als de huurder het feit zelf al noemde en de rij die",
        "geldt er niet naar vraagt.",
        "",
        "| vangnet | onderwerpen | als | urgentie | reden | bijzonderheden |",
        "|---|---|---|---|---|---|",
    ]
    for net in table.safety_nets:
        rule = net.rule
        lines.append(
            f"| `{rule.id}` | {', '.join(net.topics)} | {_conditions(table, rule)} "
            f"| {_URGENCY_NL[rule.urgency.value]} | {rule.reason} | {_flags(rule)} |"
        )
    return [*lines, ""]


def main() -> int:
    """Print the page for the packaged table."""
    sys.stdout.write(render(load_table()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
