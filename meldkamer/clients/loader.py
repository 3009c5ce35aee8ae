"""Reading and checking a client file (``clients/<id>.yml``, described in docs/CLIENTS.md).

A file is checked as a whole: every problem is collected with the file, line and field
it is about (``clients/woonzorg.yml:42: complexen[0].vakgebieden.cv.rooster[1].aannemers[0]:
onbekende aannemer 'jansen'``), and :class:`ClientFileError` carries them all. Only a
file without problems becomes a :class:`~meldkamer.clients.schema.Client`; nothing is
half-read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from meldkamer.clients.schema import (
    CLIENT_KINDS,
    DEFAULT_ESCALATION_MINUTES,
    ROW_KEYS,
    RULE_KEYS,
    TRADES,
    AddressRange,
    Client,
    Complex,
    Contact,
    Contractor,
    Entries,
    RosterPeriod,
    TradeCover,
    freeze,
    normalise_postcode,
    normalise_telegram,
    protocol_topic,
)
from meldkamer.intake.validation import normalise_phone
from meldkamer.triage.officehours import (
    AMSTERDAM,
    WEEKDAYS,
    HeatingSeason,
    OfficeHours,
    parse_hours,
)
from meldkamer.triage.table import DecisionTable, TableError, load_table

FieldPath = tuple[str | int, ...]
T = TypeVar("T")

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SLUG_MAX = 64  # the width of client_id columns
# Names go into e-mail subjects, which the outbox caps at 300 characters.
_MAX_NAME = 200
_SITE_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
_TELEGRAM_BOT = re.compile(r"^@?[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_WEBSITE = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")

_TOP_KEYS = (
    "id",
    "naam",
    "soort",
    "contact",
    "notificatie_email",
    "kantoortijden",
    "sluitingsdagen",
    "stookseizoen",
    "protocol",
    "mededelingen",
    "escalatie_minuten",
    "ingangen",
    "aannemers",
    "standaard_aannemers",
    "complexen",
)
_DEFAULT_SEASON = HeatingSeason()


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a client file."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.file}:{self.line}: {where}{self.message}"


class ClientFileError(ValueError):
    """A client file (or a set of them) was refused; :attr:`problems` lists every reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class LoadedClient:
    """A checked client with the exact text it was read from."""

    client: Client
    source: str
    file: str


def render_path(path: FieldPath) -> str:
    """``("complexen", 0, "naam")`` -> ``complexen[0].naam``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


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
    data, lines, problems = _compose(source, file)
    reader = _Reader(file, lines, problems)
    client = None
    if data is not None:
        client = _client(reader, data, table if table is not None else load_table())
    if reader.problems or client is None:
        raise ClientFileError(sorted(reader.problems, key=lambda p: p.line))
    return client


# --- YAML with line numbers --------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """A SafeLoader that keeps dates and times as text.

    The checks below then parse them the same way whether or not the author quoted them.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _compose(source: str, file: str) -> tuple[Any, dict[FieldPath, int], list[Problem]]:
    """Parse YAML; return the data, the line of every field path, and problems found."""
    loader = _Loader(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, [Problem(file, 1, "", "het bestand is leeg")]
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        return None, {}, [Problem(file, line, "", f"geen geldige YAML: {exc.problem or exc}")]
    except yaml.YAMLError as exc:
        return None, {}, [Problem(file, 1, "", f"geen geldige YAML: {exc}")]
    finally:
        loader.dispose()
    lines: dict[FieldPath, int] = {(): 1}
    problems: list[Problem] = []
    _map_lines(node, (), lines, problems, file)
    return data, lines, problems


def _map_lines(
    node: Node,
    path: FieldPath,
    lines: dict[FieldPath, int],
    problems: list[Problem],
    file: str,
    walked: set[int] | None = None,
) -> None:
    # An alias (``*anker``) is the same node again: walking it once keeps a file full of
    # nested aliases from taking exponential time; its other paths use the alias's line.
    walked = set() if walked is None else walked
    if id(node) in walked:
        return
    walked.add(id(node))
    if isinstance(node, MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else "?"
            line = key_node.start_mark.line + 1
            child = (*path, key)
            if key in seen:
                # yaml keeps the last of two equal keys without a word: a second
                # contractor with the same id would silently replace the first. The
                # lines of the first one's fields no longer belong to any value.
                for stale in [p for p in lines if p[: len(child)] == child]:
                    del lines[stale]
                problems.append(
                    Problem(
                        file, line, render_path(child), f"staat dubbel (ook op regel {seen[key]})"
                    )
                )
            seen[key] = line
            lines[child] = line
            _map_lines(value_node, child, lines, problems, file, walked)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            child_path: FieldPath = (*path, index)
            lines[child_path] = item.start_mark.line + 1
            _map_lines(item, child_path, lines, problems, file, walked)


# --- checks ------------------------------------------------------------------------------


class _Reader:
    """Collects problems and does the small checks every field needs.

    Each check returns the clean value, or ``None`` after recording a problem, so a
    caller skips what depends on a bad value and goes on with the rest of the file.
    """

    def __init__(self, file: str, lines: Mapping[FieldPath, int], problems: list[Problem]) -> None:
        self.file = file
        self.lines = lines
        self.problems = problems

    def line(self, path: FieldPath) -> int:
        # A missing field has no line of its own: the nearest enclosing one is shown.
        while path not in self.lines:
            path = path[:-1]
        return self.lines[path]

    def error(self, path: FieldPath, message: str) -> None:
        self.problems.append(Problem(self.file, self.line(path), render_path(path), message))

    def mapping(
        self,
        value: Any,
        path: FieldPath,
        allowed: Iterable[str] | None = None,
        required: Iterable[str] = (),
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, f"verwacht een blok met velden (sleutel: waarde), niet {_kind(value)}")
            return None
        valid = tuple(allowed) if allowed is not None else None
        for key in value:
            if not isinstance(key, str):
                self.error((*path, str(key)), f"een sleutel moet tekst zijn, niet {_kind(key)}")
            elif valid is not None and key not in valid:
                self.error((*path, key), f"onbekend veld; geldig zijn: {', '.join(valid)}")
        for key in required:
            if value.get(key) is None:
                self.error((*path, key), "verplicht veld ontbreekt")
        return value

    def sequence(self, value: Any, path: FieldPath, non_empty: bool = False) -> list[Any] | None:
        if not isinstance(value, list):
            self.error(path, f"verwacht een lijst, niet {_kind(value)}")
            return None
        if non_empty and not value:
            self.error(path, "de lijst mag niet leeg zijn")
            return None
        return value

    def text(self, value: Any, path: FieldPath, max_length: int | None = None) -> str | None:
        if not isinstance(value, str):
            self.error(
                path, f"verwacht tekst, niet {_kind(value)} (zet de waarde tussen aanhalingstekens)"
            )
            return None
        if not value.strip():
            self.error(path, "mag niet leeg zijn")
            return None
        if max_length is not None and len(value.strip()) > max_length:
            self.error(path, f"is langer dan {max_length} tekens")
            return None
        return value.strip()

    def slug(self, value: Any, path: FieldPath) -> str | None:
        text = self.text(value, path)
        if text is None:
            return None
        if not _SLUG.match(text) or len(text) > _SLUG_MAX:
            self.error(
                path,
                f"{text!r} is geen geldige id: kleine letters, cijfers en losse streepjes, "
                f"hoogstens {_SLUG_MAX} tekens (bijvoorbeeld 'de-linde')",
            )
            return None
        return text

    def choice(self, value: Any, path: FieldPath, options: Sequence[str], what: str) -> str | None:
        text = self.text(value, path)
        if text is not None and text not in options:
            self.error(path, f"onbekend{what} {text!r}; kies uit {', '.join(options)}")
            return None
        return text

    def email(self, value: Any, path: FieldPath) -> str | None:
        text = self.text(value, path)
        if text is not None and (len(text) > 254 or not _EMAIL.match(text)):
            self.error(path, f"{text!r} is geen geldig e-mailadres")
            return None
        return text.lower() if text else None

    def phone(self, value: Any, path: FieldPath, mobile: bool = False) -> str | None:
        text = self.text(value, path)
        if text is None:
            return None
        normalised = normalise_phone(text)
        if not isinstance(normalised, str):
            self.error(
                path,
                f"{text!r} is geen geldig telefoonnummer; schrijf +31 20 123 4567 of 020 123 4567",
            )
            return None
        if mobile and normalised.startswith("+31") and not normalised.startswith("+316"):
            self.error(path, f"{text!r} is geen mobiel nummer (06 of +31 6), nodig voor sms")
            return None
        return normalised

    def integer(self, value: Any, path: FieldPath, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, f"verwacht een geheel getal, niet {_kind(value)}")
            return None
        if not low <= value <= high:
            self.error(path, f"moet tussen {low} en {high} liggen, niet {value}")
            return None
        return value

    def each(
        self,
        value: Any,
        path: FieldPath,
        check: Callable[[Any, FieldPath], T | None],
        non_empty: bool = False,
    ) -> list[T] | None:
        """Check every item of a list; ``None`` when the list or any item is bad."""
        items = self.sequence(value, path, non_empty)
        if items is None:
            return None
        checked = [check(item, (*path, i)) for i, item in enumerate(items)]
        if any(item is None for item in checked):
            return None
        return [item for item in checked if item is not None]


def _has(data: Mapping[str, Any], key: str) -> bool:
    return data.get(key) is not None


def _get(data: Mapping[str, Any], key: str, default: Any) -> Any:
    """An optional field; written without a value (``protocol:``) it counts as absent."""
    value = data.get(key)
    return default if value is None else value


def _kind(value: Any) -> str:
    if value is None:
        return "niets"
    if isinstance(value, bool):
        return "ja/nee"
    if isinstance(value, int | float):
        return f"het getal {value}"
    if isinstance(value, str):
        return f"de tekst {value!r}"
    if isinstance(value, list):
        return "een lijst"
    if isinstance(value, dict):
        return "een blok"
    return type(value).__name__


def _client(r: _Reader, raw: Any, table: DecisionTable) -> Client | None:
    data = r.mapping(
        raw, (), _TOP_KEYS, required=("id", "naam", "soort", "contact", "notificatie_email")
    )
    if data is None:
        return None
    # A required field that is missing was reported by ``mapping``; it stays None here.
    client_id = r.slug(data["id"], ("id",)) if _has(data, "id") else None
    name = r.text(data["naam"], ("naam",), _MAX_NAME) if _has(data, "naam") else None
    kind = (
        r.choice(data["soort"], ("soort",), CLIENT_KINDS, "e soort")
        if _has(data, "soort")
        else None
    )
    contact = _contact(r, data["contact"]) if _has(data, "contact") else None
    emails = (
        r.each(data["notificatie_email"], ("notificatie_email",), r.email, non_empty=True)
        if _has(data, "notificatie_email")
        else None
    )
    office = _office(r, data)
    season = _season(r, data["stookseizoen"]) if _has(data, "stookseizoen") else _DEFAULT_SEASON
    protocol = _protocol(r, _get(data, "protocol", {}), table)
    notices = _notices(r, _get(data, "mededelingen", {}), table)
    escalation = r.integer(
        _get(data, "escalatie_minuten", DEFAULT_ESCALATION_MINUTES),
        ("escalatie_minuten",),
        1,
        24 * 60,
    )
    entries = _entries(r, _get(data, "ingangen", {}))
    raw_contractors = _get(data, "aannemers", {})
    contractors = _contractors(r, raw_contractors)
    # References are checked against every id in the file, also of a contractor that has
    # problems of its own, so that one mistake is not reported twice.
    known = {str(k) for k in raw_contractors} if isinstance(raw_contractors, dict) else None
    defaults = _default_contractors(r, _get(data, "standaard_aannemers", {}), known)
    complexes = _complexes(r, _get(data, "complexen", []), known)
    if r.problems:
        return None
    # Every check above passed, so none of these is None; the asserts tell mypy so.
    assert client_id is not None and name is not None and kind is not None
    assert contact is not None and emails is not None and office is not None
    assert season is not None and protocol is not None and notices is not None
    assert escalation is not None and entries is not None and contractors is not None
    assert defaults is not None and complexes is not None
    return Client(
        id=client_id,
        name=name,
        kind=kind,
        contact=contact,
        notification_emails=tuple(emails),
        office=office,
        heating_season=season,
        protocol=protocol,
        notices=notices,
        escalation_minutes=escalation,
        entries=entries,
        contractors=MappingProxyType(contractors),
        default_contractors=MappingProxyType(defaults),
        complexes=tuple(complexes),
    )


def _contact(r: _Reader, raw: Any) -> Contact | None:
    path: FieldPath = ("contact",)
    data = r.mapping(raw, path, ("telefoon", "email", "website"), required=("telefoon", "email"))
    if data is None:
        return None
    phone = r.phone(data["telefoon"], (*path, "telefoon")) if _has(data, "telefoon") else None
    email = r.email(data["email"], (*path, "email")) if _has(data, "email") else None
    website = None
    if data.get("website") is not None:
        website = r.text(data["website"], (*path, "website"))
        if website is not None and not _WEBSITE.match(website):
            r.error((*path, "website"), f"{website!r} is geen webadres (begint met https://)")
            website = None
    if phone is None or email is None:
        return None
    return Contact(phone=phone, email=email, website=website)


def _office(r: _Reader, data: Mapping[str, Any]) -> OfficeHours | None:
    hours = OfficeHours().hours
    if _has(data, "kantoortijden"):
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
    if _has(data, "sluitingsdagen"):
        days = r.each(data["sluitingsdagen"], ("sluitingsdagen",), lambda v, p: _date(r, v, p))
        if days is None:
            return None
        closing = days
    return OfficeHours(hours=MappingProxyType(hours), closing_days=frozenset(closing))


def _date(r: _Reader, value: Any, path: FieldPath) -> date | None:
    text = r.text(value, path)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        r.error(path, f"{text!r} is geen datum; schrijf JJJJ-MM-DD, bijvoorbeeld 2026-12-24")
        return None


def _season(r: _Reader, raw: Any) -> HeatingSeason | None:
    path: FieldPath = ("stookseizoen",)
    data = r.mapping(raw, path, ("van", "tot"), required=("van", "tot"))
    if data is None:
        return None
    ends = [_month_day(r, data[key], (*path, key)) for key in ("van", "tot") if _has(data, key)]
    if len(ends) != 2 or ends[0] is None or ends[1] is None:
        return None
    return HeatingSeason(start=ends[0], end=ends[1])


def _month_day(r: _Reader, value: Any, path: FieldPath) -> tuple[int, int] | None:
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


def _protocol(r: _Reader, raw: Any, table: DecisionTable) -> Mapping[str, Any] | None:
    data = r.mapping(raw, ("protocol",))
    if data is None:
        return None
    rows: dict[str, Any] = {}
    ok = True
    for code, spec in data.items():
        path: FieldPath = ("protocol", str(code))
        if code not in table.topics:
            r.error(path, f"onbekend onderwerp; geldig zijn: {', '.join(table.topics)}")
            ok = False
            continue
        if not _row_shape(r, spec, path):
            ok = False
            continue
        try:
            protocol_topic(code, spec, table)
        except TableError as exc:
            r.error(path, str(exc))
            ok = False
            continue
        rows[code] = freeze(spec)
    return MappingProxyType(rows) if ok else None


def _row_shape(r: _Reader, raw: Any, path: FieldPath) -> bool:
    """Check what ``parse_topic`` takes on trust, so a problem gets its own line."""
    count = len(r.problems)
    row = r.mapping(raw, path, ROW_KEYS, required=("anders",))
    if row is None:
        return False
    if "vragen" in row:
        r.each(row["vragen"], (*path, "vragen"), r.text)
    if "vakgebied" in row:
        r.choice(row["vakgebied"], (*path, "vakgebied"), TRADES, " vakgebied")
    for i, rule in enumerate(r.sequence(row.get("regels") or [], (*path, "regels")) or []):
        _rule_shape(r, rule, (*path, "regels", i), RULE_KEYS)
    if row.get("anders") is not None:
        _rule_shape(
            r, row["anders"], (*path, "anders"), [k for k in RULE_KEYS if k not in ("id", "als")]
        )
    for i, pair in enumerate(
        r.sequence(row.get("tegenstrijdig") or [], (*path, "tegenstrijdig")) or []
    ):
        r.mapping(pair, (*path, "tegenstrijdig", i))
    return len(r.problems) == count


def _rule_shape(r: _Reader, raw: Any, path: FieldPath, allowed: Sequence[str]) -> None:
    rule = r.mapping(raw, path, allowed, required=("urgentie", "reden"))
    if rule is None:
        return
    for flag in ("voorrang", "inschatting", "informeer_opdrachtgever"):
        if flag in rule and not isinstance(rule[flag], bool):
            r.error((*path, flag), f"verwacht true of false, niet {_kind(rule[flag])}")
    for key in ("reden", "advies", "mededeling"):
        if rule.get(key) is not None:
            r.text(rule[key], (*path, key))
    if "als" in rule and rule["als"] is not None:
        r.mapping(rule["als"], (*path, "als"))


def _notices(r: _Reader, raw: Any, table: DecisionTable) -> Mapping[str, str] | None:
    data = r.mapping(raw, ("mededelingen",))
    if data is None:
        return None
    notices: dict[str, str] = {}
    for code, value in data.items():
        path: FieldPath = ("mededelingen", str(code))
        if code not in table.topics:
            r.error(path, f"onbekend onderwerp; geldig zijn: {', '.join(table.topics)}")
            continue
        text = r.text(value, path)
        if text is not None:
            notices[code] = text
    return MappingProxyType(notices) if len(notices) == len(data) else None


def _entries(r: _Reader, raw: Any) -> Entries | None:
    path: FieldPath = ("ingangen",)
    data = r.mapping(raw, path, ("webchat", "whatsapp", "telegram"))
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
    }
    found: dict[str, tuple[str, ...]] = {}
    ok = True
    for kind, check in checks.items():
        items = r.sequence(_get(data, kind, []), (*path, kind))
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


def _contractors(r: _Reader, raw: Any) -> dict[str, Contractor] | None:
    data = r.mapping(raw, ("aannemers",))
    if data is None:
        return None
    contractors: dict[str, Contractor] = {}
    ok = True
    for key, spec in data.items():
        path: FieldPath = ("aannemers", str(key))
        contractor_id = r.slug(key, path)
        fields = r.mapping(
            spec, path, ("naam", "telefoon", "sms", "email"), required=("naam", "telefoon", "email")
        )
        if contractor_id is None or fields is None:
            ok = False
            continue
        name = r.text(fields["naam"], (*path, "naam"), _MAX_NAME) if _has(fields, "naam") else None
        phone = (
            r.phone(fields["telefoon"], (*path, "telefoon")) if _has(fields, "telefoon") else None
        )
        email = r.email(fields["email"], (*path, "email")) if _has(fields, "email") else None
        sms = None
        if fields.get("sms") is not None:
            sms = r.phone(fields["sms"], (*path, "sms"), mobile=True)
            ok = ok and sms is not None
        if name is None or phone is None or email is None:
            ok = False
            continue
        contractors[contractor_id] = Contractor(contractor_id, name, phone, email, sms)
    return contractors if ok else None


def _chain(
    r: _Reader, raw: Any, path: FieldPath, known: set[str] | None, non_empty: bool = False
) -> tuple[str, ...] | None:
    """An escalation chain: contractor ids, each known and none twice."""
    items = r.sequence(raw, path, non_empty)
    if items is None:
        return None
    chain: list[str] = []
    ok = True
    for i, item in enumerate(items):
        contractor_id = r.text(item, (*path, i))
        if contractor_id is None:
            ok = False
        elif known is not None and contractor_id not in known:
            r.error((*path, i), f"onbekende aannemer {contractor_id!r}")
            ok = False
        elif contractor_id in chain:
            r.error((*path, i), f"aannemer {contractor_id!r} staat al eerder in deze keten")
            ok = False
        else:
            chain.append(contractor_id)
    # ``known`` is None when ``aannemers`` itself is broken; that is reported there.
    return tuple(chain) if ok and known is not None else None


def _trade_map(
    r: _Reader, raw: Any, path: FieldPath, check: Callable[[Any, FieldPath], T | None]
) -> dict[str, T] | None:
    data = r.mapping(raw, path)
    if data is None:
        return None
    result: dict[str, T] = {}
    ok = True
    for trade, value in data.items():
        if trade not in TRADES:
            r.error((*path, str(trade)), f"onbekend vakgebied; geldig zijn: {', '.join(TRADES)}")
            ok = False
            continue
        checked = check(value, (*path, trade))
        if checked is None:
            ok = False
        else:
            result[trade] = checked
    return result if ok else None


def _default_contractors(
    r: _Reader, raw: Any, known: set[str] | None
) -> dict[str, tuple[str, ...]] | None:
    return _trade_map(r, raw, ("standaard_aannemers",), lambda v, p: _chain(r, v, p, known))


@dataclass
class _ComplexParts:
    """What could be read of one complex; ``complex`` only when all of it was fine."""

    id: str | None
    addresses: list[tuple[int, AddressRange]]
    complex: Complex | None


def _complexes(r: _Reader, raw: Any, known: set[str] | None) -> list[Complex] | None:
    items = r.sequence(raw, ("complexen",))
    if items is None:
        return None
    parts = [_complex(r, item, ("complexen", i), known) for i, item in enumerate(items)]
    ids: dict[str, int] = {}
    for i, part in enumerate(parts):
        if part.id is None:
            continue
        if part.id in ids:
            r.error(
                ("complexen", i, "id"),
                f"complex {part.id!r} staat al eerder (complexen[{ids[part.id]}])",
            )
        ids.setdefault(part.id, i)
    _check_address_overlaps(r, parts)
    complexes = [part.complex for part in parts if part.complex is not None]
    return complexes if len(complexes) == len(parts) else None


def _complex(r: _Reader, raw: Any, path: FieldPath, known: set[str] | None) -> _ComplexParts:
    data = r.mapping(
        raw, path, ("id", "naam", "adressen", "vakgebieden"), required=("id", "naam", "adressen")
    )
    if data is None:
        return _ComplexParts(None, [], None)
    complex_id = r.slug(data["id"], (*path, "id")) if _has(data, "id") else None
    name = r.text(data["naam"], (*path, "naam"), _MAX_NAME) if _has(data, "naam") else None
    addresses: list[tuple[int, AddressRange]] = []
    items = (
        r.sequence(data["adressen"], (*path, "adressen"), non_empty=True)
        if _has(data, "adressen")
        else None
    )
    for j, item in enumerate(items or []):
        address = _address(r, item, (*path, "adressen", j))
        if address is not None:
            addresses.append((j, address))
    trades = _trade_map(
        r,
        _get(data, "vakgebieden", {}),
        (*path, "vakgebieden"),
        lambda v, p: _cover(r, v, p, known),
    )
    parts = _ComplexParts(complex_id, addresses, None)
    if complex_id is None or name is None or items is None or trades is None:
        return parts
    if len(addresses) != len(items):
        return parts
    parts.complex = Complex(
        complex_id, name, tuple(a for _, a in addresses), MappingProxyType(trades)
    )
    return parts


def _address(r: _Reader, raw: Any, path: FieldPath) -> AddressRange | None:
    data = r.mapping(raw, path, ("postcode", "van", "tot"), required=("postcode",))
    if data is None:
        return None
    postcode = None
    if _has(data, "postcode"):
        text = r.text(data["postcode"], (*path, "postcode"))
        postcode = normalise_postcode(text) if text is not None else None
        if text is not None and postcode is None:
            r.error((*path, "postcode"), f"{text!r} is geen postcode; schrijf 1234 AB")
    ends = {
        key: r.integer(data[key], (*path, key), 1, 99999) if data.get(key) is not None else None
        for key in ("van", "tot")
    }
    start, end = ends["van"], ends["tot"]
    if start is not None and end is not None and start > end:
        r.error((*path, "tot"), f"tot ({end}) ligt voor van ({start})")
        return None
    bad_end = any(data.get(key) is not None and ends[key] is None for key in ("van", "tot"))
    if postcode is None or bad_end:
        return None
    return AddressRange(postcode, start, end)


def _check_address_overlaps(r: _Reader, parts: Sequence[_ComplexParts]) -> None:
    claimed: list[tuple[AddressRange, int, int, str]] = []
    for i, part in enumerate(parts):
        label = part.id or f"complexen[{i}]"
        for j, address in part.addresses:
            for other, oi, oj, other_label in claimed:
                if address.overlaps(other):
                    r.error(
                        ("complexen", i, "adressen", j),
                        f"adres {address} overlapt met {other} van complex {other_label!r} "
                        f"(complexen[{oi}].adressen[{oj}])",
                    )
            claimed.append((address, i, j, label))


#: A roster period as read: start and end (UTC), and the chain when that was fine.
_Period = tuple[datetime, datetime, tuple[str, ...] | None]


def _cover(r: _Reader, raw: Any, path: FieldPath, known: set[str] | None) -> TradeCover | None:
    data = r.mapping(raw, path, ("standaard", "rooster"))
    if data is None:
        return None
    default = _chain(r, _get(data, "standaard", []), (*path, "standaard"), known)
    roster_items = r.sequence(_get(data, "rooster", []), (*path, "rooster"))
    if roster_items is None:
        return None
    periods = [
        _period(r, item, (*path, "rooster", i), known) for i, item in enumerate(roster_items)
    ]
    # Periods are half-open, so one may start exactly where another ends (the hand-over).
    placed = sorted((p[0], i, p) for i, p in enumerate(periods) if p is not None)
    reaching: tuple[int, _Period] | None = None  # the period that ends last so far
    for start, i, period in placed:
        if reaching is not None and start < reaching[1][1]:
            first, second = sorted((i, reaching[0]))
            r.error(
                (*path, "rooster", second),
                f"periode overlapt met rooster[{first}] ({_show_period(periods[first])})",
            )
        if reaching is None or period[1] > reaching[1][1]:
            reaching = (i, period)
    roster: list[RosterPeriod] = []
    for _, _, (start, end, chain) in placed:
        if chain is not None:
            roster.append(RosterPeriod(start, end, chain))
    if default is None or len(roster) != len(periods):
        return None
    return TradeCover(default, tuple(roster))


def _show_period(period: _Period | None) -> str:
    if period is None:
        return "?"
    start, end = (m.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M") for m in period[:2])
    return f"{start} tot {end}"


def _period(r: _Reader, raw: Any, path: FieldPath, known: set[str] | None) -> _Period | None:
    """A roster period; ``None`` when its times are unusable."""
    data = r.mapping(raw, path, ("van", "tot", "aannemers"), required=("van", "tot", "aannemers"))
    if data is None:
        return None
    start = _moment(r, data["van"], (*path, "van")) if _has(data, "van") else None
    end = _moment(r, data["tot"], (*path, "tot")) if _has(data, "tot") else None
    chain = (
        _chain(r, data["aannemers"], (*path, "aannemers"), known, non_empty=True)
        if _has(data, "aannemers")
        else None
    )
    if start is None or end is None:
        return None
    if not start < end:
        r.error((*path, "tot"), "het einde van de periode ligt niet na het begin")
        return None
    return start, end, chain


def _moment(r: _Reader, value: Any, path: FieldPath) -> datetime | None:
    """An ISO date-time; without an offset it is Amsterdam wall-clock time. Stored in UTC."""
    text = r.text(value, path)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    # fromisoformat also takes a bare date (midnight); a roster wants the hour said.
    if moment is None or ("T" not in text.upper() and " " not in text):
        r.error(path, f"{text!r} is geen datum met tijd; schrijf bijvoorbeeld 2026-12-07T08:00")
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=AMSTERDAM)
    return moment.astimezone(timezone.utc)
