"""Checking a client's protocol rows (protocol) and notices (mededelingen, mededelingen_<taal>).

A protocol row has the shape of a row of ``urgentiematrix.yml``; each is checked here
field by field, so that a problem gets its own line, and then parsed against the
decision table as the triage engine will use it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from meldkamer.clients.topics import ROW_KEYS, RULE_KEYS, TRADES, freeze, protocol_topic
from meldkamer.clients.yamlsource import FieldPath, Reader, kind_of
from meldkamer.intake.catalog import languages
from meldkamer.triage.table import DecisionTable, TableError


def parse_protocol(r: Reader, raw: Any, table: DecisionTable) -> Mapping[str, Any] | None:
    """The client's protocol rows by topic, each checked against ``table``."""
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


def _row_shape(r: Reader, raw: Any, path: FieldPath) -> bool:
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


def _rule_shape(r: Reader, raw: Any, path: FieldPath, allowed: Sequence[str]) -> None:
    rule = r.mapping(raw, path, allowed, required=("urgentie", "reden"))
    if rule is None:
        return
    for flag in ("voorrang", "inschatting", "informeer_opdrachtgever"):
        if flag in rule and not isinstance(rule[flag], bool):
            r.error((*path, flag), f"verwacht true of false, niet {kind_of(rule[flag])}")
    for key in ("reden", "advies", "mededeling"):
        if rule.get(key) is not None:
            r.text(rule[key], (*path, key))
    if "als" in rule and rule["als"] is not None:
        r.mapping(rule["als"], (*path, "als"))


#: The notices in another language: ``mededelingen_en``, one block per language the
#: intake speaks (``meldkamer/intake/teksten/<taal>.yml``).
NOTICE_BLOCKS: Mapping[str, str] = MappingProxyType(
    {code: f"mededelingen_{code}" for code in languages()[1:]}
)


def parse_notices(
    r: Reader, raw: Any, table: DecisionTable, block: str = "mededelingen"
) -> Mapping[str, str] | None:
    """Extra texts for the tenant by topic (``mededelingen``, or a language's block)."""
    data = r.mapping(raw, (block,))
    if data is None:
        return None
    notices: dict[str, str] = {}
    for code, value in data.items():
        path: FieldPath = (block, str(code))
        if code not in table.topics:
            r.error(path, f"onbekend onderwerp; geldig zijn: {', '.join(table.topics)}")
            continue
        text = r.text(value, path)
        if text is not None:
            notices[code] = text
    return MappingProxyType(notices) if len(notices) == len(data) else None
