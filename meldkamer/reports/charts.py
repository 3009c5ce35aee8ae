"""The report's charts with matplotlib (Agg, no GUI): PNG bytes for the PDF.

Built on :class:`matplotlib.figure.Figure` rather than ``pyplot``, so no global state is
touched and two reports can be drawn at once. Colours match the console's urgency colours.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from meldkamer.clientview import URGENCY_ORDER, urgency_label
from meldkamer.reports.collect import MonthData
from meldkamer.triage.officehours import AMSTERDAM

URGENCY_COLOURS = {"acuut": "#c0392b", "urgent": "#e67e22", "niet_urgent": "#2e86c1"}
OUTCOME_COLOURS = {"op_tijd": "#27ae60", "te_laat": "#f1c40f", "verlopen": "#c0392b"}
OUTCOME_NAMES = {"op_tijd": "op tijd", "te_laat": "te laat", "verlopen": "verlopen"}
DPI = 150


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def _style(axes: Any, title: str) -> None:
    axes.set_title(title, loc="left", fontsize=11, fontweight="bold")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=8)


def volume_per_day(data: MonthData) -> bytes:
    """Meldingen per day of the month, stacked by urgency."""
    days = list(data.month.days())
    counts = {u: [0] * len(days) for u in URGENCY_ORDER}
    for melding in data.meldingen:
        index = melding.created_at.astimezone(AMSTERDAM).day - 1
        counts.setdefault(melding.urgency, [0] * len(days))[index] += 1
    figure = Figure(figsize=(7.2, 2.6))
    axes = figure.add_subplot()
    bottom = [0] * len(days)
    x = [d.day for d in days]
    for urgency, values in counts.items():
        colour = URGENCY_COLOURS.get(urgency, "#7f8c8d")
        axes.bar(x, values, bottom=bottom, color=colour, label=urgency_label(urgency), width=0.8)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for day in days:
        if day.weekday() >= 5 or data.office.is_closed_day(day):
            axes.axvspan(day.day - 0.5, day.day + 0.5, color="#ecf0f1", zorder=0)
    axes.set_xticks(x[::2])
    axes.set_xlim(0.3, len(days) + 0.7)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel(f"dag van {data.month.label} (grijs: weekend of kantoor gesloten)", fontsize=8)
    axes.legend(fontsize=8, frameon=False, ncol=3, loc="lower right", bbox_to_anchor=(1, 1))
    _style(axes, "Meldingen per dag")
    return _png(figure)


def urgency_mix(per_urgency: Mapping[str, int]) -> bytes:
    """The urgency mix as horizontal bars with count and share."""
    total = sum(per_urgency.values())
    codes = list(per_urgency)[::-1]
    figure = Figure(figsize=(3.5, 2.2))
    axes = figure.add_subplot()
    values = [per_urgency[c] for c in codes]
    colours = [URGENCY_COLOURS.get(c, "#7f8c8d") for c in codes]
    axes.barh([urgency_label(c) for c in codes], values, color=colours)
    for index, value in enumerate(values):
        pct = f" {value} ({100 * value / total:.0f}%)" if total else " 0"
        axes.text(value, index, pct, va="center", fontsize=8)
    axes.set_xlim(0, max(values + [1]) * 1.35)
    axes.xaxis.set_visible(False)
    _style(axes, "Urgentie")
    return _png(figure)


def sla_against_targets(sla: Mapping[str, Any]) -> bytes:
    """Per promise the share kept on time, kept late and breached, with its target."""
    rows = [(k, v) for k, v in sla["per_clock"].items() if v["count"]][::-1]
    figure = Figure(figsize=(7.2, 0.6 + 0.45 * max(len(rows), 1)))
    axes = figure.add_subplot()
    if not rows:
        axes.text(0.5, 0.5, "geen SLA-afspraken deze maand", ha="center", va="center")
        axes.set_axis_off()
        return _png(figure)
    labels = [f"{v['label']} (doel {_target(v['target_minutes'])})" for _, v in rows]
    left = [0.0] * len(rows)
    for outcome, colour in OUTCOME_COLOURS.items():
        values = [float(v[outcome]) for _, v in rows]
        axes.barh(labels, values, left=left, color=colour, label=OUTCOME_NAMES[outcome])
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.legend(fontsize=8, frameon=False, ncol=3, loc="lower right", bbox_to_anchor=(1, 1))
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel("aantal afspraken", fontsize=8)
    _style(axes, "Reactietijden tegen de afspraken")
    return _png(figure)


def per_hour(hours: Mapping[str, int]) -> bytes:
    """Meldingen per hour of the day (Europe/Amsterdam)."""
    figure = Figure(figsize=(3.5, 2.2))
    axes = figure.add_subplot()
    axes.bar([int(h) for h in hours], list(hours.values()), color="#5d6d7e", width=0.8)
    axes.set_xticks([0, 6, 12, 18, 23])
    axes.yaxis.get_major_locator().set_params(integer=True)
    _style(axes, "Per uur van de dag")
    return _png(figure)


def _target(target_minutes: int) -> str:
    if target_minutes % 60 == 0 and target_minutes >= 60:
        hours = target_minutes // 60
        return f"{hours} uur"
    return f"{target_minutes} min"
