"""The database record of a photo: where the file is and which melding it belongs to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Integer, String

from meldkamer.db import ticket_id_column
from meldkamer.tickets.models import Base, UTCDateTime


class Attachment(Base):
    """A photo a tenant sent; linked to the ticket once the melding is registered."""

    __tablename__ = "bijlagen"

    id: int = Column(Integer, primary_key=True)
    conversation_id: str = Column(String(255), nullable=False, index=True)
    ticket_id: int | None = ticket_id_column(ondelete="SET NULL", nullable=True)
    #: Path below the upload folder (``YYYY/MM/<uuid>.jpg``), never an absolute path.
    path: str = Column(String(200), nullable=False, unique=True)
    content_type: str = Column(String(40), nullable=False)
    size: int = Column(Integer, nullable=False)
    sha256: str = Column(String(64), nullable=False)
    created_at: datetime = Column(UTCDateTime(), nullable=False)
