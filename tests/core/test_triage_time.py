"""Time rules: heating season, office hours, public holidays and daylight saving."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from meldkamer.triage import TriageSettings, Urgency, default_engine
from meldkamer.triage.officehours import AMSTERDAM, HeatingSeason, OfficeHours, parse_hours


def at(text: str) -> datetime:
    """An aware moment; a time without offset is Amsterdam wall-clock time."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("moment", "season"),
    [
        ("2026-04-30T23:59", "winter"),  # last minute of the default heating season
        ("2026-05-01T00:00", "zomer"),  # first minute of summer
        ("2026-09-30T23:59", "zomer"),  # last minute of summer
        ("2026-10-01T00:00", "winter"),  # heating season starts
        ("2026-09-30T22:30+00:00", "winter"),  # UTC still September, Amsterdam already 1 October
        ("2027-01-01T12:00", "winter"),  # the season wraps the new year
    ],
)
def test_season_edges(moment: str, season: str) -> None:
    outcome = default_engine().evaluate(
        "cv_storing", {"geen_verwarming": True, "geen_warm_water": False}, at(moment)
    )
    assert outcome.season == season
    assert outcome.urgency is (Urgency.URGENT if season == "winter" else Urgency.NIET_URGENT)


def test_client_heating_season() -> None:
    # A client whose season runs 15 September - 15 May
    settings = TriageSettings(heating_season=HeatingSeason(start=(9, 15), end=(5, 15)))
    outcome = default_engine().evaluate(
        "cv_storing",
        {"geen_verwarming": True, "geen_warm_water": False},
        at("2026-09-20T12:00"),
        settings,
    )
    assert outcome.season == "winter"


@pytest.mark.parametrize(
    ("moment", "within"),
    [
        ("2026-11-30T07:59", True),  # Monday just before opening
        ("2026-12-04T16:59", True),  # Friday, office still open
        ("2026-12-04T17:00", False),  # Friday closing: next opening Monday 08:00
        ("2026-12-04T23:30", False),  # Friday evening
        ("2026-12-06T08:00", True),  # Sunday 08:00: Monday 08:00 is exactly 24 hours away
        ("2026-12-06T07:59", False),  # Sunday 07:59: one minute too far
        ("2026-12-24T17:30", False),  # Christmas Eve evening: closed until Monday 28 December
        ("2026-12-23T18:00", True),  # 23 December evening: open on the 24th at 08:00
        ("2026-04-26T09:00", False),  # Sunday before King's Day (Monday 27 April 2026)
        ("2026-04-05T12:00", False),  # Easter Sunday: Easter Monday closed too
        ("2026-04-06T09:00", True),  # Easter Monday morning: Tuesday 08:00 is 23 hours away
    ],
)
def test_office_reachable_within_24_hours(moment: str, within: bool) -> None:
    outcome = default_engine().evaluate(
        "lekkage_woning", {"groot_gevolgschade_risico": False}, at(moment)
    )
    assert outcome.office_within_24h is within
    # the seed's row: not reachable within 24 hours -> treat as urgent
    assert outcome.urgency is (Urgency.NIET_URGENT if within else Urgency.URGENT)


SUNDAY_OFFICE = OfficeHours(hours=parse_hours({"zo": "08:00-17:00"}), public_holidays=False)


@pytest.mark.parametrize(
    ("moment", "within"),
    [
        # Spring forward (29 March 2026): Saturday 07:30 to Sunday 08:00 is 24.5 wall-clock hours
        # but only 23.5 real hours.
        ("2026-03-28T07:30", True),
        # Fall back (25 October 2026): Saturday 08:30 to Sunday 08:00 is 23.5 wall-clock hours
        # but 24.5 real hours.
        ("2026-10-24T08:30", False),
    ],
)
def test_daylight_saving_nights_count_real_hours(moment: str, within: bool) -> None:
    assert SUNDAY_OFFICE.reachable_within(at(moment), timedelta(hours=24)) is within


def test_melding_during_the_skipped_hour() -> None:
    # 02:30 on 29 March does not exist in Amsterdam; an offset makes the moment exact.
    outcome = default_engine().evaluate("overig", {}, at("2026-03-29T00:30+00:00"))
    assert outcome.next_office_day == date(2026, 3, 30)
    assert outcome.next_office_opening == datetime(2026, 3, 30, 8, 0, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-12-04T18:00", date(2026, 12, 7)),  # Friday evening -> Monday
        ("2026-12-24T20:00", date(2026, 12, 28)),  # Christmas -> Monday after Boxing Day
        ("2026-04-26T10:00", date(2026, 4, 28)),  # King's Day Monday -> Tuesday
        ("2026-12-02T10:00", date(2026, 12, 2)),  # office open now -> today
    ],
)
def test_next_office_day(moment: str, expected: date) -> None:
    outcome = default_engine().evaluate("overig", {}, at(moment))
    assert outcome.next_office_day == expected


def test_client_closing_day() -> None:
    # The day after Ascension (Friday 15 May 2026) is a closing day for this client.
    office = OfficeHours(closing_days=frozenset({date(2026, 5, 15)}))
    settings = TriageSettings(office=office)
    outcome = default_engine().evaluate("overig", {}, at("2026-05-13T18:00"), settings)
    # Thursday 14 May is Ascension Day (public holiday), Friday the closing day.
    assert outcome.next_office_day == date(2026, 5, 18)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"maandag": "08:00-17:00"}, "onbekende dag"),
        ({"ma": "8 tot 5"}, "08:00-17:00"),
        ({"ma": "17:00-08:00"}, "ligt niet voor"),
    ],
)
def test_bad_office_hours_are_named(spec: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_hours(spec)


def test_default_office_hours() -> None:
    office = OfficeHours()
    assert office.hours[0] == (time(8), time(17))
    assert 5 not in office.hours and 6 not in office.hours
