"""The CSV of every melding of the month: one row each, columns as in docs/REPORTS.md.

Only what the client owns and needs to follow up: no names, phone numbers, e-mail
addresses or the tenant's own words (those stay in the portal, per melding). Semicolons
and UTF-8 with a byte-order mark, so Dutch spreadsheet programs open it as it is.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, TypeVar

from meldkamer.clientview import ClientClock, ClientMelding, ClientWorkOrder
from meldkamer.reports.collect import MonthData
from meldkamer.reports.figures import minutes
from meldkamer.triage.officehours import AMSTERDAM

#: The columns in order; docs/REPORTS.md explains each (a test keeps the two equal).
COLUMNS = (
    "ticket",
    "datum",
    "tijd",
    "kanaal",
    "onderwerp",
    "urgentie",
    "status",
    "bewoonbaarheid_in_gevaar",
    "beoordeeld_door_medewerker",
    "buiten_kantooruren",
    "complex",
    "postcode",
    "huisnummer",
    "overgedragen_aan_medewerker",
    "wachttijd_medewerker_min",
    "terugbelverzoek",
    "werkbonnen",
    "aannemer",
    "bevestigd",
    "ter_plaatse",
    "gereed",
    "sla_op_tijd",
    "sla_te_laat",
    "sla_verlopen",
    "geescaleerd",
)


def _yes(value: bool) -> str:
    return "ja" if value else "nee"


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M")


def _row(
    data: MonthData,
    m: ClientMelding,
    orders: list[ClientWorkOrder],
    clocks: list[ClientClock],
) -> list[str]:
    local = m.created_at.astimezone(AMSTERDAM)
    wait = ""
    if m.handover_requested_at is not None and m.handover_taken_at is not None:
        wait = f"{minutes(m.handover_requested_at, m.handover_taken_at):.0f}"
    last = orders[-1] if orders else None
    outcomes = [c.outcome for c in clocks]
    return [
        m.number,
        local.strftime("%Y-%m-%d"),
        local.strftime("%H:%M"),
        m.channel_label,
        m.topic_label,
        m.urgency_label,
        m.status_label,
        _yes(m.inform_client),
        _yes(m.needs_assessment),
        _yes(not data.office.is_open(m.created_at)),
        m.complex_id or "",
        m.postcode,
        f"{m.huisnummer}{m.huisnummer_toevoeging or ''}",
        _yes(m.handed_over),
        wait,
        _yes(m.callback),
        str(len(orders)),
        last.contractor_name if last else "",
        _when(min((o.acknowledged_at for o in orders if o.acknowledged_at), default=None)),
        _when(min((o.on_site_at for o in orders if o.on_site_at), default=None)),
        _when(min((o.done_at for o in orders if o.done_at), default=None)),
        str(outcomes.count("op_tijd")),
        str(outcomes.count("te_laat")),
        str(outcomes.count("verlopen")),
        _yes(any(c.escalated for c in clocks) or any(o.escalated for o in orders)),
    ]


class _OfTicket(Protocol):
    @property
    def ticket_id(self) -> int: ...


T = TypeVar("T", bound=_OfTicket)


def _by_ticket(items: Iterable[T]) -> dict[int, list[T]]:
    grouped: dict[int, list[T]] = defaultdict(list)
    for item in items:
        grouped[item.ticket_id].append(item)
    return grouped


def month_csv(data: MonthData) -> bytes:
    """The CSV file's bytes: a header and one row per melding, oldest first."""
    orders = _by_ticket(data.work_orders)
    clocks = _by_ticket(data.clocks)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for melding in data.meldingen:
        writer.writerow(
            _row(
                data, melding, orders.get(melding.ticket_id, []), clocks.get(melding.ticket_id, [])
            )
        )
    return out.getvalue().encode("utf-8-sig")
