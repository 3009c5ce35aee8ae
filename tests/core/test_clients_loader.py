"""Client files: the demo files read, and every kind of mistake is named by file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from meldkamer.clients import ClientFileError, load_client, parse_client
from meldkamer.clients.loader import render_path
from meldkamer.triage import load_table

ROOT = Path(__file__).resolve().parents[2]
DEMO_FILES = sorted((ROOT / "clients").glob("*.yml"))

# A small valid client; the cases below break one thing in it at a time.
BASE = """\
id: woonzorg
naam: Woonzorg Test
soort: woningcorporatie
contact:
  telefoon: "020 123 4567"
  email: info@woonzorg.example.nl
notificatie_email: [meldingen@woonzorg.example.nl]
aannemers:
  jansen-cv:
    naam: Jansen CV
    telefoon: "+31 6 1000 0001"
    email: cv@jansen.example.nl
  pietersen:
    naam: Pietersen
    telefoon: "06 1000 0002"
    sms: "06 1000 0002"
    email: p@pietersen.example.nl
standaard_aannemers:
  cv: [jansen-cv, pietersen]
complexen:
  - id: hof
    naam: Hof
    adressen:
      - {postcode: "1234 AB", van: 1, tot: 20}
    vakgebieden:
      cv:
        standaard: [pietersen]
        rooster:
          - van: 2026-12-07T08:00
            tot: 2026-12-14T08:00
            aannemers: [jansen-cv]
          - van: 2026-12-14T08:00
            tot: 2026-12-21T08:00
            aannemers: [pietersen]
  - id: plein
    naam: Plein
    adressen:
      - {postcode: "1234 AC"}
"""


@pytest.fixture(scope="module")
def table():
    return load_table()


def write(tmp_path: Path, text: str, name: str = "woonzorg.yml") -> Path:
    folder = tmp_path / "clients"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def line_of(text: str, marker: str, occurrence: int = 1) -> int:
    """The line (1-based) of the n-th occurrence of ``marker``."""
    position = -1
    for _ in range(occurrence):
        position = text.index(marker, position + 1)
    return text.count("\n", 0, position) + 1


def refused(tmp_path: Path, text: str, table) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ClientFileError) as caught:
        load_client(path, table)
    return [str(problem) for problem in caught.value.problems]


# --- valid files ---------------------------------------------------------------------------


def test_there_are_demo_files() -> None:
    assert len(DEMO_FILES) >= 2


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda p: p.name)
def test_demo_files_are_valid(path: Path, table) -> None:
    loaded = load_client(path, table)
    # The file is named after the client, so people find it.
    assert loaded.client.id == path.stem
    assert loaded.source == path.read_text("utf-8")
    assert loaded.client.complexes and loaded.client.contractors


def test_the_documented_example_is_valid(table) -> None:
    doc = (ROOT / "docs" / "CLIENTS.md").read_text("utf-8")
    example = doc.split("## A full example\n\n```yaml\n", 1)[1].split("```", 1)[0]
    client = parse_client(example, "docs/CLIENTS.md", table)
    assert client.id == "de-linde" and client.protocol and client.notices


def test_the_base_of_the_cases_is_valid(table) -> None:
    client = parse_client(BASE, "woonzorg.yml", table)
    assert client.id == "woonzorg"
    # Phone numbers in any Dutch form are stored in E.164.
    assert client.contact.phone == "+31201234567"
    assert client.contractors["pietersen"].sms == "+31610000002"
    # Defaults of triage.md when the file sets nothing.
    assert client.escalation_minutes == 15
    assert client.heating_season.start == (10, 1) and client.heating_season.end == (4, 30)
    assert sorted(client.office.hours) == [0, 1, 2, 3, 4]


def test_the_message_has_the_documented_form(tmp_path: Path, monkeypatch, table) -> None:
    monkeypatch.chdir(tmp_path)
    text = BASE.replace("aannemers: [pietersen]", "aannemers: [jansen]")
    write(tmp_path, text)
    with pytest.raises(ClientFileError) as caught:
        load_client("clients/woonzorg.yml", table)
    line = line_of(text, "aannemers: [jansen]")
    assert str(caught.value) == (
        f"clients/woonzorg.yml:{line}: complexen[0].vakgebieden.cv.rooster[1].aannemers[0]: "
        "onbekende aannemer 'jansen'"
    )


# --- each kind of mistake ------------------------------------------------------------------

# (old text, new text, marker of the line the message must name (None: line 1), field, words)
CASES = {
    # A required field is missing: the message points at the enclosing block.
    "missing_required": ("naam: Woonzorg Test\n", "", None, "naam", "verplicht veld ontbreekt"),
    # A required field inside a block is missing.
    "missing_nested": (
        "    email: cv@jansen.example.nl\n",
        "",
        "jansen-cv:",
        "aannemers.jansen-cv.email",
        "verplicht veld ontbreekt",
    ),
    # A number where text is expected.
    "wrong_type_text": (
        "naam: Hof",
        "naam: 12",
        "naam: 12",
        "complexen[0].naam",
        "verwacht tekst",
    ),
    # Text where a number is expected.
    "wrong_type_number": (
        "soort: woningcorporatie\n",
        "soort: woningcorporatie\nescalatie_minuten: vijftien\n",
        "escalatie_minuten",
        "escalatie_minuten",
        "verwacht een geheel getal",
    ),
    # A list where a block is expected.
    "wrong_type_block": (
        'contact:\n  telefoon: "020 123 4567"\n  email: info@woonzorg.example.nl\n',
        "contact: [info@woonzorg.example.nl]\n",
        "contact:",
        "contact",
        "verwacht een blok",
    ),
    # The client id must be a slug.
    "id_not_slug": ("id: woonzorg", "id: Woon Zorg", "id:", "id", "geen geldige id"),
    # A contractor id must be a slug.
    "contractor_id_not_slug": (
        "  pietersen:\n",
        "  Pietersen BV:\n",
        "Pietersen BV:",
        "aannemers.Pietersen BV",
        "geen geldige id",
    ),
    # A complex id must be a slug.
    "complex_id_not_slug": (
        "id: hof",
        "id: hof_1",
        "id: hof_1",
        "complexen[0].id",
        "geen geldige id",
    ),
    # Unknown kind of client.
    "unknown_kind": (
        "soort: woningcorporatie",
        "soort: stichting",
        "soort:",
        "soort",
        "onbekende soort 'stichting'",
    ),
    # A misspelt field is not silently ignored.
    "unknown_field": (
        "    email: p@pietersen.example.nl",
        "    emial: p@pietersen.example.nl",
        "emial",
        "aannemers.pietersen.emial",
        "onbekend veld",
    ),
    # E-mail format.
    "bad_email": (
        "email: info@woonzorg.example.nl",
        "email: info(at)woonzorg.nl",
        "info(at)",
        "contact.email",
        "geen geldig e-mailadres",
    ),
    # E-mail format inside a list.
    "bad_notification_email": (
        "notificatie_email: [meldingen@woonzorg.example.nl]",
        "notificatie_email: [meldingen@woonzorg.example.nl, geen-adres]",
        "notificatie_email",
        "notificatie_email[1]",
        "'geen-adres' is geen geldig e-mailadres",
    ),
    # Phone format.
    "bad_phone": (
        'telefoon: "+31 6 1000 0001"',
        'telefoon: "12345"',
        '"12345"',
        "aannemers.jansen-cv.telefoon",
        "geen geldig telefoonnummer",
    ),
    # An SMS number must be a mobile number.
    "sms_not_mobile": (
        'sms: "06 1000 0002"',
        'sms: "020 123 4568"',
        "sms:",
        "aannemers.pietersen.sms",
        "geen mobiel nummer",
    ),
    # Postcode format (no leading zero).
    "bad_postcode": (
        'postcode: "1234 AC"',
        'postcode: "0234 AC"',
        "0234 AC",
        "complexen[1].adressen[0].postcode",
        "geen postcode",
    ),
    # House-number range the wrong way round.
    "van_after_tot": (
        "van: 1, tot: 20",
        "van: 20, tot: 1",
        "van: 20",
        "complexen[0].adressen[0].tot",
        "tot (1) ligt voor van (20)",
    ),
    # Two complexes claim the same address.
    "address_claimed_twice": (
        '{postcode: "1234 AC"}',
        '{postcode: "1234 AB", van: 15}',
        '"1234 AB", van: 15',
        "complexen[1].adressen[0]",
        "overlapt met 1234 AB 1-20 van complex 'hof'",
    ),
    # Two complexes with the same id.
    "duplicate_complex_id": (
        "id: plein",
        "id: hof",
        "id: hof\n    naam: Plein",
        "complexen[1].id",
        "staat al eerder",
    ),
    # A roster period that ends before it starts.
    "period_end_before_start": (
        "            tot: 2026-12-14T08:00\n",
        "            tot: 2026-12-06T08:00\n",
        "2026-12-06T08:00",
        "complexen[0].vakgebieden.cv.rooster[0].tot",
        "niet na het begin",
    ),
    # Two roster periods of one trade overlap.
    "periods_overlap": (
        "          - van: 2026-12-14T08:00",
        "          - van: 2026-12-13T08:00",
        "2026-12-13T08:00",
        "complexen[0].vakgebieden.cv.rooster[1]",
        "overlapt met rooster[0]",
    ),
    # A roster moment needs a time of day.
    "period_without_time": (
        "          - van: 2026-12-14T08:00",
        "          - van: 2026-12-14",
        "van: 2026-12-14\n",
        "complexen[0].vakgebieden.cv.rooster[1].van",
        "geen datum met tijd",
    ),
    # A contractor that does not exist, in a complex's standing list.
    "unknown_contractor_standaard": (
        "standaard: [pietersen]",
        "standaard: [pietersen, de-vries]",
        "standaard: [pietersen, de-vries]",
        "complexen[0].vakgebieden.cv.standaard[1]",
        "onbekende aannemer 'de-vries'",
    ),
    # A contractor that does not exist, in the client's default lists.
    "unknown_contractor_default": (
        "cv: [jansen-cv, pietersen]",
        "cv: [jansen-cv, jansen]",
        "cv: [jansen-cv, jansen]",
        "standaard_aannemers.cv[1]",
        "onbekende aannemer 'jansen'",
    ),
    # The same contractor twice in one escalation chain.
    "contractor_twice_in_chain": (
        "cv: [jansen-cv, pietersen]",
        "cv: [jansen-cv, jansen-cv]",
        "cv: [jansen-cv, jansen-cv]",
        "standaard_aannemers.cv[1]",
        "staat al eerder in deze keten",
    ),
    # Unknown trade in the client's defaults.
    "unknown_trade_default": (
        "cv: [jansen-cv, pietersen]",
        "riool: [jansen-cv]",
        "riool:",
        "standaard_aannemers.riool",
        "onbekend vakgebied",
    ),
    # Unknown trade in a complex.
    "unknown_trade_complex": (
        "      cv:\n        standaard",
        "      verwarming:\n        standaard",
        "verwarming:",
        "complexen[0].vakgebieden.verwarming",
        "onbekend vakgebied",
    ),
    # A protocol row for a topic the decision table does not have.
    "unknown_topic_protocol": (
        "standaard_aannemers:",
        "protocol:\n  warmtepomp:\n    anders: {urgentie: urgent, reden: x}\nstandaard_aannemers:",
        "warmtepomp:",
        "protocol.warmtepomp",
        "onbekend onderwerp",
    ),
    # A notice for a topic the decision table does not have.
    "unknown_topic_notice": (
        "standaard_aannemers:",
        "mededelingen:\n  sleutel_kwijt: Bel de slotenmaker\nstandaard_aannemers:",
        "sleutel_kwijt",
        "mededelingen.sleutel_kwijt",
        "onbekend onderwerp",
    ),
    # An English notice for a topic the decision table does not have.
    "unknown_topic_notice_en": (
        "standaard_aannemers:",
        "mededelingen_en:\n  lost_key: Call the locksmith\nstandaard_aannemers:",
        "lost_key",
        "mededelingen_en.lost_key",
        "onbekend onderwerp",
    ),
    # A protocol row with an urgency the table does not know (TableError text kept).
    "protocol_unknown_urgency": (
        "standaard_aannemers:",
        "protocol:\n  boiler:\n    anders: {urgentie: hoog, reden: x}\nstandaard_aannemers:",
        "boiler:",
        "protocol.boiler",
        "onbekende urgentie 'hoog'",
    ),
    # A protocol rule on a fact the row does not ask (TableError text kept).
    "protocol_fact_not_asked": (
        "standaard_aannemers:",
        "protocol:\n  boiler:\n    regels:\n      - als: {zonneboiler: true}\n"
        "        urgentie: urgent\n        reden: x\n"
        "    anders: {urgentie: niet_urgent, reden: y}\nstandaard_aannemers:",
        "boiler:",
        "protocol.boiler",
        "niet bij 'vragen' staat",
    ),
    # A protocol row without its fallback outcome.
    "protocol_without_anders": (
        "standaard_aannemers:",
        "protocol:\n  boiler:\n    vragen: []\nstandaard_aannemers:",
        "boiler:",
        "protocol.boiler.anders",
        "verplicht veld ontbreekt",
    ),
    # A yes/no flag of a rule written as text would otherwise count as true.
    "protocol_flag_not_boolean": (
        "standaard_aannemers:",
        "protocol:\n  boiler:\n    anders: {urgentie: acuut, reden: x, inschatting: nee}\n"
        "standaard_aannemers:",
        "inschatting: nee",
        "protocol.boiler.anders.inschatting",
        "verwacht true of false",
    ),
    # A gas leak stays acuut whatever the protocol says.
    "protocol_lowers_safety_topic": (
        "standaard_aannemers:",
        "protocol:\n  gaslek:\n    anders: {urgentie: urgent, reden: x}\nstandaard_aannemers:",
        "gaslek:",
        "protocol.gaslek",
        "elke regel blijft acuut",
    ),
    # Office hours with closing before opening.
    "office_hours_reversed": (
        "standaard_aannemers:",
        'kantoortijden:\n  ma: "17:00-08:00"\nstandaard_aannemers:',
        "ma:",
        "kantoortijden.ma",
        "ligt niet voor sluiting",
    ),
    # Office hours for a day that does not exist.
    "office_hours_unknown_day": (
        "standaard_aannemers:",
        'kantoortijden:\n  ma: "08:00-17:00"\n  maandag: "08:00-17:00"\nstandaard_aannemers:',
        "maandag",
        "kantoortijden.maandag",
        "onbekend veld",
    ),
    # A closing day that is not a date.
    "bad_closing_day": (
        "standaard_aannemers:",
        "sluitingsdagen: [2026-12-24, 2026-13-01]\nstandaard_aannemers:",
        "sluitingsdagen",
        "sluitingsdagen[1]",
        "geen datum",
    ),
    # A heating season day that does not exist.
    "bad_heating_season": (
        "standaard_aannemers:",
        'stookseizoen: {van: "09-31", tot: "05-15"}\nstandaard_aannemers:',
        "stookseizoen",
        "stookseizoen.van",
        "geen maand-dag",
    ),
    # A WhatsApp entry that is not a phone number.
    "bad_whatsapp": (
        "standaard_aannemers:",
        'ingangen:\n  whatsapp: ["bel ons"]\nstandaard_aannemers:',
        "bel ons",
        "ingangen.whatsapp[0]",
        "geen geldig telefoonnummer",
    ),
    # A Telegram entry that is no bot username.
    "bad_telegram": (
        "standaard_aannemers:",
        "ingangen:\n  telegram: [woonzorg]\nstandaard_aannemers:",
        "telegram:",
        "ingangen.telegram[0]",
        "geen Telegram-botnaam",
    ),
    # The same WhatsApp number twice, written differently.
    "duplicate_entry": (
        "standaard_aannemers:",
        'ingangen:\n  whatsapp: ["06 1000 0900", "+31610000900"]\nstandaard_aannemers:',
        "whatsapp:",
        "ingangen.whatsapp[1]",
        "staat dubbel",
    ),
    # A key written twice: YAML would silently keep the second contractor.
    "duplicate_key": (
        "standaard_aannemers:",
        "  jansen-cv:\n    naam: Nog een Jansen\nstandaard_aannemers:",
        "  jansen-cv:\n    naam: Nog",
        "aannemers.jansen-cv",
        "staat dubbel (ook op regel 9)",
    ),
}


@pytest.mark.parametrize(("old", "new", "marker", "field", "words"), CASES.values(), ids=CASES)
def test_each_mistake_is_named_by_file_line_and_field(
    tmp_path: Path, table, old: str, new: str, marker: str | None, field: str, words: str
) -> None:
    assert old in BASE, "the case must change something"
    text = BASE.replace(old, new, 1)
    line = 1 if marker is None else line_of(text, marker)
    problems = refused(tmp_path, text, table)
    path = write(tmp_path, text)
    prefix = f"{path}:{line}: {field}: "
    matching = [p for p in problems if p.startswith(prefix) and words in p]
    assert matching, f"expected {prefix}...{words}... in:\n" + "\n".join(problems)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path, table) -> None:
    text = (
        BASE.replace("soort: woningcorporatie", "soort: stichting")
        .replace("email: info@woonzorg.example.nl", "email: nope")
        .replace("aannemers: [pietersen]", "aannemers: [jansen]")
        .replace('postcode: "1234 AC"', 'postcode: "12345"')
    )
    problems = refused(tmp_path, text, table)
    fields = [p.split(": ")[1] for p in problems]
    assert fields == [
        "soort",
        "contact.email",
        "complexen[0].vakgebieden.cv.rooster[1].aannemers[0]",
        "complexen[1].adressen[0].postcode",
    ]
    # In file order, so an editor can walk through them.
    lines = [int(p.split(":")[1]) for p in problems]
    assert lines == sorted(lines)


def test_problems_in_several_places_of_one_list_are_all_reported(tmp_path: Path, table) -> None:
    text = BASE.replace("cv: [jansen-cv, pietersen]", "cv: [jan, piet, pietersen, pietersen]")
    problems = refused(tmp_path, text, table)
    assert [p.split(": ", 2)[1] for p in problems] == [
        "standaard_aannemers.cv[0]",
        "standaard_aannemers.cv[1]",
        "standaard_aannemers.cv[3]",
    ]


# (text, line, words)
SYNTAX_CASES = {
    # Broken indentation: the YAML parser's own position is passed on.
    "bad_indentation": ("id: x\nnaam: y\n  soort: vve\n", 3, "geen geldige YAML"),
    # An unclosed list.
    "unclosed_list": ("id: x\nnotificatie_email: [a@b.nl\n", 3, "geen geldige YAML"),
    # Nothing in the file.
    "empty": ("# alleen commentaar\n", 1, "het bestand is leeg"),
    # A list instead of a client block.
    "not_a_block": ("- id: x\n", 1, "verwacht een blok"),
    # Two documents in one file.
    "two_documents": ("id: x\n---\nid: y\n", 2, "geen geldige YAML"),
}


@pytest.mark.parametrize(("text", "line", "words"), SYNTAX_CASES.values(), ids=SYNTAX_CASES)
def test_a_file_that_is_no_client_block_is_refused(
    tmp_path: Path, table, text: str, line: int, words: str
) -> None:
    problems = refused(tmp_path, text, table)
    assert problems[0].startswith(f"{write(tmp_path, text)}:{line}: ")
    assert words in problems[0]


def test_an_unreadable_file_is_refused_with_its_name(tmp_path: Path, table) -> None:
    with pytest.raises(ClientFileError) as caught:
        load_client(tmp_path / "bestaat-niet.yml", table)
    assert str(caught.value).startswith(f"{tmp_path / 'bestaat-niet.yml'}:1: kan het bestand")


def test_dates_may_be_quoted_or_not(table) -> None:
    quoted = BASE.replace("van: 2026-12-07T08:00", 'van: "2026-12-07T08:00"')
    assert parse_client(quoted, "a.yml", table) == parse_client(BASE, "a.yml", table)


def test_roster_times_without_offset_are_amsterdam_wall_clock(table) -> None:
    client = parse_client(BASE, "a.yml", table)
    first = client.complexes[0].trades["cv"].roster[0]
    assert first.start.isoformat() == "2026-12-07T07:00:00+00:00"  # 08:00 CET
    with_offset = BASE.replace("van: 2026-12-07T08:00", "van: 2026-12-07T08:00+00:00")
    start = parse_client(with_offset, "a.yml", table).complexes[0].trades["cv"].roster[0].start
    assert start.isoformat() == "2026-12-07T08:00:00+00:00"


@pytest.mark.parametrize(
    ("path", "rendered"),
    [
        # The root.
        ((), ""),
        # A top-level field.
        (("naam",), "naam"),
        # Nested lists and blocks, as in the messages.
        (
            ("complexen", 0, "vakgebieden", "cv", "rooster", 1),
            "complexen[0].vakgebieden.cv.rooster[1]",
        ),
    ],
)
def test_render_path(path, rendered) -> None:
    assert render_path(path) == rendered


def test_a_notice_in_the_tenants_language_or_else_in_dutch(table) -> None:
    text = BASE.replace(
        "standaard_aannemers:",
        "mededelingen:\n  buitensluiting: Kosten voor eigen rekening.\n"
        "  boiler: Bel ons kantoor.\n"
        "mededelingen_en:\n  buitensluiting: The costs are yours.\nstandaard_aannemers:",
        1,
    )
    client = parse_client(text, "woonzorg.yml", table)
    assert client.notice_for("buitensluiting") == "Kosten voor eigen rekening."
    assert client.notice_for("buitensluiting", "en") == "The costs are yours."
    # Not written in English: the Dutch notice (what it says matters more).
    assert client.notice_for("boiler", "en") == "Bel ons kantoor."
    assert client.notice_for("gaslek", "en") is None
