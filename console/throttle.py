"""Slowing down password guessing on the login page.

After :attr:`Throttle.limit` failed attempts for one username (whether it exists or
not, so the lockout itself tells nothing) within the window, further attempts are
refused until the window has passed. Kept in memory: it is a brake, not an audit.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class Throttle:
    """Failed sign-in attempts per key, within a sliding window."""

    limit: int = 5
    window: timedelta = timedelta(minutes=15)
    _failures: dict[str, deque[datetime]] = field(default_factory=dict)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return failures

    def blocked(self, key: str, now: datetime) -> bool:
        """Whether ``key`` used up its attempts."""
        return len(self._recent(key, now)) >= self.limit

    def failed(self, key: str, now: datetime) -> None:
        """Count a failed attempt."""
        self._recent(key, now)
        self._failures.setdefault(key, deque()).append(now)
        # A flood of made-up usernames must not grow memory without end.
        if len(self._failures) > 10_000:
            oldest = min(self._failures, key=lambda k: self._failures[k][-1])
            del self._failures[oldest]

    def succeeded(self, key: str) -> None:
        """Forget the failures after a successful sign-in."""
        self._failures.pop(key, None)
