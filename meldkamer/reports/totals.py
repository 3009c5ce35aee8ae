"""The month's totals as plain data: what the JSON holds and the PDF and CSV show.

Pure: from a :class:`~meldkamer.reports.collect.MonthData` to a JSON-ready dict whose keys
are stable codes (``per_urgency["acuut"]``); the Dutch words for the codes are in the
``labels`` part, so a reader of the JSON needs no other table.
"""

from __future__ import annotations

from typing import Any

from meldkamer.clientview import (
    URGENCY_ORDER,
    ClientMelding,
    channel_label,
    status_label,
    topic_label,
    urgency_label,
)
from meldkamer.contacts import Direction
from meldkamer.dutchdates import DAY_NAMES
from meldkamer.reports.collect import MonthData
from meldkamer.reports.figures import count, durations, minutes, share
from meldkamer.reports.performance import sla_totals, work_order_totals
from meldkamer.tickets.models import STATUS_LABELS
from meldkamer.triage.officehours import AMSTERDAM, WEEKDAYS

#: The channels a tenant reaches the meldkamer on, in the order a report lists them.
CHANNEL_ORDER = ("webchat", "whatsapp", "telegram", "telefoon", "email", "sms", "rest")
WEEKDAY_LABELS = dict(zip(WEEKDAYS, DAY_NAMES, strict=True))

#: What the issue asks for but the registered data cannot tell: said, never made up.
NOT_DERIVABLE = (
    "Wachttijden aan de telefoon vóór het gesprek worden niet geregistreerd "
    "(alleen de wachttijd na een overdracht aan een medewerker).",
    "De tevredenheid van huurders wordt niet gemeten.",
    "Contacten zonder melding (een vraag, een gesprek dat afbrak) tellen alleen mee als "
    "ze aan de opdrachtgever konden worden gekoppeld (adres of ingang bekend).",
)


def _local(melding: ClientMelding) -> Any:
    return melding.created_at.astimezone(AMSTERDAM)


def _volume(data: MonthData) -> dict[str, Any]:
    rows = data.meldingen
    local = [_local(m) for m in rows]
    per_day = {str(day): 0 for day in data.month.days()}
    for moment in local:
        per_day[str(moment.date())] += 1
    closed = [m for m in rows if data.office.is_closed_day(_local(m).date())]
    outside = [m for m in rows if not data.office.is_open(m.created_at)]
    habitability = [m for m in rows if m.inform_client]
    return {
        "meldingen": len(rows),
        "per_urgency": count((m.urgency for m in rows), URGENCY_ORDER),
        "per_channel": count((m.channel for m in rows), CHANNEL_ORDER),
        "per_topic": count(m.topic for m in rows),
        "per_status": count((m.status for m in rows), tuple(STATUS_LABELS)),
        "per_day": per_day,
        "per_hour": count((f"{t.hour:02d}" for t in local), [f"{h:02d}" for h in range(24)]),
        "per_weekday": count((WEEKDAYS[t.weekday()] for t in local), WEEKDAYS),
        "office_hours": {
            "inside": len(rows) - len(outside),
            "outside": len(outside),
            "on_closed_days": len(closed),
        },
        "habitability": {
            "count": len(habitability),
            "tickets": [m.number for m in habitability],
        },
        "needs_assessment": sum(1 for m in rows if m.needs_assessment),
    }


def _contacts(data: MonthData) -> dict[str, Any]:
    inbound = [c for c in data.contacts if c.direction == Direction.IN.value]
    return {
        "total": len(data.contacts),
        "inbound": len(inbound),
        "inbound_per_channel": count((c.channel for c in inbound), CHANNEL_ORDER),
    }


def _handovers(data: MonthData) -> dict[str, Any]:
    rows = data.meldingen
    handed = [m for m in rows if m.handed_over]
    waits = [
        minutes(m.handover_requested_at, m.handover_taken_at)
        for m in handed
        if m.handover_requested_at is not None and m.handover_taken_at is not None
    ]
    return {
        "count": len(handed),
        "share": share(len(handed), len(rows)),
        "assistant_only": len(rows) - len(handed),
        "assistant_only_share": share(len(rows) - len(handed), len(rows)),
        "wait_minutes": durations(waits),
        "not_taken": sum(1 for m in handed if m.handover_taken_at is None),
    }


def _callbacks(data: MonthData) -> dict[str, Any]:
    asked = [m for m in data.meldingen if m.callback]
    made = [
        minutes(m.handover_requested_at, m.handover_taken_at)
        for m in asked
        if m.handover_requested_at is not None and m.handover_taken_at is not None
    ]
    return {"count": len(asked), "not_made": len(asked) - len(made), "minutes": durations(made)}


def _labels(totals: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {
        "urgency": {code: urgency_label(code) for code in totals["per_urgency"]},
        "channel": {
            code: channel_label(code)
            for code in dict.fromkeys(
                [*totals["per_channel"], *totals["contacts"]["inbound_per_channel"]]
            )
        },
        "topic": {code: topic_label(code) for code in totals["per_topic"]},
        "status": {code: status_label(code) for code in totals["per_status"]},
        "weekday": dict(WEEKDAY_LABELS),
    }


def month_totals(data: MonthData) -> dict[str, Any]:
    """Every total of the month (see docs/REPORTS.md for each key)."""
    totals: dict[str, Any] = {
        "client": {"id": data.client_id, "name": data.client_name},
        "month": str(data.month),
        "month_label": data.month.label,
        "period": {
            "start": data.month.start.astimezone(AMSTERDAM).isoformat(),
            "end": data.month.end.astimezone(AMSTERDAM).isoformat(),
        },
        "made_at": data.made_at.astimezone(AMSTERDAM).isoformat(timespec="seconds"),
        **_volume(data),
        "contacts": _contacts(data),
        "handed_over": _handovers(data),
        "callbacks": _callbacks(data),
        "work_orders": work_order_totals(data),
        "sla": sla_totals(data),
        "script_versions": [
            {
                "version": v.version,
                "applied_at": v.applied_at.astimezone(AMSTERDAM).isoformat(timespec="minutes"),
                "note": v.note,
            }
            for v in data.versions
        ],
        "not_derivable": list(NOT_DERIVABLE),
    }
    totals["labels"] = _labels(totals)
    return totals


#: The figures compared with the previous month, by a path into the totals.
COMPARED: dict[str, tuple[str, ...]] = {
    "meldingen": ("meldingen",),
    "acuut": ("per_urgency", "acuut"),
    "handed_over": ("handed_over", "count"),
    "habitability": ("habitability", "count"),
    "work_orders": ("work_orders", "count"),
    "sla_breaches": ("sla", "breaches"),
}


def _at(totals: dict[str, Any], path: tuple[str, ...]) -> int:
    value: Any = totals
    for key in path:
        value = value.get(key, 0) if isinstance(value, dict) else 0
    return int(value or 0)


def with_comparison(totals: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """``totals`` with a ``comparison`` part: each compared figure now, before and the change."""
    comparison = {}
    for name, path in COMPARED.items():
        now, before = _at(totals, path), _at(previous, path)
        comparison[name] = {"this_month": now, "previous_month": before, "change": now - before}
    return {**totals, "comparison": {"previous_month": previous["month"], **comparison}}
