"""Application state keys, shared by the console's route modules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

SESSIONS: web.AppKey[sessionmaker[Session]] = web.AppKey("sessions")
CLOCK: web.AppKey[Callable[[], datetime]] = web.AppKey("clock")
