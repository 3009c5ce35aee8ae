"""A client's look-ups: who is on call, which complex an address is in, triage settings."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meldkamer.clients import Client, load_client
from meldkamer.triage import TriageEngine, TriageSettings, Urgency, load_table
from meldkamer.triage.officehours import AMSTERDAM
from meldkamer.triage.table import TableError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def table():
    return load_table()


@pytest.fixture(scope="module")
def engine(table) -> TriageEngine:
    return TriageEngine(table)


@pytest.fixture(scope="module")
def linde(table) -> Client:
    return load_client(ROOT / "clients" / "de-linde.yml", table).client


@pytest.fixture(scope="module")
def noord(table) -> Client:
    return load_client(ROOT / "clients" / "vve-beheer-noord.yml", table).client


def at(text: str) -> datetime:
    """A moment in Amsterdam wall-clock time."""
    return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


# --- on_call ---------------------------------------------------------------------------------

# (client, complex, trade, moment, expected chain)
ON_CALL = {
    # Inside the second roster week of Lindehof: De Boer first.
    "in_period": ("linde", "lindehof", "cv", at("2026-12-10T03:00"), ["de-boer", "van-dijk"]),
    # One second before the Monday 08:00 hand-over the old week is still on call.
    "just_before_handover": (
        "linde",
        "lindehof",
        "cv",
        at("2026-12-14T07:59:59"),
        ["de-boer", "van-dijk"],
    ),
    # At the hand-over moment the next week is on call (periods are [van, tot)).
    "at_handover": ("linde", "lindehof", "cv", at("2026-12-14T08:00"), ["van-dijk", "de-boer"]),
    # The same moment written in UTC: 07:00Z is 08:00 in Amsterdam in winter.
    "at_handover_utc": (
        "linde",
        "lindehof",
        "cv",
        datetime(2026, 12, 14, 7, 0, tzinfo=timezone.utc),
        ["van-dijk", "de-boer"],
    ),
    # The very first moment of the roster.
    "roster_start": ("linde", "lindehof", "cv", at("2026-11-30T08:00"), ["van-dijk", "de-boer"]),
    # Just before the roster starts: the complex's standing list.
    "before_roster": ("linde", "lindehof", "cv", at("2026-11-30T07:59"), ["van-dijk"]),
    # After the last period ends: the complex's standing list.
    "after_roster": ("linde", "lindehof", "cv", at("2027-01-04T08:00"), ["van-dijk"]),
    # A trade of the complex without a roster: its standing list.
    "complex_standaard": ("linde", "lindehof", "loodgieter", at("2026-12-10T03:00"), ["smit"]),
    # A holiday roster that replaces the standing list of Molenwijk for a while.
    "holiday_period": (
        "linde",
        "molenwijk",
        "loodgieter",
        at("2026-12-25T12:00"),
        ["meijer", "smit"],
    ),
    # Molenwijk outside that period.
    "holiday_period_over": (
        "linde",
        "molenwijk",
        "loodgieter",
        at("2027-01-02T08:00"),
        ["smit", "meijer"],
    ),
    # A trade the complex does not name: the client's standaard_aannemers.
    "client_default": ("linde", "kerkplein", "elektra", at("2026-12-10T03:00"), ["bakker"]),
    # An address in no complex: the client's standaard_aannemers at once.
    "no_complex": ("linde", None, "slotenmaker", at("2026-12-10T03:00"), ["mulder"]),
    # A roster without standing list, outside its periods: the client's list.
    "roster_only_outside": (
        "noord",
        "vve-de-wadden",
        "cv",
        at("2026-11-20T12:00"),
        ["noord-installatie", "hofstra"],
    ),
    # The VvE's 17:00 hand-over.
    "other_handover": (
        "noord",
        "vve-de-wadden",
        "cv",
        at("2026-12-15T17:00"),
        ["hofstra", "noord-installatie"],
    ),
}


@pytest.mark.parametrize(
    ("client", "complex_id", "trade", "moment", "expected"), ON_CALL.values(), ids=ON_CALL
)
def test_on_call(request, client, complex_id, trade, moment, expected) -> None:
    subject: Client = request.getfixturevalue(client)
    chain = subject.on_call(complex_id, trade, moment)
    assert [c.id for c in chain] == expected


def test_on_call_gives_contractors_with_their_numbers(linde: Client) -> None:
    first = linde.on_call("lindehof", "cv", at("2026-12-10T03:00"))[0]
    assert first.name == "Installatiebedrijf De Boer"
    assert first.phone == "+31881000002" and first.sms == "+31610000002"


def test_on_call_may_be_empty_when_nobody_covers_a_trade(table) -> None:
    from meldkamer.clients import parse_client

    text = (ROOT / "clients" / "vve-beheer-noord.yml").read_text("utf-8")
    text = text.replace("  glas: [glasgroep]\n", "")
    client = parse_client(text, "x.yml", table)
    assert client.on_call("vve-zuiderhaven", "glas", at("2026-12-10T03:00")) == []


@pytest.mark.parametrize(
    ("complex_id", "trade", "moment", "error"),
    [
        # A trade that does not exist.
        ("lindehof", "riool", at("2026-12-10T03:00"), ValueError),
        # A moment without time zone could mean two different hours around DST.
        ("lindehof", "cv", datetime(2026, 12, 10, 3, 0), ValueError),
        # A complex the client does not have.
        ("onbekend", "cv", at("2026-12-10T03:00"), KeyError),
    ],
)
def test_on_call_refuses(linde: Client, complex_id, trade, moment, error) -> None:
    with pytest.raises(error):
        linde.on_call(complex_id, trade, moment)


# --- complex_for ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("postcode", "huisnummer", "expected"),
    [
        # First number of a range.
        ("1234 AB", 1, "lindehof"),
        # Last number of a range (inclusive).
        ("1234 AB", 45, "lindehof"),
        # Just past the range.
        ("1234 AB", 46, None),
        # Just before a range that starts at 2.
        ("1234 AD", 1, None),
        # Start of that range.
        ("1234 AD", 2, "molenwijk"),
        # A whole postcode: any number.
        ("1234 AC", 999, "lindehof"),
        # The postcode written without space and in lower case.
        ("1234ac", 3, "lindehof"),
        # Another whole postcode.
        ("1235 CD", 7, "kerkplein"),
        # A postcode of nobody.
        ("9999 ZZ", 1, None),
        # Not a postcode at all.
        ("onzin", 1, None),
    ],
)
def test_complex_for(linde: Client, postcode: str, huisnummer: int, expected: str | None) -> None:
    found = linde.complex_for(postcode, huisnummer)
    assert (found.id if found else None) == expected


# --- triage settings ---------------------------------------------------------------------------


def test_the_corporations_protocol_makes_a_boiler_niet_urgent(engine, linde, table) -> None:
    moment = at("2026-12-10T03:00")
    default = engine.evaluate("boiler", {}, moment)
    own = engine.evaluate("boiler", {}, moment, linde.triage_settings(table))
    assert default.urgency is Urgency.ACUUT  # the matrix: op basis van inschatting
    assert own.urgency is Urgency.NIET_URGENT
    assert not own.needs_assessment and own.missing_facts == ()
    # The override changes urgency, not routing: the trade comes from the matrix row.
    assert own.trade == "cv"


def test_habitability_still_wins_over_the_protocol(engine, linde, table) -> None:
    outcome = engine.evaluate(
        "boiler",
        {"bewoonbaarheid_in_gevaar": True},
        at("2026-12-10T03:00"),
        linde.triage_settings(table),
    )
    assert outcome.urgency is Urgency.ACUUT and outcome.inform_client


@pytest.mark.parametrize(
    ("day", "season_default", "season_vve"),
    [
        # 20 September: summer by default, winter for the VvE (season from 15 September).
        ("2026-09-20", "zomer", "winter"),
        # 14 September: summer for both.
        ("2026-09-14", "zomer", "zomer"),
        # 10 May: summer by default, still winter for the VvE (up to and including 15 May).
        ("2026-05-10", "zomer", "winter"),
        # 15 May: the last day of the VvE's season.
        ("2026-05-15", "zomer", "winter"),
        # 16 May: summer for both.
        ("2026-05-16", "zomer", "zomer"),
    ],
)
def test_the_vve_heating_season(engine, noord, table, day, season_default, season_vve) -> None:
    moment = at(f"{day}T22:00")
    facts = {"geen_verwarming": True, "geen_warm_water": False}
    default = engine.evaluate("cv_storing", facts, moment)
    vve = engine.evaluate("cv_storing", facts, moment, noord.triage_settings(table))
    assert (default.season, vve.season) == (season_default, season_vve)
    expected = Urgency.URGENT if season_vve == "winter" else Urgency.NIET_URGENT
    assert vve.urgency is expected


def test_the_vve_office_hours(engine, noord, table) -> None:
    # Friday 2 October 2026, 13:00: the VvE's office closed at 12:00, the default is open.
    moment = at("2026-10-02T13:00")
    settings = noord.triage_settings(table)
    outcome = engine.evaluate("overig", {}, moment, settings)
    assert outcome.next_office_opening == at("2026-10-05T09:00")
    assert not outcome.office_within_24h
    assert engine.evaluate("overig", {}, moment).office_within_24h


def test_closing_days_close_the_office(linde) -> None:
    # 24 December 2026 is a Thursday, a working day, but De Linde is closed.
    assert linde.office.is_closed_day(date(2026, 12, 24))
    assert not linde.office.is_closed_day(date(2026, 12, 23))
    assert linde.office.next_opening(at("2026-12-23T17:00")) == at("2026-12-28T08:00")


def test_settings_without_protocol_only_set_time_rules(noord, table) -> None:
    settings = noord.triage_settings(table)
    assert isinstance(settings, TriageSettings)
    assert settings.overrides == {}
    assert settings.heating_season.start == (9, 15) and settings.heating_season.end == (5, 15)


def test_a_protocol_row_is_checked_again_against_another_table(linde, table) -> None:
    from meldkamer.triage.table import DecisionTable

    smaller = DecisionTable(
        facts=table.facts, topics={k: v for k, v in table.topics.items() if k != "boiler"}
    )
    with pytest.raises(TableError, match="boiler"):
        linde.triage_settings(smaller)


# --- notices and escalation ---------------------------------------------------------------------


def test_notice_for(linde, noord) -> None:
    notice = linde.notice_for("buitensluiting")
    assert notice is not None and "eigen rekening" in notice and "\n" not in notice
    assert linde.notice_for("cv_storing") is None
    assert noord.notice_for("buitensluiting") is None


def test_escalation(linde, noord) -> None:
    assert linde.escalation.total_seconds() == 15 * 60
    assert noord.escalation_minutes == 10


def test_a_client_is_read_only(linde) -> None:
    with pytest.raises(AttributeError):
        linde.name = "Anders"  # type: ignore[misc]
    with pytest.raises(TypeError):
        linde.contractors["nieuw"] = linde.contractors["smit"]  # type: ignore[index]
    with pytest.raises(TypeError):
        linde.protocol["boiler"]["anders"]["urgentie"] = "acuut"  # type: ignore[index]


# --- properties -------------------------------------------------------------------------------

ROSTER_START = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)
ROSTER_END = datetime(2027, 1, 4, 7, 0, tzinfo=timezone.utc)


@given(
    moment=st.datetimes(
        min_value=datetime(2026, 11, 1),
        max_value=datetime(2027, 2, 1),
        timezones=st.just(timezone.utc),
    )
)
def test_the_roster_decides_inside_its_periods_and_the_standing_list_outside(
    linde: Client, moment: datetime
) -> None:
    chain = [c.id for c in linde.on_call("lindehof", "cv", moment)]
    periods = linde.complex("lindehof").trades["cv"].roster
    covering = [p for p in periods if p.start <= moment < p.end]
    if ROSTER_START <= moment < ROSTER_END:
        # The weeks touch: exactly one period covers every moment of the roster.
        assert len(covering) == 1 and chain == list(covering[0].contractors)
    else:
        assert covering == [] and chain == ["van-dijk"]


@given(number=st.integers(min_value=1, max_value=200))
def test_registry_and_client_agree_on_addresses(linde: Client, number: int) -> None:
    from meldkamer.clients import ClientRegistry

    registry = ClientRegistry([linde])
    for postcode in ("1234 AB", "1234 AC", "1234 AD", "1234 AE", "1235 CD", "1234 AF"):
        found = registry.find_by_address(postcode, number)
        own = linde.complex_for(postcode, number)
        assert (found[1] if found else None) == own
