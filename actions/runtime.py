"""What the actions need at run time, built on first use rather than at import.

Tests replace it with :func:`use_runtime`; the action server builds the default from
the environment (``DATABASE_URL``) the first time an action needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from meldkamer.db import database_url, make_engine, make_sessionmaker, upgrade
from meldkamer.triage import TriageEngine, TriageSettings, default_engine
from meldkamer.triage.officehours import AMSTERDAM


def _now() -> datetime:
    return datetime.now(AMSTERDAM)


@dataclass
class Runtime:
    """The triage engine, the database sessions, the clock and the client settings."""

    sessions: sessionmaker[Session]
    engine: TriageEngine = field(default_factory=default_engine)
    clock: Callable[[], datetime] = _now
    settings: TriageSettings = field(default_factory=TriageSettings)


_current: Runtime | None = None


def runtime() -> Runtime:
    """The runtime of this process; the default one is built on first call."""
    global _current
    if _current is None:
        url = database_url()
        upgrade(url)
        _current = Runtime(sessions=make_sessionmaker(make_engine(url)))
    return _current


def use_runtime(replacement: Runtime | None) -> None:
    """Install a runtime (tests), or ``None`` to build the default again."""
    global _current
    _current = replacement
