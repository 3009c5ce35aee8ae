"""A client's file in plain Dutch, as the portal shows it: sections of readable lines.

Nothing here is a raw field name or code: weekdays, months, urgencies, topics and trades
are spelled out, so a client's staff can check what the meldkamer works with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from meldkamer.clients.schema import Client, Reachable, TradeCover
from meldkamer.clientview import topic_label, urgency_label
from meldkamer.dutchdates import DAY_NAMES, month_name
from meldkamer.triage.officehours import AMSTERDAM

TRADES = {
    "cv": "cv en verwarming",
    "loodgieter": "loodgieter",
    "elektra": "elektra",
    "glas": "glas",
    "slotenmaker": "slotenmaker",
    "dak": "dak",
    "algemeen": "algemeen onderhoud",
}


@dataclass(frozen=True)
class Section:
    """One part of the file: a heading, and lines (each a label and its text)."""

    part: str
    title: str
    lines: tuple[tuple[str, str], ...]


def _day(month_day: tuple[int, int]) -> str:
    return f"{month_day[1]} {month_name(month_day[0])}"


def _moment(moment: datetime) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")


def _names(ids: Iterable[str], people: Mapping[str, Reachable]) -> str:
    return ", dan ".join(people[i].name if i in people else i for i in ids) or "niemand"


def _office(client: Client) -> Section:
    hours = client.office.hours
    lines = [
        (
            DAY_NAMES[d].capitalize(),
            f"{hours[d][0]:%H:%M} tot {hours[d][1]:%H:%M}" if d in hours else "dicht",
        )
        for d in range(7)
    ]
    closed = ", ".join(f"{day:%d-%m-%Y}" for day in sorted(client.office.closing_days))
    lines.append(("Extra sluitingsdagen", closed or "geen"))
    holidays = "gesloten" if client.office.public_holidays else "open"
    lines.append(("Nederlandse feestdagen", holidays))
    return Section("kantoortijden", "Kantoortijden", tuple(lines))


def _season(client: Client) -> Section:
    season = client.heating_season
    text = f"van {_day(season.start)} tot en met {_day(season.end)}"
    return Section("stookseizoen", "Stookseizoen", (("Stookseizoen", text),))


def _rule(rule: Mapping[str, Any]) -> str:
    text = urgency_label(str(rule.get("urgentie", "")))
    reason = rule.get("reden")
    return f"{text}: {reason}" if reason else text


def _protocol(client: Client) -> Section:
    lines: list[tuple[str, str]] = []
    for topic, spec in sorted(client.protocol.items()):
        label = topic_label(topic).capitalize()
        for rule in spec.get("regels") or ():
            lines.append((label, _rule(rule)))
        if spec.get("anders"):
            lines.append((label, f"in alle andere gevallen {_rule(spec['anders'])}"))
    if not lines:
        lines.append(("Afwijkingen", "geen: de standaard urgentiematrix geldt"))
    return Section("protocol", "Afwijkingen van de urgentiematrix", tuple(lines))


def _cover(cover: TradeCover, people: Mapping[str, Reachable]) -> list[str]:
    texts = [f"standaard {_names(cover.default, people)}"] if cover.default else []
    texts += [
        f"{_moment(p.start)} tot {_moment(p.end)}: {_names(p.contractors, people)}"
        for p in cover.roster
    ]
    return texts


def _complexes(client: Client) -> Section:
    lines: list[tuple[str, str]] = []
    for item in client.complexes:
        lines.append((item.name, "adressen " + "; ".join(str(a) for a in item.addresses)))
        for trade, cover in sorted(item.trades.items()):
            for text in _cover(cover, client.contractors):
                lines.append((f"{item.name}, {TRADES.get(trade, trade)}", text))
    return Section("complexen", "Complexen en roosters", tuple(lines))


def _contractors(client: Client) -> Section:
    lines = [(c.name, f"telefoon {c.phone}, e-mail {c.email}") for c in client.contractors.values()]
    lines += [
        (f"Eerst gebeld voor {TRADES.get(trade, trade)}", _names(ids, client.contractors))
        for trade, ids in sorted(client.default_contractors.items())
    ]
    return Section("aannemers", "Aannemers", tuple(lines))


def _piket(client: Client) -> Section:
    people = client.piket.employees
    lines = [(p.name, f"telefoon {p.phone}") for p in people.values()]
    lines += [("Volgorde", text) for text in _cover(client.piket.cover, people)]
    if not lines:
        lines.append(("Piket", "geen eigen piketdienst opgegeven"))
    return Section("piket", "Piketdienst", tuple(lines))


def client_file(client: Client) -> list[Section]:
    """The client's file in plain Dutch, section by section."""
    contact = Section(
        "contact",
        "Contactgegevens",
        (
            ("Telefoon", client.contact.phone),
            ("E-mail (ook voor bevestigingen)", client.contact.email),
            ("Meldingen direct aan", ", ".join(client.notification_emails) or "niemand"),
        ),
    )
    return [
        contact,
        _office(client),
        _season(client),
        _protocol(client),
        _complexes(client),
        _contractors(client),
        _piket(client),
    ]
