"""Database table of applied client files: every version of every client, kept for good.

Attributes carry plain Python annotations because SQLAlchemy 1.4 ships no type hints;
SQLAlchemy ignores them, mypy uses them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Integer, String, Text, UniqueConstraint

from meldkamer.tickets.models import Base, UTCDateTime


class ClientVersion(Base):
    """One applied version of a client file, with who applied it and when."""

    __tablename__ = "client_versions"
    # Named by hand: the naming convention would name it after client_id alone.
    __table_args__ = (
        UniqueConstraint("client_id", "version", name="uq_client_versions_client_id_version"),
    )

    id: int = Column(Integer, primary_key=True)
    client_id: str = Column(String(64), nullable=False, index=True)
    #: 1, 2, ... per client.
    version: int = Column(Integer, nullable=False)
    #: The YAML text exactly as applied.
    source: str = Column(Text, nullable=False)
    #: SHA-256 of ``source`` (hex): an unchanged file gives no new version.
    checksum: str = Column(String(64), nullable=False)
    applied_by: str = Column(String(100), nullable=False)
    applied_at: datetime = Column(UTCDateTime(), nullable=False)
    note: str | None = Column(Text, nullable=True)

    def __repr__(self) -> str:
        return f"<ClientVersion {self.client_id} v{self.version}>"
