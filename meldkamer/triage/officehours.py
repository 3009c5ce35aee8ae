"""Time rules of the matrix: heating season and when the client's office is open.

All local times are Europe/Amsterdam (or the client's zone), so a melding at 02:30 on
the night clocks change is judged by the wall clock a tenant sees; "within 24 hours"
is measured in real elapsed time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

#: Monday..Sunday as 0..6, as ``date.weekday()`` numbers them.
WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")


@dataclass(frozen=True)
class OfficeHours:
    """When a client's office can be reached.

    Attributes:
        hours: per weekday (0 = Monday) the (open, close) local times; absent = closed.
        closing_days: extra days the office is closed (e.g. the day after Ascension).
        public_holidays: whether Dutch public holidays close the office.
        zone: the office's time zone.
    """

    hours: Mapping[int, tuple[time, time]] = field(
        default_factory=lambda: {d: (time(8, 0), time(17, 0)) for d in range(5)}
    )
    closing_days: frozenset[date] = frozenset()
    public_holidays: bool = True
    zone: ZoneInfo = AMSTERDAM

    def is_closed_day(self, day: date) -> bool:
        """Whether the office stays closed all of ``day``."""
        if day.weekday() not in self.hours or day in self.closing_days:
            return True
        return self.public_holidays and day in dutch_holidays(day.year)

    def is_open(self, moment: datetime) -> bool:
        """Whether the office is open at an aware ``moment``."""
        local = moment.astimezone(self.zone)
        if self.is_closed_day(local.date()):
            return False
        opens, closes = self.hours[local.weekday()]
        return opens <= local.time() < closes

    def next_opening(self, moment: datetime) -> datetime:
        """The first moment at or after ``moment`` at which the office is open.

        Returns ``moment`` itself when the office is open now.
        """
        if self.is_open(moment):
            return moment
        local = moment.astimezone(self.zone)
        day = local.date()
        # A year ahead is more than any real closing period; beyond it the table is wrong.
        for _ in range(366):
            if not self.is_closed_day(day):
                opens = datetime.combine(day, self.hours[day.weekday()][0], tzinfo=self.zone)
                if opens >= local:
                    return opens
            day += timedelta(days=1)
        raise ValueError("het kantoor is het komende jaar nooit open: controleer de kantoortijden")

    def reachable_within(self, moment: datetime, window: timedelta = timedelta(hours=24)) -> bool:
        """Whether the office opens (or is open) within ``window`` of real time."""
        # Subtracting two datetimes that share a tzinfo gives wall-clock time; in UTC it
        # is elapsed time, which is what "binnen 24 uur" means on a daylight-saving night.
        elapsed = self.next_opening(moment).astimezone(timezone.utc) - moment.astimezone(
            timezone.utc
        )
        return elapsed <= window


@dataclass(frozen=True)
class HeatingSeason:
    """The stookseizoen: from ``start`` (month, day) up to and including ``end``."""

    start: tuple[int, int] = (10, 1)
    end: tuple[int, int] = (4, 30)

    def is_winter(self, day: date) -> bool:
        """Whether ``day`` falls in the heating season (which may wrap the new year)."""
        key = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= key <= self.end
        return key >= self.start or key <= self.end


@lru_cache(maxsize=32)
def dutch_holidays(year: int) -> Mapping[date, str]:
    """Dutch public holidays of a year, from the maintained ``holidays`` package."""
    return dict(holidays.country_holidays("NL", years=year, language="nl"))


def parse_hours(spec: Mapping[str, str]) -> dict[int, tuple[time, time]]:
    """Turn ``{"ma": "08:00-17:00", ...}`` into weekday numbers and times.

    Raises:
        ValueError: naming the day or time that is wrong.
    """
    result: dict[int, tuple[time, time]] = {}
    for day, span in spec.items():
        if day not in WEEKDAYS:
            raise ValueError(f"onbekende dag {day!r}; gebruik {', '.join(WEEKDAYS)}")
        try:
            opens_text, closes_text = str(span).split("-")
            opens, closes = (
                time.fromisoformat(opens_text.strip()),
                time.fromisoformat(closes_text.strip()),
            )
        except ValueError:
            raise ValueError(f"{day}: tijden als '08:00-17:00' verwacht, niet {span!r}") from None
        if opens >= closes:
            raise ValueError(f"{day}: opening {opens} ligt niet voor sluiting {closes}")
        result[WEEKDAYS.index(day)] = (opens, closes)
    return result


def closing_days(days: Iterable[str | date]) -> frozenset[date]:
    """Parse ISO dates of extra closing days."""
    return frozenset(d if isinstance(d, date) else date.fromisoformat(d) for d in days)
