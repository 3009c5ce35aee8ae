"""Dutch names of weekdays and months, once for every text people read.

The tenant's summary, the client portal and the monthly report all spell dates in
Dutch; one table keeps them from drifting apart. It imports nothing of Meldkamer, so
every package may use it.
"""

from __future__ import annotations

from datetime import date

#: Monday first, as :meth:`datetime.date.weekday` counts.
DAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
#: January first; index with ``month - 1``.
MONTH_NAMES = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def day_name(day: date) -> str:
    """``maandag``."""
    return DAY_NAMES[day.weekday()]


def month_name(month: int) -> str:
    """``oktober`` for 10.

    Raises:
        ValueError: not a month number 1-12.
    """
    if not 1 <= month <= 12:
        raise ValueError(f"maand {month} bestaat niet (1-12)")
    return MONTH_NAMES[month - 1]
