"""Fixtures of the use-case tests: the collaborators on a real database (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.intake.melding import Melding
from meldkamer.intake.validation import Address
from meldkamer.service.context import Collaborators

#: A winter night: the office is closed until Monday morning.
NIGHT = datetime(2026, 12, 5, 3, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture
def ctx(demo_sessions: sessionmaker[Session], tmp_path: Path) -> Collaborators:
    """The collaborators on the demo clients, the clock at NIGHT, the spool in tmp_path."""
    return Collaborators(sessions=demo_sessions, clock=lambda: NIGHT, spool=tmp_path / "spool")


def burst_pipe(key: str = "m-1", **changes: object) -> Melding:
    """A burst pipe that cannot be shut off, at a Lindehof address of De Linde."""
    fields: dict[str, object] = {
        "melding_id": key,
        "conversation_id": f"gesprek-{key}",
        "channel": "rest",
        "topic": "lekkage_waterleiding",
        "address": Address("1234 AB", 12),
        "naam": "Fatima el Amrani",
        "telefoon": "+31612345678",
        "beschrijving": "water spuit uit de leiding",
        "facts": {"leiding_gesprongen": True, "leiding_afsluitbaar": False},
        "client_id": "de-linde",
        "complex_id": "lindehof",
    }
    fields.update(changes)
    return Melding(**fields)  # type: ignore[arg-type]
