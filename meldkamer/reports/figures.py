"""Small pure helpers for the report's figures: counting in a fixed order, durations."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any


def count(values: Iterable[str], order: Sequence[str] = ()) -> dict[str, int]:
    """How often each value occurs, the values of ``order`` first (also at 0).

    The other values follow by falling count, so a table keeps its rows from month to month.
    """
    counted = Counter(values)
    result = {key: counted.get(key, 0) for key in order}
    for key, n in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])):
        result.setdefault(key, n)
    return result


def minutes(start: datetime, end: datetime) -> float:
    """Elapsed minutes from ``start`` to ``end`` (real time, also across a DST change)."""
    return (end - start).total_seconds() / 60


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with ``share`` of all at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(share * len(ordered)), 1)
    return ordered[rank - 1]


def durations(values: Sequence[float]) -> dict[str, Any]:
    """Count, median and 90th percentile of durations in minutes (one decimal)."""
    if not values:
        return {"count": 0, "median": None, "p90": None}
    p90 = percentile(values, 0.9)
    return {
        "count": len(values),
        "median": round(statistics.median(values), 1),
        "p90": None if p90 is None else round(p90, 1),
    }


def share(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole`` (one decimal); ``None`` for an empty whole."""
    return None if whole == 0 else round(100 * part / whole, 1)
