"""One client's monthly report in its three forms: PDF, CSV and JSON, from one set of totals.

The previous month is read as well, for the comparison on page 1; both months come
through :mod:`meldkamer.clientview`, so the report shows what the portal shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy.orm import Session

from meldkamer.clients.schema import Client
from meldkamer.reports.collect import MonthData, collect_month
from meldkamer.reports.csvfile import month_csv
from meldkamer.reports.period import Month
from meldkamer.reports.totals import month_totals, with_comparison


@dataclass(frozen=True)
class MonthlyReport:
    """A client's month as files: ``<client>-<month>.pdf``, ``.csv`` and ``.json``."""

    client_id: str
    month: Month
    totals: dict[str, Any]
    pdf: bytes
    csv: bytes
    json: bytes

    @property
    def stem(self) -> str:
        """The files' common name: ``de-linde-2026-10``."""
        return f"{self.client_id}-{self.month}"

    def files(self) -> dict[str, bytes]:
        """File name -> bytes, the three of them."""
        return {
            f"{self.stem}.pdf": self.pdf,
            f"{self.stem}.csv": self.csv,
            f"{self.stem}.json": self.json,
        }


def build_report(data: MonthData, previous: MonthData) -> MonthlyReport:
    """The report of ``data``'s month, compared with ``previous`` (pure, no database)."""
    # Imported here: reportlab and matplotlib took 1.2 s of every action server's and
    # Rasa server's start (they import meldkamer.reports for its metrics), for a PDF only
    # the report job draws.
    from meldkamer.reports.pdf import month_pdf

    totals = with_comparison(month_totals(data), month_totals(previous))
    text = json.dumps(totals, ensure_ascii=False, indent=2) + "\n"
    return MonthlyReport(
        client_id=data.client_id,
        month=data.month,
        totals=totals,
        pdf=month_pdf(data, totals),
        csv=month_csv(data),
        json=text.encode("utf-8"),
    )


def monthly_report(session: Session, client: Client, month: Month, now: datetime) -> MonthlyReport:
    """Read the client's month and the one before from the database and build the report."""
    data = collect_month(session, client, month, now)
    previous = collect_month(session, client, month.previous(), now)
    return build_report(data, previous)


@dataclass(frozen=True)
class MailText:
    """The subject and body of the e-mail that carries a report."""

    subject: str
    body: str


@lru_cache(maxsize=1)
def _texts() -> dict[str, str]:
    raw = resources.files("meldkamer.reports").joinpath("texts.yml").read_text("utf-8")
    data = yaml.safe_load(raw)
    if not isinstance(data, dict) or not {"onderwerp", "tekst"} <= set(data):
        raise ValueError("meldkamer/reports/texts.yml mist 'onderwerp' of 'tekst'")
    return {"subject": str(data["onderwerp"]), "body": str(data["tekst"])}


def mail_text(report: MonthlyReport, client_name: str) -> MailText:
    """The e-mail for ``report`` in the words of ``texts.yml``."""
    fields = {
        "opdrachtgever": client_name,
        "maand": report.month.label,
        "meldingen": report.totals["meldingen"],
        "bestand": f"{report.stem}.pdf",
    }
    texts = _texts()
    subject = " ".join(texts["subject"].format(**fields).split())
    return MailText(subject=subject, body=texts["body"].format(**fields))
