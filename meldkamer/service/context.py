"""What a use case works with: the database, the matrix, the clients, settings, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from meldkamer.clients.cache import ClientCache
from meldkamer.clients.registry import ClientRegistry
from meldkamer.clients.schema import Client, Complex
from meldkamer.dispatch.service import DispatchSettings
from meldkamer.triage import TriageEngine, TriageSettings, default_engine
from meldkamer.triage.officehours import AMSTERDAM


def local_now() -> datetime:
    """The wall clock in the meldkamer's time zone (tests pass their own clock)."""
    return datetime.now(AMSTERDAM)


@dataclass
class Collaborators:
    """The collaborators of the use cases; built by :mod:`meldkamer.composition`.

    Attributes:
        sessions: the database's session factory.
        engine: the urgency matrix.
        clock: the current time, aware (tests move it).
        dispatch: where work-order links point and who the meldkamer is.
        clients: the clients in force; made on first use when not given.
        spool: the outage spool folder; :func:`meldkamer.intake.spool.spool_dir` when ``None``.
    """

    sessions: sessionmaker[Session]
    engine: TriageEngine = field(default_factory=default_engine)
    clock: Callable[[], datetime] = local_now
    dispatch: DispatchSettings = field(default_factory=DispatchSettings.from_env)
    clients: ClientCache | None = None
    spool: Path | None = None

    def client_cache(self) -> ClientCache:
        """The cache of the clients in force, made on first use."""
        if self.clients is None:
            self.clients = ClientCache(self.sessions, self.engine)
        return self.clients

    def registry(self) -> ClientRegistry:
        """The clients in force (re-read now and then; see :class:`ClientCache`)."""
        return self.client_cache().registry()

    def client(self, client_id: str | None) -> Client | None:
        """A client by id, or ``None``."""
        registry = self.registry()
        return registry.get(client_id) if client_id and client_id in registry else None

    def place(
        self, client_id: str | None, complex_id: str | None
    ) -> tuple[Client | None, Complex | None]:
        """The client and complex by id (``None`` where unknown)."""
        client = self.client(client_id)
        return client, client.complex(complex_id) if client and complex_id else None

    def settings_for(self, client_id: str | None) -> TriageSettings:
        """The client's office hours, heating season and protocol; the defaults otherwise."""
        client = self.client(client_id)
        return client.triage_settings(self.engine.table) if client else TriageSettings()
