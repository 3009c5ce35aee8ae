"""What the actions need at run time, built on first use rather than at import.

Tests replace it with :func:`use_runtime`; the action server builds the default from
the environment (``DATABASE_URL``, ``MELDKAMER_PUBLIC_URL``, ...) the first time an
action needs it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from meldkamer.clients.cache import ClientCache
from meldkamer.clients.registry import ClientRegistry
from meldkamer.clients.schema import Client
from meldkamer.db import database_url, make_engine, make_sessionmaker, upgrade
from meldkamer.dispatch.service import DispatchSettings
from meldkamer.triage import TriageEngine, TriageSettings, default_engine
from meldkamer.triage.officehours import AMSTERDAM

logger = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(AMSTERDAM)


@dataclass
class Runtime:
    """The triage engine, the database sessions, the clock and the clients."""

    sessions: sessionmaker[Session]
    engine: TriageEngine = field(default_factory=default_engine)
    clock: Callable[[], datetime] = _now
    dispatch: DispatchSettings = field(default_factory=DispatchSettings.from_env)
    _clients: ClientCache | None = None

    def registry(self) -> ClientRegistry:
        """The clients in force (re-read now and then; see :class:`ClientCache`)."""
        if self._clients is None:
            self._clients = ClientCache(self.sessions, self.engine)
        return self._clients.registry()

    def client(self, client_id: str | None) -> Client | None:
        """A client by id, or ``None``."""
        registry = self.registry()
        return registry.get(client_id) if client_id and client_id in registry else None

    def settings_for(self, client_id: str | None) -> TriageSettings:
        """The client's office hours, heating season and protocol; the defaults otherwise."""
        client = self.client(client_id)
        return client.triage_settings(self.engine.table) if client else TriageSettings()


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
