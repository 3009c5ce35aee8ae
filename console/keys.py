"""Application state keys, shared by the console's route modules."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import jinja2
from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.dispatch.service import DispatchSettings
from meldkamer.service.context import Collaborators
from meldkamer.triage import TriageEngine

if TYPE_CHECKING:
    from console.canned import CannedReplies
    from console.rasa_client import RasaClient
    from console.settings import ConsoleSettings
    from console.throttle import Throttle
    from meldkamer.clients.cache import ClientCache

SESSIONS: web.AppKey[sessionmaker[Session]] = web.AppKey("sessions")
CLOCK: web.AppKey[Callable[[], datetime]] = web.AppKey("clock")
SETTINGS: web.AppKey[ConsoleSettings] = web.AppKey("settings")
TEMPLATES: web.AppKey[jinja2.Environment] = web.AppKey("templates")
RASA: web.AppKey[RasaClient] = web.AppKey("rasa")
ENGINE: web.AppKey[TriageEngine] = web.AppKey("engine")
DISPATCH: web.AppKey[DispatchSettings] = web.AppKey("dispatch")
CLIENTS: web.AppKey[ClientCache] = web.AppKey("clients")
CANNED: web.AppKey[CannedReplies] = web.AppKey("canned")
#: The use cases' collaborators (the same sessions, engine, clients, settings and clock).
COLLABORATORS: web.AppKey[Collaborators] = web.AppKey("collaborators")
#: Signs the phone wizard's state (see :mod:`console.signing`).
SIGNING_KEY: web.AppKey[bytes] = web.AppKey("signing_key")
LOGIN_THROTTLE: web.AppKey[Throttle] = web.AppKey("login_throttle")
#: Set on shutdown, so that open event streams end instead of holding the server up.
STOPPING: web.AppKey[asyncio.Event] = web.AppKey("stopping")
#: Seconds between two looks at the database or Rasa for an event stream (tests shorten it).
POLL_SECONDS: web.AppKey[float] = web.AppKey("poll_seconds")
