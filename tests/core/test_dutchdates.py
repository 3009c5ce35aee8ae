"""The one table of Dutch day and month names, as the tenant, the portal and the report read it."""

from __future__ import annotations

from datetime import date

import pytest

from meldkamer.dutchdates import day_name, month_name
from meldkamer.intake.texts import dutch_date
from meldkamer.reports import Month


def test_names_by_the_calendar() -> None:
    assert day_name(date(2026, 10, 25)) == "zondag"
    assert [month_name(m) for m in (1, 3, 12)] == ["januari", "maart", "december"]
    assert dutch_date(date(2026, 11, 30)) == "maandag 30 november"
    assert Month(2026, 10).label == "oktober 2026"


@pytest.mark.parametrize("month", [0, 13])
def test_a_month_that_does_not_exist_is_refused(month: int) -> None:
    with pytest.raises(ValueError, match="bestaat niet"):
        month_name(month)
