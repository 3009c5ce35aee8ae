"""The monthly report per client: totals, CSV, JSON and a PDF with charts (docs/REPORTS.md)."""

from __future__ import annotations

from meldkamer.reports.mailing import (
    ReportMail,
    due_month,
    mail_key,
    mail_key_prefix,
    missing_report_mails,
)
from meldkamer.reports.monthly import MonthlyReport, build_report, mail_text, monthly_report
from meldkamer.reports.period import Month

__all__ = [
    "Month",
    "MonthlyReport",
    "ReportMail",
    "build_report",
    "due_month",
    "mail_key",
    "mail_key_prefix",
    "mail_text",
    "missing_report_mails",
    "monthly_report",
]
