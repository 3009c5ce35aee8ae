"""``meldkamer triage``: classify a melding from the command line, as triage.md specifies."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from meldkamer.clients.store import latest
from meldkamer.composition import database
from meldkamer.triage import TriageEngine, TriageInputError, TriageSettings, default_engine
from meldkamer.triage.officehours import AMSTERDAM
from meldkamer.triage.table import FactValue

_TRUE = {"true", "ja", "yes", "1"}
_FALSE = {"false", "nee", "no", "0"}


def register(groups: Any) -> None:
    """Add the ``triage`` command."""
    parser = groups.add_parser(
        "triage",
        help="bepaal de urgentie van een melding",
        description="Bepaal de urgentie van een melding volgens de urgentiematrix.",
    )
    parser.add_argument("--topic", required=True, help="onderwerp, bijvoorbeeld cv_storing")
    parser.add_argument(
        "--fact",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="een feit, bijvoorbeeld leiding_afsluitbaar=false (mag vaker)",
    )
    parser.add_argument(
        "--at", help="moment van de melding (ISO-8601); standaard nu, Europe/Amsterdam"
    )
    parser.add_argument(
        "--client", help="opdrachtgever (id), voor kantoortijden, stookseizoen en protocol"
    )
    parser.add_argument("--json", action="store_true", help="uitkomst als JSON")
    parser.set_defaults(handler=run)


def parse_fact(engine: TriageEngine, text: str) -> tuple[str, FactValue]:
    """Turn ``NAME=VALUE`` into a typed fact, naming what is wrong otherwise."""
    name, sep, raw = text.partition("=")
    name, raw = name.strip(), raw.strip()
    if not sep or not name:
        raise TriageInputError(
            f"feit {text!r}: gebruik NAME=VALUE, bijvoorbeeld leiding_afsluitbaar=false"
        )
    if name not in engine.table.facts:
        valid = ", ".join(sorted(engine.table.facts))
        raise TriageInputError(f"onbekend feit {name!r}; geldig zijn: {valid}")
    fact = engine.table.facts[name]
    if fact.is_boolean:
        if raw.lower() in _TRUE:
            return name, True
        if raw.lower() in _FALSE:
            return name, False
        raise TriageInputError(f"feit {name}: ongeldige waarde {raw!r}; mogelijk: true, false")
    return name, raw


def parse_moment(text: str | None) -> datetime:
    """The ``--at`` moment; a time without zone is read as Europe/Amsterdam."""
    if text is None:
        return datetime.now(AMSTERDAM)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise TriageInputError(
            f"--at {text!r} is geen ISO-8601 moment, bijvoorbeeld 2026-12-24T22:30"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)


def settings_for(client_id: str | None) -> TriageSettings:
    """The triage settings of a client, or the defaults of triage.md."""
    if client_id is None:
        return TriageSettings()
    try:
        with database() as opened, opened.sessions() as session:
            registry = latest(session, default_engine().table)
    except SQLAlchemyError as error:
        raise TriageInputError(
            f"opdrachtgevers niet te lezen (draai `meldkamer db upgrade`?): {error}"
        ) from None
    try:
        return registry.get(client_id).triage_settings(default_engine().table)
    except KeyError as unknown:
        raise TriageInputError(str(unknown.args[0])) from None


def run(args: argparse.Namespace) -> int:
    """Print the outcome; exit 2 with a message for bad input."""
    engine = default_engine()
    try:
        facts = dict(parse_fact(engine, f) for f in args.fact)
        outcome = engine.evaluate(
            args.topic, facts, parse_moment(args.at), settings_for(args.client)
        )
    except TriageInputError as exc:
        print(f"meldkamer triage: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(outcome.to_dict(), ensure_ascii=False))
        return 0
    print(f"Onderwerp:  {outcome.topic}")
    print(f"Urgentie:   {outcome.urgency.value}")
    print(f"Opdrachtgever direct informeren: {'ja' if outcome.inform_client else 'nee'}")
    print(f"Beoordeling door medewerker nodig: {'ja' if outcome.needs_assessment else 'nee'}")
    if outcome.next_office_day:
        print(f"Eerstvolgende kantoordag: {outcome.next_office_day.isoformat()}")
    print("Redenen:")
    for reason in outcome.reasons:
        print(f"  - {reason}")
    for line in (*outcome.advice, *outcome.notices):
        print(f"Let op: {line}")
    return 0
