"""Client files: the SLA targets and the piket roster, read and checked like the rest."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from meldkamer.clients import parse_client
from meldkamer.clients.schema import (
    DEFAULT_ANSWER_MINUTES,
    DEFAULT_DONE_HOURS,
    DEFAULT_ON_SITE_HOURS,
)
from meldkamer.triage import load_table
from tests.core.test_clients_loader import BASE, line_of, refused, write

ROOT = Path(__file__).resolve().parents[2]

PIKET = """\
sla:
  ter_plaatse_uren: 3
  antwoord_minuten: 5
piket:
  medewerkers:
    kees:
      naam: Kees Piket
      telefoon: "06 2000 0001"
      sms: "06 2000 0001"
      email: kees@woonzorg.example.nl
    anna:
      naam: Anna Piket
      telefoon: "020 200 0002"
      email: anna@woonzorg.example.nl
  standaard: [kees]
  rooster:
    - van: 2026-12-07T17:00
      tot: 2026-12-08T08:00
      medewerkers: [anna, kees]
"""


@pytest.fixture(scope="module")
def table():
    return load_table()


def test_without_sla_and_piket_the_defaults_hold(table) -> None:
    client = parse_client(BASE, "woonzorg.yml", table)
    assert client.sla.on_site_hours == DEFAULT_ON_SITE_HOURS
    assert client.sla.done_hours == DEFAULT_DONE_HOURS
    assert client.sla.answer_minutes == DEFAULT_ANSWER_MINUTES
    assert client.piket.on_duty(datetime(2026, 12, 7, 20, tzinfo=timezone.utc)) == ()


def test_sla_targets_and_the_piket_roster_are_read(table) -> None:
    client = parse_client(BASE + PIKET, "woonzorg.yml", table)
    assert (client.sla.on_site_hours, client.sla.done_hours, client.sla.answer_minutes) == (
        3,
        DEFAULT_DONE_HOURS,
        5,
    )
    # In the roster period (Amsterdam 17:00-08:00 is 16:00-07:00 UTC in winter) Anna first.
    night = datetime(2026, 12, 7, 20, tzinfo=timezone.utc)
    assert [p.id for p in client.piket.on_duty(night)] == ["anna", "kees"]
    # Outside it the standing list; phone numbers in E.164, the SMS to the mobile.
    day = datetime(2026, 12, 8, 9, tzinfo=timezone.utc)
    (kees,) = client.piket.on_duty(day)
    assert kees.name == "Kees Piket" and kees.sms_number == "+31620000001"
    assert client.piket.employees["anna"].sms_number == "+31202000002"


def test_the_demo_client_has_a_piket_on_duty_all_december(table) -> None:
    from meldkamer.clients import load_client

    client = load_client(ROOT / "clients" / "de-linde.yml", table).client
    for day in (1, 8, 24):
        assert client.piket.on_duty(datetime(2026, 12, day, 3, tzinfo=timezone.utc))


CASES = {
    "unknown_employee": (
        "medewerkers: [anna, kees]",
        "medewerkers: [anna, jan]",
        "medewerkers: [anna, jan]",
        "piket.rooster[0].medewerkers[1]",
        "onbekende medewerker 'jan'",
    ),
    "twice_in_chain": (
        "standaard: [kees]",
        "standaard: [kees, kees]",
        "standaard: [kees, kees]",
        "piket.standaard[1]",
        "staat al eerder in deze keten",
    ),
    "overlapping_periods": (
        "      medewerkers: [anna, kees]\n",
        "      medewerkers: [anna, kees]\n    - van: 2026-12-08T07:00\n"
        "      tot: 2026-12-09T08:00\n      medewerkers: [kees]\n",
        "- van: 2026-12-08T07:00",
        "piket.rooster[1]",
        "periode overlapt met rooster[0]",
    ),
    "period_without_people": (
        "      medewerkers: [anna, kees]\n",
        "      medewerkers: []\n",
        "medewerkers: []",
        "piket.rooster[0].medewerkers",
        "mag niet leeg",
    ),
    "contractor_key_in_piket": (
        "      medewerkers: [anna, kees]\n",
        "      aannemers: [anna, kees]\n",
        "aannemers: [anna, kees]",
        "piket.rooster[0].aannemers",
        "onbekend veld",
    ),
    "employee_without_email": (
        "      email: anna@woonzorg.example.nl\n",
        "",
        "    anna:",
        "piket.medewerkers.anna",
        "email",
    ),
    "landline_as_sms": (
        'sms: "06 2000 0001"',
        'sms: "020 200 0001"',
        'sms: "020 200 0001"',
        "piket.medewerkers.kees.sms",
        "06",
    ),
    "sla_out_of_range": (
        "antwoord_minuten: 5",
        "antwoord_minuten: 0",
        "antwoord_minuten: 0",
        "sla.antwoord_minuten",
        "moet tussen 1 en 1440 liggen",
    ),
    "sla_unknown_key": (
        "ter_plaatse_uren: 3",
        "ter_plaatse_uur: 3",
        "ter_plaatse_uur: 3",
        "sla.ter_plaatse_uur",
        "onbekend veld",
    ),
}


@pytest.mark.parametrize(("old", "new", "marker", "field", "words"), CASES.values(), ids=CASES)
def test_each_piket_or_sla_mistake_is_named_by_line_and_field(
    tmp_path: Path, table, old: str, new: str, marker: str, field: str, words: str
) -> None:
    text = BASE + PIKET
    assert old in text, "the case must change something"
    text = text.replace(old, new, 1)
    problems = refused(tmp_path, text, table)
    prefix = f"{write(tmp_path, text)}:{line_of(text, marker)}: {field}"
    matching = [p for p in problems if p.startswith(prefix) and words in p]
    assert matching, f"expected {prefix}...{words}... in:\n" + "\n".join(problems)


def test_a_roster_without_employees_is_refused(tmp_path: Path, table) -> None:
    text = BASE + "piket:\n  standaard: [kees]\n"
    problems = refused(tmp_path, text, table)
    assert any("piket.standaard[0]" in p and "onbekende medewerker" in p for p in problems)
