"""The monthly report per client: totals, CSV, JSON and a PDF with charts (docs/REPORTS.md)."""

from __future__ import annotations

from meldkamer.reports.monthly import (
    MonthlyReport,
    build_report,
    mail_key_prefix,
    mail_text,
    monthly_report,
)
from meldkamer.reports.period import Month

__all__ = [
    "Month",
    "MonthlyReport",
    "build_report",
    "mail_key_prefix",
    "mail_text",
    "monthly_report",
]
