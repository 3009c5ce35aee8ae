"""Building blocks of the report's PDF: styles, tables and the Dutch ways of writing figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, Table, TableStyle

from meldkamer.reports.fonts import report_fonts

HEADER_BG = colors.HexColor("#1f3a5f")
STRIPE_BG = colors.HexColor("#f2f4f7")


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of the report."""

    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    font: str
    bold: str


def styles() -> Styles:
    """The report's styles in its font."""
    font, bold = report_fonts()
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13)
    return Styles(
        title=ParagraphStyle("title", parent=base, fontName=bold, fontSize=18, leading=22),
        subtitle=ParagraphStyle("subtitle", parent=base, fontSize=12, leading=16),
        heading=ParagraphStyle(
            "heading", parent=base, fontName=bold, fontSize=12, leading=16, spaceBefore=10
        ),
        body=base,
        small=ParagraphStyle("small", parent=base, fontSize=8, leading=10.5),
        cell=ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        font=font,
        bold=bold,
    )


def number(value: float | int | None, decimals: int = 0) -> str:
    """A figure the Dutch way (``1.234``, ``12,5``); a dash for no value."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def percent(value: float | None) -> str:
    """A share as ``12,5%``; a dash for no value."""
    return "–" if value is None else f"{number(value, 1)}%"


def duration(value: float | None) -> str:
    """Minutes as ``45 min`` or ``3 u 20 min``; a dash for no value."""
    if value is None:
        return "–"
    whole = round(value)
    if whole < 60:
        return f"{whole} min"
    hours, rest = divmod(whole, 60)
    return f"{hours} u {rest} min" if rest else f"{hours} u"


def change(value: int) -> str:
    """A change with its sign (``+3``, ``−2``, ``0``)."""
    if value > 0:
        return f"+{number(value)}"
    return f"−{number(-value)}" if value < 0 else "0"


def table(
    st: Styles,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    empty: str = "Geen gegevens deze maand.",
) -> Any:
    """A striped table with a header row (text cells are escaped); ``empty`` when no rows."""
    if not rows:
        return Paragraph(empty, st.body)
    head = ParagraphStyle(
        "head", parent=st.cell, fontName=st.bold, fontSize=7.5, textColor=colors.white
    )
    cells = [[Paragraph(escape(h), head) for h in header]]
    for row in rows:
        cells.append([c if not isinstance(c, str) else Paragraph(escape(c), st.cell) for c in row])
    result = Table(cells, colWidths=[w * cm for w in widths], repeatRows=1, hAlign="LEFT")
    commands: list[Any] = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.HexColor("#99a3ad")),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    commands += [("BACKGROUND", (0, i), (-1, i), STRIPE_BG) for i in range(2, len(cells), 2)]
    result.setStyle(TableStyle(commands))
    return result


def counts_table(
    st: Styles,
    title: str,
    counted: dict[str, int],
    labels: dict[str, str],
    total: int,
    widths: Sequence[float] = (7, 2.5, 2.5),
) -> Any:
    """A table of counts with their share of ``total``; rows at 0 are left out."""
    rows = [
        [labels.get(code, code), number(n), percent(100 * n / total if total else None)]
        for code, n in counted.items()
        if n
    ]
    return table(st, [title, "aantal", "aandeel"], rows, widths)
