"""A client's protocol row as a triage topic, and the frozen YAML the client objects keep.

A client may override a row of the urgency matrix for its own tenants (``protocol:`` in
its file, ``docs/CLIENTS.md``). The loader checks the row's shape
(:mod:`meldkamer.clients.protocol`); :func:`protocol_topic` turns it into the
:class:`~meldkamer.triage.table.Topic` the engine uses, with what the row leaves out taken
from the matrix's own row.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from meldkamer.triage.table import DecisionTable, TableError, Topic, Urgency, parse_topic

#: The trades (vakgebieden) a contractor can be on call for; the matrix routes every topic
#: to one of them.
TRADES = ("cv", "loodgieter", "elektra", "glas", "slotenmaker", "dak", "algemeen")

#: Keys a protocol row may have; the same as a row of ``urgentiematrix.yml``.
ROW_KEYS = (
    "naam",
    "seed",
    "vakgebied",
    "veiligheid",
    "vragen",
    "regels",
    "anders",
    "tegenstrijdig",
)
#: Keys a rule of a protocol row may have.
RULE_KEYS = (
    "id",
    "als",
    "urgentie",
    "reden",
    "voorrang",
    "inschatting",
    "informeer_opdrachtgever",
    "advies",
    "mededeling",
)


def protocol_topic(code: str, spec: Mapping[str, Any], table: DecisionTable) -> Topic:
    """Parse a client's row for topic ``code`` against ``table``.

    ``naam``, ``seed``, ``vakgebied`` and ``veiligheid`` that the row leaves out come
    from the table's own row, so that an override changes the urgency rules and not,
    unnoticed, the trade the work order goes to. A row of a topic with a safety risk
    (gas, fire) may not make it anything but acuut.

    Raises:
        TableError: naming what is wrong.
    """
    try:
        base = table.topic(code)
    except KeyError as exc:
        raise TableError(str(exc.args[0])) from None
    inherited: dict[str, Any] = {"naam": base.name, "seed": base.seed_row, "vakgebied": base.trade}
    if base.safety:
        inherited["veiligheid"] = base.safety
    topic = parse_topic(code, {**inherited, **thaw(spec)}, table, f"onderwerp {code}")
    if topic.trade not in TRADES:
        raise TableError(f"onbekend vakgebied {topic.trade!r}; geldig zijn: {', '.join(TRADES)}")
    if base.safety and any(r.urgency is not Urgency.ACUUT for r in (*topic.rules, topic.otherwise)):
        raise TableError(
            f"onderwerp {code} gaat over veiligheid ({base.safety}): elke regel blijft acuut"
        )
    return topic


def freeze(value: Any) -> Any:
    """A read-only deep copy of parsed YAML: mappings become proxies, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value


def thaw(value: Any) -> Any:
    """The plain dicts and lists of :func:`freeze`'s input, as ``parse_topic`` expects."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [thaw(item) for item in value]
    return value
