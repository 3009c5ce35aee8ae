"""The monthly report as a PDF a manager reads in five minutes (reportlab + matplotlib).

Page 1: the headline figures with the previous month beside them and a few sentences
that say what they mean. Then the charts (volume per day, urgency mix, hour of day,
response times against the targets), then the tables (:mod:`meldkamer.reports.pdftables`).
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

from meldkamer.reports import charts
from meldkamer.reports.collect import MonthData
from meldkamer.reports.pdfparts import Styles, change, duration, number, percent, styles, table
from meldkamer.reports.pdftables import tables

#: The headline rows: label and the key of the figure in the totals' comparison.
HEADLINES = (
    ("Meldingen", "meldingen"),
    ("waarvan acuut", "acuut"),
    ("Overgedragen aan een medewerker", "handed_over"),
    ("Bewoonbaarheid in gevaar (u bent direct geïnformeerd)", "habitability"),
    ("Werkbonnen aan aannemers", "work_orders"),
    ("SLA-afspraken niet op tijd gehaald", "sla_breaches"),
)


def _headline_table(st: Styles, totals: dict[str, Any]) -> Any:
    comparison = totals["comparison"]
    rows = [
        [
            label,
            number(comparison[key]["this_month"]),
            number(comparison[key]["previous_month"]),
            change(comparison[key]["change"]),
        ]
        for label, key in HEADLINES
    ]
    previous = comparison["previous_month"]
    return table(
        st,
        ["", totals["month_label"], f"vorige maand ({previous})", "verschil"],
        rows,
        (8.2, 3.2, 3.6, 2.2),
    )


def _summary(totals: dict[str, Any]) -> list[str]:
    handed, sla = totals["handed_over"], totals["sla"]["per_clock"]
    wait = handed["wait_minutes"]
    lines = [
        f"De digitale assistent handelde {percent(handed['assistant_only_share'])} van de "
        f"meldingen helemaal zelf af; {number(handed['count'])} gingen naar een medewerker.",
    ]
    if wait["count"]:
        lines.append(
            f"Wachttijd op een medewerker: mediaan {duration(wait['median'])}, "
            f"90% binnen {duration(wait['p90'])}."
        )
    office = totals["office_hours"]
    lines.append(
        f"{number(office['outside'])} meldingen kwamen buiten uw kantooruren binnen, waarvan "
        f"{number(office['on_closed_days'])} op een feestdag, sluitingsdag of in het weekend."
    )
    for clock in sla.values():
        if clock["count"]:
            lines.append(
                f"{clock['label'].capitalize()}: {percent(clock['on_time_share'])} op tijd "
                f"({number(clock['op_tijd'])} van {number(clock['op_tijd'] + clock['te_laat'] + clock['verlopen'])})."
            )
    return lines


def _page_one(st: Styles, data: MonthData, totals: dict[str, Any]) -> list[Any]:
    made = totals["made_at"][:16].replace("T", " ")
    story: list[Any] = [
        Paragraph(f"Maandrapportage {escape(totals['month_label'])}", st.title),
        Paragraph(escape(data.client_name), st.subtitle),
        Paragraph(
            f"Gemaakt op {made} (Europe/Amsterdam) uit de geregistreerde gegevens.", st.small
        ),
        Spacer(1, 0.5 * cm),
        Paragraph("Kerncijfers", st.heading),
        _headline_table(st, totals),
        Spacer(1, 0.4 * cm),
        Paragraph("In het kort", st.heading),
    ]
    story += [Paragraph(f"• {escape(line)}", st.body) for line in _summary(totals)]
    return story


def _image(png: bytes, width_cm: float) -> Image:
    image = Image(io.BytesIO(png))
    ratio = image.imageHeight / image.imageWidth
    image.drawWidth, image.drawHeight = width_cm * cm, width_cm * cm * ratio
    return image


def _charts(st: Styles, data: MonthData, totals: dict[str, Any]) -> list[Any]:
    pair = Table(
        [
            [
                _image(charts.urgency_mix(totals["per_urgency"]), 8.4),
                _image(charts.per_hour(totals["per_hour"]), 8.4),
            ]
        ],
        colWidths=[8.6 * cm, 8.6 * cm],
    )
    return [
        PageBreak(),
        Paragraph("In beeld", st.heading),
        _image(charts.volume_per_day(data), 17.2),
        Spacer(1, 0.3 * cm),
        pair,
        Spacer(1, 0.3 * cm),
        _image(charts.sla_against_targets(totals["sla"]), 17.2),
    ]


def _footer(label: str, font: str) -> Any:
    def draw(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.drawString(2 * cm, 1.2 * cm, label)
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"pagina {document.page}")
        canvas.restoreState()

    return draw


def month_pdf(data: MonthData, totals: dict[str, Any]) -> bytes:
    """The PDF's bytes; ``totals`` must carry the comparison (see ``with_comparison``)."""
    st = styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=2 * cm,
        title=f"Maandrapportage {totals['month_label']} – {data.client_name}",
        author="Meldkamer",
        lang="nl",
    )
    story = _page_one(st, data, totals) + _charts(st, data, totals) + tables(st, totals)
    footer = _footer(f"Meldkamer · {data.client_name} · {totals['month_label']}", st.font)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
