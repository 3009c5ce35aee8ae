"""The clients (opdrachtgevers) in force, for a long-running process.

Read from the database on first use and again every ``REFRESH_SECONDS``, so a client
file applied while the action server or the console runs is picked up; while the
database is away, the last known set keeps serving.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.clients.registry import ClientRegistry
from meldkamer.clients.schema import Client, Complex
from meldkamer.clients.store import latest
from meldkamer.triage import TriageEngine, TriageSettings

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 30.0


@dataclass
class ClientCache:
    """The registry of clients in force, refreshed now and then."""

    sessions: sessionmaker[Session]
    engine: TriageEngine
    _registry: ClientRegistry | None = None
    _loaded_at: float = 0.0

    def registry(self) -> ClientRegistry:
        """The clients in force (the last known set when the database is away)."""
        if self._registry is None or time.monotonic() - self._loaded_at > REFRESH_SECONDS:
            try:
                with self.sessions() as session:
                    self._registry = latest(session, self.engine.table)
                self._loaded_at = time.monotonic()
            except SQLAlchemyError:
                logger.exception("could not read the clients; using the last known set")
                if self._registry is None:
                    return ClientRegistry()
        return self._registry

    def expire(self) -> None:
        """Read the database again on the next use: this process just applied a file.

        The last known set is kept, for when the database is away at that moment.
        """
        self._loaded_at = float("-inf")

    def by_address(self, postcode: str, huisnummer: int) -> tuple[Client, Complex] | None:
        """The client and complex of an address, as the bot finds them."""
        return self.registry().find_by_address(postcode, huisnummer)

    def settings(self, client: Client | None) -> TriageSettings:
        """The client's triage settings; the defaults for an unknown address."""
        return client.triage_settings(self.engine.table) if client else TriageSettings()
