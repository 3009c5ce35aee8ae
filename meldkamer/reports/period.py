"""The month a report covers: ``YYYY-MM``, its bounds in Europe/Amsterdam, its Dutch name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from meldkamer.dutchdates import month_name
from meldkamer.triage.officehours import AMSTERDAM

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month in Europe/Amsterdam."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 2000 <= self.year <= 2999:
            raise ValueError(f"maand {self.year}-{self.month:02d} bestaat niet (no such month)")

    @classmethod
    def parse(cls, text: str) -> Month:
        """Read ``YYYY-MM``.

        Raises:
            ValueError: the text is not a month of that form (in Dutch and English).
        """
        match = _MONTH.match(text.strip())
        if match is None:
            raise ValueError(
                f"maand {text!r} is niet van de vorm JJJJ-MM, bijvoorbeeld 2026-10 "
                f"(month must be YYYY-MM)"
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, moment: datetime) -> Month:
        """The month an aware moment falls in, in Europe/Amsterdam."""
        local = moment.astimezone(AMSTERDAM)
        return cls(local.year, local.month)

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def label(self) -> str:
        """``oktober 2026``."""
        return f"{month_name(self.month)} {self.year}"

    @property
    def first_day(self) -> date:
        """The first day of the month."""
        return date(self.year, self.month, 1)

    def next(self) -> Month:
        """The month after this one."""
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        """The month before this one."""
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def start(self) -> datetime:
        """Midnight of the first day in Amsterdam, as UTC."""
        return _midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """Midnight of the first day of the next month in Amsterdam, as UTC (exclusive)."""
        return _midnight(self.next().first_day)

    def days(self) -> Iterator[date]:
        """Every day of the month."""
        day, last = self.first_day, self.next().first_day
        while day < last:
            yield day
            day += timedelta(days=1)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=AMSTERDAM).astimezone(timezone.utc)
