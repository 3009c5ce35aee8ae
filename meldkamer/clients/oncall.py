"""Checking who is on call: contractors (aannemers), complexes and their rosters.

References between them (a chain naming a contractor, an address claimed by two
complexes, two roster periods at once) are checked across the whole file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any, TypeVar

from meldkamer.clients.schema import (
    MAX_NAME,
    AddressRange,
    Complex,
    Contractor,
    Reachable,
    RosterPeriod,
    TradeCover,
    normalise_postcode,
)
from meldkamer.clients.topics import TRADES
from meldkamer.clients.yamlsource import FieldPath, Reader, T, has, optional
from meldkamer.triage.officehours import AMSTERDAM


@dataclass(frozen=True)
class Members:
    """Who a roster lists: its key in the file and the word for one of them in messages."""

    key: str
    noun: str


CONTRACTORS = Members("aannemers", "aannemer")
EMPLOYEES = Members("medewerkers", "medewerker")

P = TypeVar("P", bound=Reachable)


def parse_contractors(r: Reader, raw: Any) -> dict[str, Contractor] | None:
    """The contractors (aannemers) by id; ``None`` when any of them has a problem."""
    return parse_people(r, raw, (CONTRACTORS.key,), Contractor)


def parse_people(r: Reader, raw: Any, where: FieldPath, make: type[P]) -> dict[str, P] | None:
    """People by id with ``naam``, ``telefoon``, ``email``, ``sms``; ``None`` on any problem."""
    data = r.mapping(raw, where)
    if data is None:
        return None
    people: dict[str, P] = {}
    ok = True
    for key, spec in data.items():
        path: FieldPath = (*where, str(key))
        person_id = r.slug(key, path)
        fields = r.mapping(
            spec, path, ("naam", "telefoon", "sms", "email"), required=("naam", "telefoon", "email")
        )
        if person_id is None or fields is None:
            ok = False
            continue
        name = r.text(fields["naam"], (*path, "naam"), MAX_NAME) if has(fields, "naam") else None
        phone = (
            r.phone(fields["telefoon"], (*path, "telefoon")) if has(fields, "telefoon") else None
        )
        email = r.email(fields["email"], (*path, "email")) if has(fields, "email") else None
        sms = None
        if fields.get("sms") is not None:
            sms = r.phone(fields["sms"], (*path, "sms"), mobile=True)
            ok = ok and sms is not None
        if name is None or phone is None or email is None:
            ok = False
            continue
        people[person_id] = make(person_id, name, phone, email, sms)
    return people if ok else None


def _chain(
    r: Reader,
    raw: Any,
    path: FieldPath,
    known: set[str] | None,
    non_empty: bool = False,
    members: Members = CONTRACTORS,
) -> tuple[str, ...] | None:
    """An escalation chain: ids of ``members``, each known and none twice."""
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
            r.error((*path, i), f"onbekende {members.noun} {contractor_id!r}")
            ok = False
        elif contractor_id in chain:
            r.error((*path, i), f"{members.noun} {contractor_id!r} staat al eerder in deze keten")
            ok = False
        else:
            chain.append(contractor_id)
    # ``known`` is None when ``aannemers`` itself is broken; that is reported there.
    return tuple(chain) if ok and known is not None else None


def _trade_map(
    r: Reader, raw: Any, path: FieldPath, check: Callable[[Any, FieldPath], T | None]
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


def parse_default_contractors(
    r: Reader, raw: Any, known: set[str] | None
) -> dict[str, tuple[str, ...]] | None:
    """Per trade the client's standing chain (standaard_aannemers), ids in ``known``."""
    return _trade_map(r, raw, ("standaard_aannemers",), lambda v, p: _chain(r, v, p, known))


@dataclass
class _ComplexParts:
    """What could be read of one complex; ``complex`` only when all of it was fine."""

    id: str | None
    addresses: list[tuple[int, AddressRange]]
    complex: Complex | None


def parse_complexes(r: Reader, raw: Any, known: set[str] | None) -> list[Complex] | None:
    """The complexes (complexen), with ids and addresses unique across them."""
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


def _complex(r: Reader, raw: Any, path: FieldPath, known: set[str] | None) -> _ComplexParts:
    data = r.mapping(
        raw, path, ("id", "naam", "adressen", "vakgebieden"), required=("id", "naam", "adressen")
    )
    if data is None:
        return _ComplexParts(None, [], None)
    complex_id = r.slug(data["id"], (*path, "id")) if has(data, "id") else None
    name = r.text(data["naam"], (*path, "naam"), MAX_NAME) if has(data, "naam") else None
    addresses: list[tuple[int, AddressRange]] = []
    items = (
        r.sequence(data["adressen"], (*path, "adressen"), non_empty=True)
        if has(data, "adressen")
        else None
    )
    for j, item in enumerate(items or []):
        address = _address(r, item, (*path, "adressen", j))
        if address is not None:
            addresses.append((j, address))
    trades = _trade_map(
        r,
        optional(data, "vakgebieden", {}),
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


def _address(r: Reader, raw: Any, path: FieldPath) -> AddressRange | None:
    data = r.mapping(
        raw, path, ("postcode", "van", "tot", "straat", "plaats"), required=("postcode",)
    )
    if data is None:
        return None
    postcode = None
    if has(data, "postcode"):
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
    names = {
        key: r.text(data[key], (*path, key)) if data.get(key) is not None else None
        for key in ("straat", "plaats")
    }
    return AddressRange(postcode, start, end, names["straat"], names["plaats"])


def _check_address_overlaps(r: Reader, parts: Sequence[_ComplexParts]) -> None:
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


def _cover(r: Reader, raw: Any, path: FieldPath, known: set[str] | None) -> TradeCover | None:
    data = r.mapping(raw, path, ("standaard", "rooster"))
    if data is None:
        return None
    return parse_cover(r, data, path, known, CONTRACTORS)


def parse_cover(
    r: Reader, data: Mapping[str, Any], path: FieldPath, known: set[str] | None, members: Members
) -> TradeCover | None:
    """``standaard`` and ``rooster`` of a block already read as a mapping."""
    default = _chain(
        r, optional(data, "standaard", []), (*path, "standaard"), known, members=members
    )
    roster_items = r.sequence(optional(data, "rooster", []), (*path, "rooster"))
    if roster_items is None:
        return None
    periods = [
        _period(r, item, (*path, "rooster", i), known, members)
        for i, item in enumerate(roster_items)
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


def _period(
    r: Reader, raw: Any, path: FieldPath, known: set[str] | None, members: Members
) -> _Period | None:
    """A roster period; ``None`` when its times are unusable."""
    key = members.key
    data = r.mapping(raw, path, ("van", "tot", key), required=("van", "tot", key))
    if data is None:
        return None
    start = _moment(r, data["van"], (*path, "van")) if has(data, "van") else None
    end = _moment(r, data["tot"], (*path, "tot")) if has(data, "tot") else None
    chain = (
        _chain(r, data[key], (*path, key), known, non_empty=True, members=members)
        if has(data, key)
        else None
    )
    if start is None or end is None:
        return None
    if not start < end:
        r.error((*path, "tot"), "het einde van de periode ligt niet na het begin")
        return None
    return start, end, chain


def _moment(r: Reader, value: Any, path: FieldPath) -> datetime | None:
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
