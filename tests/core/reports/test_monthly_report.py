"""The monthly report on a generated month: every total against a count made here, from the specs.

The specs (tests/core/reports/month.py) are counted with plain Python in Europe/Amsterdam;
the report reads the database through meldkamer.clientview. Also: the PDF's text holds the
headline figures, the CSV has one row per melding with the documented columns.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, time, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.clients.store import latest
from meldkamer.reports import Month, MonthlyReport, monthly_report
from meldkamer.reports.csvfile import COLUMNS
from tests.core.reports.month import CLOSING_DAY, CONTRACTORS, Spec

ROOT = Path(__file__).resolve().parents[3]
OCTOBER = Month(2026, 10)
NOW = datetime(2026, 11, 1, 6, 0, tzinfo=timezone.utc)


def _report(sessions: sessionmaker[Session], client_id: str = "de-linde") -> MonthlyReport:
    with sessions() as session:
        client = latest(session).get(client_id)
        return monthly_report(session, client, OCTOBER, NOW)


def _of(specs: list[Spec], client: str, year: int, month: int) -> list[Spec]:
    return [
        s for s in specs if s.client == client and (s.local.year, s.local.month) == (year, month)
    ]


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}


def _closed(day: date) -> bool:
    # De Linde: open Monday to Friday; no Dutch public holiday falls in October 2026.
    return day.weekday() >= 5 or str(day) == CLOSING_DAY


def _open(moment: datetime) -> bool:
    closes = time(16) if moment.weekday() == 4 else time(17)
    return not _closed(moment.date()) and time(8) <= moment.time() < closes


@pytest.fixture(scope="module")
def report(month_sessions: sessionmaker[Session]) -> MonthlyReport:
    return _report(month_sessions)


def test_volume_totals_equal_the_generated_month(report: MonthlyReport, specs: list[Spec]) -> None:
    mine = _of(specs, "de-linde", 2026, 10)
    t = report.totals

    assert t["client"] == {"id": "de-linde", "name": "Woonstichting De Linde"}
    assert t["month"] == "2026-10"
    assert t["meldingen"] == len(mine) > 60
    assert _nonzero(t["per_urgency"]) == Counter(s.urgency for s in mine)
    assert _nonzero(t["per_channel"]) == Counter(s.channel for s in mine)
    assert _nonzero(t["per_topic"]) == Counter(s.topic for s in mine)
    assert _nonzero(t["per_status"]) == Counter(s.status for s in mine)
    assert _nonzero(t["per_day"]) == Counter(str(s.local.date()) for s in mine)
    assert len(t["per_day"]) == 31
    assert _nonzero(t["per_hour"]) == Counter(f"{s.local.hour:02d}" for s in mine)
    weekdays = ("ma", "di", "wo", "do", "vr", "za", "zo")
    assert _nonzero(t["per_weekday"]) == Counter(weekdays[s.local.weekday()] for s in mine)
    assert t["office_hours"] == {
        "inside": sum(1 for s in mine if _open(s.local)),
        "outside": sum(1 for s in mine if not _open(s.local)),
        "on_closed_days": sum(1 for s in mine if _closed(s.local.date())),
    }
    assert t["habitability"]["count"] == sum(1 for s in mine if s.inform_client)
    assert len(t["habitability"]["tickets"]) == t["habitability"]["count"]
    assert t["needs_assessment"] == sum(1 for s in mine if s.needs_assessment)
    # One inbound contact per melding; the meldkamer's internal notes are not the client's.
    assert t["contacts"] == {
        "total": len(mine),
        "inbound": len(mine),
        "inbound_per_channel": t["contacts"]["inbound_per_channel"],
    }
    assert _nonzero(t["contacts"]["inbound_per_channel"]) == Counter(s.channel for s in mine)


def test_the_dst_night_and_the_month_bounds(report: MonthlyReport, specs: list[Spec]) -> None:
    t = report.totals
    mine = _of(specs, "de-linde", 2026, 10)
    # Both 02:30s of 25 October (CEST, then CET) are on the 25th in hour 02.
    dst = [s for s in mine if s.local.date() == date(2026, 10, 25) and s.local.hour == 2]
    assert len({s.at for s in dst}) >= 2
    assert t["per_day"]["2026-10-25"] == sum(1 for s in mine if s.local.day == 25)
    # 00:05 on 1 October (30 September in UTC) counts; 00:10 on 1 November does not.
    assert t["per_day"]["2026-10-01"] >= 1 and t["per_day"]["2026-10-31"] >= 1
    assert t["period"] == {"start": "2026-10-01T00:00:00+02:00", "end": "2026-11-01T00:00:00+01:00"}


def test_handovers_work_orders_and_sla(report: MonthlyReport, specs: list[Spec]) -> None:
    mine = _of(specs, "de-linde", 2026, 10)
    t = report.totals
    handed = [s for s in mine if s.handed_over]
    waits = [float(s.handover_wait) for s in handed if s.handover_wait is not None]
    ranked = sorted(waits)

    assert t["handed_over"]["count"] == len(handed)
    assert t["handed_over"]["assistant_only"] == len(mine) - len(handed)
    assert t["handed_over"]["not_taken"] == len(handed) - len(waits)
    assert t["handed_over"]["wait_minutes"] == {
        "count": len(waits),
        "median": round(statistics.median(waits), 1),
        "p90": ranked[-(-9 * len(ranked) // 10) - 1],
    }
    assert t["callbacks"]["count"] == sum(1 for s in handed if s.callback)

    orders = [o for s in mine for o in s.orders]
    assert t["work_orders"]["count"] == len(orders)
    assert t["work_orders"]["escalated"] == sum(1 for o in orders if o.escalated)
    per_contractor = Counter(o.contractor for o in orders)
    assert {c: v["count"] for c, v in t["work_orders"]["per_contractor"].items()} == per_contractor
    assert {v["name"] for v in t["work_orders"]["per_contractor"].values()} <= set(
        dict(CONTRACTORS).values()
    )

    clocks = [c for o in orders for c in o.clocks]
    for kind in ("bevestiging", "ter_plaatse", "gereed"):
        of_kind = Counter(c.outcome for c in clocks if c.kind == kind)
        got = t["sla"]["per_clock"][kind]
        assert got["count"] == sum(of_kind.values())
        for outcome in ("op_tijd", "te_laat", "verlopen", "loopt"):
            assert got[outcome] == of_kind[outcome], (kind, outcome)
        assert got["escalated"] == sum(1 for c in clocks if c.kind == kind and c.escalated)
    assert t["sla"]["breaches"] == sum(1 for c in clocks if c.outcome in ("te_laat", "verlopen"))
    assert t["sla"]["per_clock"]["bevestiging"]["target_minutes"] == 15


def test_comparison_and_script_versions(report: MonthlyReport, specs: list[Spec]) -> None:
    t = report.totals
    october, september = _of(specs, "de-linde", 2026, 10), _of(specs, "de-linde", 2026, 9)
    assert t["comparison"]["previous_month"] == "2026-09"
    assert t["comparison"]["meldingen"] == {
        "this_month": len(october),
        "previous_month": len(september),
        "change": len(october) - len(september),
    }
    assert t["comparison"]["acuut"]["previous_month"] == sum(
        1 for s in september if s.urgency == "acuut"
    )
    assert [v["version"] for v in t["script_versions"]] == [1, 2]
    assert t["script_versions"][1]["note"] == "sluitingsdag"
    assert t["not_derivable"], "what the data cannot tell is said"


def test_another_client_sees_only_its_own(
    month_sessions: sessionmaker[Session], specs: list[Spec]
) -> None:
    other = _report(month_sessions, "vve-beheer-noord")
    mine = _of(specs, "vve-beheer-noord", 2026, 10)
    assert other.totals["meldingen"] == len(mine)
    assert other.totals["client"]["name"] == "VvE Beheer Noord"
    assert other.totals["comparison"]["meldingen"]["previous_month"] == 0
    assert other.totals["script_versions"][0]["version"] == 1


def test_the_pdf_opens_and_holds_the_headline_figures(report: MonthlyReport) -> None:
    t = report.totals
    reader = PdfReader(io.BytesIO(report.pdf))
    assert len(reader.pages) >= 3
    # Words only: the extracted lines break where the PDF's lines do.
    first = " ".join(reader.pages[0].extract_text().split())
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())

    assert "Maandrapportage oktober 2026" in first
    assert "Woonstichting De Linde" in first
    assert "geïnformeerd" in first  # the font carries ï and ë
    c = t["comparison"]
    row = rf"Meldingen\s+{c['meldingen']['this_month']}\s+{c['meldingen']['previous_month']}\s+\+?{c['meldingen']['change']}"
    assert re.search(row, first), first
    assert re.search(rf"waarvan acuut\s+{c['acuut']['this_month']}\s", first)
    assert re.search(rf"Overgedragen aan een medewerker\s+{t['handed_over']['count']}\s", first)
    assert f"{t['handed_over']['count']} gingen naar een medewerker" in first
    for contractor in t["work_orders"]["per_contractor"].values():
        assert contractor["name"].split()[0] in text
    for number in t["habitability"]["tickets"]:
        assert number in text


def test_the_csv_has_one_row_per_melding_and_no_personal_details(report: MonthlyReport) -> None:
    rows = list(csv.reader(io.StringIO(report.csv.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert tuple(header) == COLUMNS
    assert len(body) == report.totals["meldingen"]
    numbers = [r[0] for r in body]
    assert len(set(numbers)) == len(numbers)
    assert set(report.totals["habitability"]["tickets"]) == {
        r[0] for r in body if r[COLUMNS.index("bewoonbaarheid_in_gevaar")] == "ja"
    }
    assert Counter(r[COLUMNS.index("urgentie")] for r in body) == Counter(
        {
            "Acuut": report.totals["per_urgency"]["acuut"],
            "Urgent": report.totals["per_urgency"]["urgent"],
            "Niet urgent": report.totals["per_urgency"]["niet_urgent"],
        }
    )
    text = report.csv.decode("utf-8-sig")
    for private in ("Jan de Vries", "+31612345678", "jan@example.nl", "Lekkage uit het plafond"):
        assert private not in text


def test_every_csv_column_is_documented() -> None:
    doc = (ROOT / "docs" / "REPORTS.md").read_text("utf-8")
    section = doc.split("\n## The CSV\n", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)
    assert tuple(documented) == COLUMNS


def test_the_servers_do_not_load_the_pdf_libraries() -> None:
    # reportlab and matplotlib took 1.2 s of every server start; only a report needs them.
    probe = (
        "import sys, rasa_addons.action_server, actions, meldkamer.reports\n"
        "print(sorted(m for m in ('matplotlib', 'reportlab') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert loaded.stdout.strip() == "[]"
