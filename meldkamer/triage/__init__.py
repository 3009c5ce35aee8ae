"""Urgency triage: the seed's matrix as a decision table, and the engine that reads it."""

from __future__ import annotations

from functools import lru_cache

from meldkamer.triage.engine import Outcome, TriageEngine, TriageInputError, TriageSettings
from meldkamer.triage.table import DecisionTable, TableError, Urgency, load_table

__all__ = [
    "DecisionTable",
    "Outcome",
    "TableError",
    "TriageEngine",
    "TriageInputError",
    "TriageSettings",
    "Urgency",
    "default_engine",
    "load_table",
]


@lru_cache(maxsize=1)
def default_engine() -> TriageEngine:
    """The engine over the packaged table, read once on first use (not at import)."""
    return TriageEngine(load_table())
