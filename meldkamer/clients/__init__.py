"""Clients (opdrachtgevers): their files, checks, look-ups and applied versions.

See docs/CLIENTS.md for the file format.
"""

from __future__ import annotations

from meldkamer.clients.loader import (
    ClientFileError,
    LoadedClient,
    Problem,
    load_client,
    parse_client,
)
from meldkamer.clients.models import ClientVersion
from meldkamer.clients.registry import ClientRegistry, RegistryConflictError, conflicts
from meldkamer.clients.schema import (
    CLIENT_KINDS,
    ENTRY_KINDS,
    AddressRange,
    Client,
    Complex,
    Contact,
    Contractor,
    Entries,
    RosterPeriod,
    TradeCover,
)
from meldkamer.clients.store import (
    apply,
    apply_all,
    diff,
    history,
    latest,
    load_default_registry,
)
from meldkamer.clients.topics import TRADES

__all__ = [
    "CLIENT_KINDS",
    "ENTRY_KINDS",
    "TRADES",
    "AddressRange",
    "Client",
    "ClientFileError",
    "ClientRegistry",
    "ClientVersion",
    "Complex",
    "Contact",
    "Contractor",
    "Entries",
    "LoadedClient",
    "Problem",
    "RegistryConflictError",
    "RosterPeriod",
    "TradeCover",
    "apply",
    "apply_all",
    "conflicts",
    "diff",
    "history",
    "latest",
    "load_client",
    "load_default_registry",
    "parse_client",
]
