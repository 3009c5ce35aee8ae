"""Reading and checking a client file (``clients/<id>.yml``, described in docs/CLIENTS.md).

A file is checked as a whole: every problem is collected with the file, line and field
it is about (``clients/woonzorg.yml:42: complexen[0].vakgebieden.cv.rooster[1].aannemers[0]:
onbekende aannemer 'jansen'``), and :class:`ClientFileError` carries them all. Only a
file without problems becomes a :class:`~meldkamer.clients.schema.Client`; nothing is
half-read. The line-tracking YAML reader is :mod:`meldkamer.clients.yamlsource`; the
protocol rows are checked in :mod:`meldkamer.clients.protocol`, contractors, complexes
and rosters in :mod:`meldkamer.clients.oncall`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from meldkamer.clients.followup import parse_piket, parse_sla
from meldkamer.clients.messages import parse_messages
from meldkamer.clients.oncall import (
    parse_complexes,
    parse_contractors,
    parse_default_contractors,
)
from meldkamer.clients.protocol import NOTICE_BLOCKS, parse_notices, parse_protocol
from meldkamer.clients.questions import parse_questions
from meldkamer.clients.retention import parse_terms
from meldkamer.clients.schema import (
    CLIENT_KINDS,
    DEFAULT_ESCALATION_MINUTES,
    ENTRY_KINDS,
    MAX_NAME,
    Client,
    Contact,
    Entries,
    normalise_telegram,
)
from meldkamer.clients.yamlsource import (
    FieldPath,
    Problem,
    Reader,
    SourceError,
    compose,
    has,
    kind_of,
    optional,
    render_path,
)
from meldkamer.intake.digressions import Question, question_blocks
from meldkamer.triage import default_engine
from meldkamer.triage.officehours import WEEKDAYS, HeatingSeason, OfficeHours, parse_hours
from meldkamer.triage.table import DecisionTable

__all__ = [
    "ClientFileError",
    "FieldPath",
    "LoadedClient",
    "Problem",
    "load_client",
    "parse_client",
    "render_path",
]

_SITE_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
_TELEGRAM_BOT = re.compile(r"^@?[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]$")
_WEBSITE = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")

_TOP_KEYS = (
    "id",
    "naam",
    "soort",
    "contact",
    "notificatie_email",
    # Where the monthly report goes (docs/REPORTS.md).
    "rapportage_email",
    "kantoortijden",
    "sluitingsdagen",
    "stookseizoen",
    "protocol",
    "mededelingen",
    # The notices in another language (mededelingen_en; docs/CLIENTS.md).
    *NOTICE_BLOCKS.values(),
    "escalatie_minuten",
    "ingangen",
    "aannemers",
    "standaard_aannemers",
    "complexen",
    "bewaartermijnen",
    "berichten",
    # Following a melding up (docs/FOLLOW-UP.md).
    "sla",
    "piket",
    # The client checks the work before the ticket closes (docs/FOLLOW-UP.md).
    "controle_na_gereed",
    # The client's own questions and answers mid-melding, per language (docs/CLIENTS.md).
    *question_blocks(),
)
_DEFAULT_SEASON = HeatingSeason()


class ClientFileError(SourceError):
    """A client file (or a set of them) was refused; :attr:`problems` lists every reason."""


@dataclass(frozen=True)
class LoadedClient:
    """A checked client with the exact text it was read from."""

    client: Client
    source: str
    file: str


def load_client(path: Path | str, table: DecisionTable | None = None) -> LoadedClient:
    """Read and check one client file.

    Args:
        path: the file; messages name it as given.
        table: the decision table protocol rows are checked against; the packaged one
            when omitted.

    Raises:
        ClientFileError: with every problem of the file.
    """
    name = str(path)
    try:
        source = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ClientFileError([Problem(name, 1, "", f"kan het bestand niet lezen: {exc}")]) from exc
    return LoadedClient(parse_client(source, name, table), source, name)


def parse_client(
    source: str, file: str = "<opdrachtgever>", table: DecisionTable | None = None
) -> Client:
    """Check the YAML text of a client file and build the client.

    Raises:
        ClientFileError: with every problem, each naming ``file``, line and field.
    """
    data, lines, problems = compose(source, file)
    reader = Reader(file, lines, problems)
    client = None
    if data is not None:
        client = _client(reader, data, table if table is not None else default_engine().table)
    if reader.problems or client is None:
        raise ClientFileError(sorted(reader.problems, key=lambda p: p.line))
    return client


def _client(r: Reader, raw: Any, table: DecisionTable) -> Client | None:
    data = r.mapping(
        raw, (), _TOP_KEYS, required=("id", "naam", "soort", "contact", "notificatie_email")
    )
    if data is None:
        return None
    # A required field that is missing was reported by ``mapping``; it stays None here.
    client_id = r.slug(data["id"], ("id",)) if has(data, "id") else None
    name = r.text(data["naam"], ("naam",), MAX_NAME) if has(data, "naam") else None
    kind = (
        r.choice(data["soort"], ("soort",), CLIENT_KINDS, "e soort") if has(data, "soort") else None
    )
    contact = _contact(r, data["contact"]) if has(data, "contact") else None
    emails = (
        r.each(data["notificatie_email"], ("notificatie_email",), r.email, non_empty=True)
        if has(data, "notificatie_email")
        else None
    )
    report_emails = (
        r.each(data["rapportage_email"], ("rapportage_email",), r.email, non_empty=True)
        if has(data, "rapportage_email")
        else []
    )
    office = _office(r, data)
    season = _season(r, data["stookseizoen"]) if has(data, "stookseizoen") else _DEFAULT_SEASON
    protocol = parse_protocol(r, optional(data, "protocol", {}), table)
    notices = parse_notices(r, optional(data, "mededelingen", {}), table)
    translated = {
        code: parse_notices(r, data[block], table, block)
        for code, block in NOTICE_BLOCKS.items()
        if has(data, block)
    }
    escalation = r.integer(
        optional(data, "escalatie_minuten", DEFAULT_ESCALATION_MINUTES),
        ("escalatie_minuten",),
        1,
        24 * 60,
    )
    entries = _entries(r, optional(data, "ingangen", {}))
    raw_contractors = optional(data, "aannemers", {})
    contractors = parse_contractors(r, raw_contractors)
    # References are checked against every id in the file, also of a contractor that has
    # problems of its own, so that one mistake is not reported twice.
    known = {str(k) for k in raw_contractors} if isinstance(raw_contractors, dict) else None
    defaults = parse_default_contractors(r, optional(data, "standaard_aannemers", {}), known)
    complexes = parse_complexes(r, optional(data, "complexen", []), known)
    retention = parse_terms(r, optional(data, "bewaartermijnen", {}), ("bewaartermijnen",), False)
    messages = parse_messages(r, optional(data, "berichten", {}), ("berichten",), False)
    sla = parse_sla(r, optional(data, "sla", {}))
    piket = parse_piket(r, optional(data, "piket", {}))
    # The client checks the work before the ticket closes (docs/FOLLOW-UP.md).
    check_after_done = optional(data, "controle_na_gereed", False)
    if not isinstance(check_after_done, bool):
        r.error(("controle_na_gereed",), f"verwacht ja of nee, niet {kind_of(check_after_done)}")
    questions = _questions(r, data)
    if r.problems:
        return None
    # Every check above passed, so none of these is None; the asserts tell mypy so.
    assert client_id is not None and name is not None and kind is not None
    assert contact is not None and emails is not None and office is not None
    assert season is not None and protocol is not None and notices is not None
    assert escalation is not None and entries is not None and contractors is not None
    assert defaults is not None and complexes is not None and retention is not None
    assert messages is not None and report_emails is not None
    assert sla is not None and piket is not None
    return Client(
        id=client_id,
        name=name,
        kind=kind,
        contact=contact,
        notification_emails=tuple(emails),
        report_emails=tuple(report_emails),
        office=office,
        heating_season=season,
        protocol=protocol,
        notices=notices,
        translated_notices=MappingProxyType(
            {code: found for code, found in translated.items() if found is not None}
        ),
        escalation_minutes=escalation,
        entries=entries,
        contractors=MappingProxyType(contractors),
        default_contractors=MappingProxyType(defaults),
        complexes=tuple(complexes),
        retention=retention,
        messages=messages,
        sla=sla,
        piket=piket,
        check_after_done=check_after_done,
        questions=questions,
    )


def _questions(r: Reader, data: Mapping[str, Any]) -> Mapping[str, tuple[Question, ...]]:
    """The client's questions by block; a block with a problem is reported and left out."""
    blocks = {
        block: parse_questions(r, data[block], block)
        for block in question_blocks()
        if has(data, block)
    }
    return MappingProxyType({block: qs for block, qs in blocks.items() if qs is not None})


def _contact(r: Reader, raw: Any) -> Contact | None:
    path: FieldPath = ("contact",)
    data = r.mapping(raw, path, ("telefoon", "email", "website"), required=("telefoon", "email"))
    if data is None:
        return None
    phone = r.phone(data["telefoon"], (*path, "telefoon")) if has(data, "telefoon") else None
    email = r.email(data["email"], (*path, "email")) if has(data, "email") else None
    website = None
    if data.get("website") is not None:
        website = r.text(data["website"], (*path, "website"))
        if website is not None and not _WEBSITE.match(website):
            r.error((*path, "website"), f"{website!r} is geen webadres (begint met https://)")
            website = None
    if phone is None or email is None:
        return None
    return Contact(phone=phone, email=email, website=website)


def _office(r: Reader, data: Mapping[str, Any]) -> OfficeHours | None:
    hours = OfficeHours().hours
    if has(data, "kantoortijden"):
        spec = r.mapping(data["kantoortijden"], ("kantoortijden",), WEEKDAYS)
        if spec is None:
            return None
        if not spec:
            r.error(("kantoortijden",), "noem minstens één dag; anders is het kantoor nooit open")
            return None
        parsed = {}
        for day, span in spec.items():
            if day not in WEEKDAYS:
                continue  # already reported as an unknown field
            span_text = r.text(span, ("kantoortijden", day))
            if span_text is None:
                continue
            try:
                parsed.update(parse_hours({day: span_text}))
            except ValueError as exc:
                r.error(("kantoortijden", day), str(exc).removeprefix(f"{day}: "))
        if len(parsed) != len(spec):
            return None
        hours = parsed
    closing: list[date] = []
    if has(data, "sluitingsdagen"):
        days = r.each(data["sluitingsdagen"], ("sluitingsdagen",), lambda v, p: _date(r, v, p))
        if days is None:
            return None
        closing = days
    return OfficeHours(hours=MappingProxyType(hours), closing_days=frozenset(closing))


def _date(r: Reader, value: Any, path: FieldPath) -> date | None:
    text = r.text(value, path)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        r.error(path, f"{text!r} is geen datum; schrijf JJJJ-MM-DD, bijvoorbeeld 2026-12-24")
        return None


def _season(r: Reader, raw: Any) -> HeatingSeason | None:
    path: FieldPath = ("stookseizoen",)
    data = r.mapping(raw, path, ("van", "tot"), required=("van", "tot"))
    if data is None:
        return None
    ends = [_month_day(r, data[key], (*path, key)) for key in ("van", "tot") if has(data, key)]
    if len(ends) != 2 or ends[0] is None or ends[1] is None:
        return None
    return HeatingSeason(start=ends[0], end=ends[1])


def _month_day(r: Reader, value: Any, path: FieldPath) -> tuple[int, int] | None:
    text = r.text(value, path)
    if text is None:
        return None
    match = _MONTH_DAY.match(text)
    try:
        if not match:
            raise ValueError
        month, day = int(match.group(1)), int(match.group(2))
        date(2024, month, day)  # a leap year, so 02-29 is a real day
    except ValueError:
        r.error(path, f"{text!r} is geen maand-dag; schrijf MM-DD, bijvoorbeeld 10-01")
        return None
    return month, day


def _entries(r: Reader, raw: Any) -> Entries | None:
    path: FieldPath = ("ingangen",)
    data = r.mapping(raw, path, ENTRY_KINDS)
    if data is None:
        return None

    def site(value: Any, p: FieldPath) -> str | None:
        text = r.text(value, p)
        if text is not None and not _SITE_KEY.match(text):
            r.error(p, f"{text!r} is geen geldige sitesleutel: kleine letters, cijfers, - en _")
            return None
        return text

    def bot(value: Any, p: FieldPath) -> str | None:
        text = r.text(value, p)
        if text is not None and not _TELEGRAM_BOT.match(text):
            r.error(p, f"{text!r} is geen Telegram-botnaam (5-32 tekens, eindigt op 'bot')")
            return None
        return text.removeprefix("@") if text else None

    checks: dict[str, Callable[[Any, FieldPath], str | None]] = {
        "webchat": site,
        "whatsapp": lambda v, p: r.phone(v, p),
        "telegram": bot,
        "email": r.email,
    }
    found: dict[str, tuple[str, ...]] = {}
    ok = True
    for kind, check in checks.items():
        items = r.sequence(optional(data, kind, []), (*path, kind))
        if items is None:
            ok = False
            continue
        values: list[str] = []
        seen: dict[str, int] = {}
        for i, raw_item in enumerate(items):
            item = check(raw_item, (*path, kind, i))
            if item is None:
                ok = False
                continue
            key = normalise_telegram(item) if kind == "telegram" else item
            if key in seen:
                r.error((*path, kind, i), f"{item!r} staat dubbel (ook {kind}[{seen[key]}])")
                ok = False
                continue
            seen[key] = i
            values.append(item)
        found[kind] = tuple(values)
    return Entries(**found) if ok else None
