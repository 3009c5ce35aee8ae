"""Slowing down password guessing, without letting strangers lock an agent out.

Three brakes, all counting failed sign-ins within a sliding window:

* per client address, any username: rotating usernames from one address is stopped;
* per (username, address): a few wrong passwords stop that address for that name only;
* per username from everywhere: a short delay that doubles with each further failure and
  is capped at a minute - never a lock-out. Addresses the agent signed in from before
  (their usual network) skip it, and the per-address brake, so a guesser spread over
  many addresses slows the name down but cannot keep its agent out for the night.

Pure and in memory, per process: a brake, not an audit; bounded in size, so a flood of
made-up usernames or addresses cannot grow it without end.
"""

from __future__ import annotations

import os
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from meldkamer.envvalues import env_number


@dataclass(frozen=True)
class ThrottleSettings:
    """The brakes' limits.

    Attributes:
        per_address: failures from one address (any username) before it is refused.
        per_user_address: failures for one username from one address before it is refused.
        window: how long a failure counts.
        free_failures: failures for a username from everywhere before its delay starts.
        first_delay: the delay after ``free_failures``; it doubles with each further one.
        max_delay: the longest delay.
        max_keys: how many usernames/addresses each table remembers at most.
    """

    per_address: int = 20
    per_user_address: int = 5
    window: timedelta = timedelta(minutes=15)
    free_failures: int = 5
    first_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(minutes=1)
    max_keys: int = 10_000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ThrottleSettings:
        """``CONSOLE_LOGIN_MAX_PER_ADDRESS`` (20), ``CONSOLE_LOGIN_MAX_PER_USER`` (5)."""
        env = os.environ if env is None else env
        return cls(
            per_address=_count(env, "CONSOLE_LOGIN_MAX_PER_ADDRESS", cls.per_address),
            per_user_address=_count(env, "CONSOLE_LOGIN_MAX_PER_USER", cls.per_user_address),
        )


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    value = env_number(env, name, low=1, high=10_000, whole=True)
    return default if value is None else int(value)


class _Failures:
    """Failure times per key, oldest key dropped first when full."""

    def __init__(self, window: timedelta, max_keys: int) -> None:
        self.window = window
        self.max_keys = max_keys
        self._times: OrderedDict[object, deque[datetime]] = OrderedDict()

    def recent(self, key: object, now: datetime) -> deque[datetime]:
        times = self._times.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._times[key]
        return times

    def add(self, key: object, now: datetime) -> None:
        self.recent(key, now)
        self._times.setdefault(key, deque()).append(now)
        self._times.move_to_end(key)
        while len(self._times) > self.max_keys:
            self._times.popitem(last=False)

    def forget(self, key: object) -> None:
        self._times.pop(key, None)

    def free_again(self, key: object, limit: int, now: datetime) -> datetime | None:
        """When ``key`` drops below ``limit`` failures, or None if it is below now."""
        times = self.recent(key, now)
        return times[-limit] + self.window if len(times) >= limit else None


@dataclass
class Throttle:
    """Failed sign-in attempts per address, per (username, address) and per username."""

    settings: ThrottleSettings = field(default_factory=ThrottleSettings)

    def __post_init__(self) -> None:
        window, size = self.settings.window, self.settings.max_keys
        self._by_address = _Failures(window, size)
        self._by_pair = _Failures(window, size)
        self._by_user = _Failures(window, size)
        #: Where each username signed in successfully before (a few addresses each).
        self._usual: OrderedDict[str, OrderedDict[str, None]] = OrderedDict()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Throttle:
        """A throttle with :meth:`ThrottleSettings.from_env`."""
        return cls(ThrottleSettings.from_env(env))

    def retry_at(self, username: str, address: str, now: datetime) -> datetime | None:
        """None: this attempt may be checked; otherwise when to try again."""
        user = _key(username)
        limits = self.settings
        waits = [self._by_pair.free_again((user, address), limits.per_user_address, now)]
        if not self.is_usual(user, address):
            waits.append(self._by_address.free_again(address, limits.per_address, now))
            waits.append(self._user_delay(user, now))
        pending = [w for w in waits if w is not None and w > now]
        return max(pending) if pending else None

    def _user_delay(self, user: str, now: datetime) -> datetime | None:
        times = self._by_user.recent(user, now)
        over = len(times) - self.settings.free_failures
        if over < 0:
            return None
        delay: timedelta = min(
            self.settings.first_delay * (2 ** min(over, 30)), self.settings.max_delay
        )
        last: datetime = times[-1]
        return last + delay

    def failed(self, username: str, address: str, now: datetime) -> None:
        """Count a failed attempt."""
        user = _key(username)
        self._by_address.add(address, now)
        self._by_pair.add((user, address), now)
        self._by_user.add(user, now)

    def succeeded(self, username: str, address: str) -> None:
        """Forget this address's failures for the name, and remember it as usual for it."""
        user = _key(username)
        self._by_pair.forget((user, address))
        usual = self._usual.setdefault(user, OrderedDict())
        usual[address] = None
        usual.move_to_end(address)
        while len(usual) > 5:
            usual.popitem(last=False)
        self._usual.move_to_end(user)
        while len(self._usual) > self.settings.max_keys:
            self._usual.popitem(last=False)

    def is_usual(self, username: str, address: str) -> bool:
        """Whether the agent signed in from this address before."""
        return address in self._usual.get(_key(username), ())


def _key(username: str) -> str:
    return username.strip().lower()[:100]
