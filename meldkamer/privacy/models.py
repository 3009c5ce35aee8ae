"""The record of every retention run and erasure: who, when, how much; no personal data."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Column, Integer, String

from meldkamer.db import Base, UTCDateTime


class PrivacyActionKind(str, enum.Enum):
    """What removed the data."""

    BEWAARTERMIJN = "bewaartermijn"  # the worker's daily retention run
    WISSEN = "wissen"  # a data subject's erasure (meldkamer privacy erase)
    OPDRACHTGEVER_WISSEN = "opdrachtgever_wissen"  # the end of a contract (client-erase)


class PrivacyAction(Base):
    """One retention run or erasure.

    Attributes:
        by: who did it (an agent's name, or ``worker``).
        client_id: the client of a client-erase; ``None`` otherwise.
        counts: per data class how many rows or files were deleted or anonymised.
    """

    __tablename__ = "privacy_acties"

    id: int = Column(Integer, primary_key=True)
    kind: str = Column(String(30), nullable=False, index=True)
    by: str = Column(String(100), nullable=False)
    at: datetime = Column(UTCDateTime(), nullable=False, index=True)
    client_id: str | None = Column(String(64), nullable=True)
    counts: dict[str, int] = Column(JSON, nullable=False)
