"""The tables of the report's PDF, after the charts: every total in Dutch words."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

from meldkamer.reports.pdfparts import Styles, counts_table, duration, number, percent, table


def _section(st: Styles, title: str, *parts: Any) -> Any:
    return KeepTogether([Paragraph(title, st.heading), *parts, Spacer(1, 0.2 * cm)])


def _channels(st: Styles, t: dict[str, Any]) -> Any:
    labels, contacts = t["labels"]["channel"], t["contacts"]["inbound_per_channel"]
    codes = [c for c in labels if t["per_channel"].get(c, 0) or contacts.get(c, 0)]
    rows = [
        [labels[c], number(t["per_channel"].get(c, 0)), number(contacts.get(c, 0))] for c in codes
    ]
    return _section(
        st,
        "Kanalen",
        table(st, ["kanaal", "meldingen", "binnengekomen contacten"], rows, (7, 3, 4)),
    )


def _handover(st: Styles, t: dict[str, Any]) -> Any:
    h, cb = t["handed_over"], t["callbacks"]
    rows = [
        [
            "Helemaal door de assistent afgehandeld",
            number(h["assistant_only"]),
            percent(h["assistant_only_share"]),
        ],
        ["Overgedragen aan een medewerker", number(h["count"]), percent(h["share"])],
        ["Wachttijd op een medewerker, mediaan", duration(h["wait_minutes"]["median"]), ""],
        ["Wachttijd op een medewerker, 90e percentiel", duration(h["wait_minutes"]["p90"]), ""],
        ["Overdracht niet opgepakt", number(h["not_taken"]), ""],
        ["Terugbelverzoeken", number(cb["count"]), ""],
        [
            "Terugbellen, mediaan tot een medewerker het oppakte",
            duration(cb["minutes"]["median"]),
            "",
        ],
        ["Terugbelverzoek nog niet opgepakt", number(cb["not_made"]), ""],
    ]
    return _section(
        st,
        "Assistent en medewerkers",
        table(st, ["", "aantal / tijd", "aandeel"], rows, (9, 3, 2.5)),
    )


def _contractors(st: Styles, t: dict[str, Any]) -> Any:
    rows = []
    for c in t["work_orders"]["per_contractor"].values():
        sla = c["sla"]
        rows.append(
            [
                c["name"],
                number(c["count"]),
                duration(c["acknowledged_minutes"]["median"]),
                duration(c["arrival_minutes"]["median"]),
                duration(c["done_minutes"]["median"]),
                number(sla["op_tijd"]),
                number(sla["te_laat"]),
                number(sla["verlopen"]),
                number(c["escalated"]),
            ]
        )
    header = [
        "aannemer",
        "bonnen",
        "bevestigd",
        "ter plaatse",
        "gereed",
        "op tijd",
        "te laat",
        "verlopen",
        "doorgezet",
    ]
    note = Paragraph(
        "Bevestigd, ter plaatse, gereed: mediaan van de tijd vanaf het versturen van de "
        "werkbon. Doorgezet: niet op tijd bevestigd, de volgende aannemer is gevraagd.",
        st.small,
    )
    widths = (3.4, 1.5, 1.9, 2.0, 2.0, 1.4, 1.4, 1.7, 1.8)
    return _section(st, "Werkbonnen per aannemer", table(st, header, rows, widths), note)


def _sla(st: Styles, t: dict[str, Any]) -> Any:
    rows = [
        [
            c["label"],
            duration(c["target_minutes"]),
            number(c["count"]),
            number(c["op_tijd"]),
            number(c["te_laat"]),
            number(c["verlopen"]),
            number(c["loopt"]),
            number(c["escalated"]),
        ]
        for c in t["sla"]["per_clock"].values()
        if c["count"]
    ]
    header = [
        "afspraak",
        "doel",
        "aantal",
        "op tijd",
        "te laat",
        "verlopen",
        "loopt",
        "geëscaleerd",
    ]
    note = Paragraph(
        "Op tijd: binnen het doel nagekomen. Te laat: na het doel nagekomen. Verlopen: het doel "
        "is verstreken zonder dat de afspraak werd nagekomen. Geëscaleerd: doorgezet naar de "
        "volgende aannemer, de supervisor van de meldkamer of uw piketmedewerker.",
        st.small,
    )
    return _section(
        st,
        "Afspraken (SLA)",
        table(st, header, rows, (4.4, 1.6, 1.5, 1.5, 1.5, 1.8, 1.5, 2.3)),
        note,
    )


def _habitability(st: Styles, t: dict[str, Any]) -> Any:
    tickets = t["habitability"]["tickets"]
    text = ", ".join(tickets) if tickets else "Geen deze maand."
    return _section(
        st, "Bewoonbaarheid in gevaar: u bent direct geïnformeerd", Paragraph(escape(text), st.body)
    )


def _versions(st: Styles, t: dict[str, Any]) -> Any:
    rows = [
        [f"versie {v['version']}", v["applied_at"][:16].replace("T", " "), v["note"] or ""]
        for v in t["script_versions"]
    ]
    return _section(
        st,
        "Scriptversies in gebruik",
        table(
            st,
            ["versie", "toegepast op", "toelichting"],
            rows,
            (2.5, 3.5, 9),
            empty="Geen versie van uw klantbestand bekend.",
        ),
    )


def _weekdays(st: Styles, t: dict[str, Any]) -> Any:
    labels = t["labels"]["weekday"]
    return _section(
        st,
        "Per dag van de week",
        counts_table(st, "dag", t["per_weekday"], labels, t["meldingen"]),
    )


def tables(st: Styles, t: dict[str, Any]) -> list[Any]:
    """The report's table pages."""
    total = t["meldingen"]
    story: list[Any] = [PageBreak(), Paragraph("De cijfers", st.heading)]
    story += [
        _channels(st, t),
        _section(
            st,
            "Onderwerpen",
            counts_table(st, "onderwerp", t["per_topic"], t["labels"]["topic"], total),
        ),
        _section(
            st,
            "Urgentie",
            counts_table(st, "urgentie", t["per_urgency"], t["labels"]["urgency"], total),
        ),
        _section(
            st,
            "Stand van de meldingen",
            counts_table(st, "status", t["per_status"], t["labels"]["status"], total),
        ),
        _weekdays(st, t),
        _handover(st, t),
        _contractors(st, t),
        _sla(st, t),
        _habitability(st, t),
        _versions(st, t),
        _section(
            st,
            "Niet af te leiden uit de registratie",
            *[Paragraph(f"• {escape(line)}", st.body) for line in t["not_derivable"]],
        ),
    ]
    return story
