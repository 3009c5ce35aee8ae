"""What the actions need at run time, built on first use rather than at import.

Tests replace it with :func:`use_runtime`; the action server builds the default from
the environment (``DATABASE_URL``, ``MELDKAMER_PUBLIC_URL``, ...) the first time an
action needs it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.clients.registry import ClientRegistry
from meldkamer.clients.schema import Client
from meldkamer.clients.store import latest
from meldkamer.db import database_url, make_engine, make_sessionmaker, upgrade
from meldkamer.dispatch.service import DispatchSettings
from meldkamer.triage import TriageEngine, TriageSettings, default_engine
from meldkamer.triage.officehours import AMSTERDAM

logger = logging.getLogger(__name__)

#: Client files applied while the assistant runs are picked up within this time.
REGISTRY_SECONDS = 30.0


def _now() -> datetime:
    return datetime.now(AMSTERDAM)


@dataclass
class Runtime:
    """The triage engine, the database sessions, the clock and the clients."""

    sessions: sessionmaker[Session]
    engine: TriageEngine = field(default_factory=default_engine)
    clock: Callable[[], datetime] = _now
    dispatch: DispatchSettings = field(default_factory=DispatchSettings.from_env)
    _registry: ClientRegistry | None = None
    _loaded_at: float = 0.0

    def registry(self) -> ClientRegistry:
        """The clients in force, re-read from the database every ``REGISTRY_SECONDS``."""
        if self._registry is None or time.monotonic() - self._loaded_at > REGISTRY_SECONDS:
            try:
                with self.sessions() as session:
                    self._registry = latest(session, self.engine.table)
                self._loaded_at = time.monotonic()
            except SQLAlchemyError:
                # The database is away: keep working with the clients we knew.
                logger.exception("could not read the clients; using the last known set")
                if self._registry is None:
                    self._registry = ClientRegistry()
        return self._registry

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
