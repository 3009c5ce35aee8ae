"""The console web application: ``init_app`` builds it, ``main`` serves it.

State lives on the application under :class:`web.AppKey` keys; nothing is opened at
import time. Run with ``meldkamer-console`` or ``python -m console.app``.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from console import workorders
from console.keys import CLOCK, SESSIONS
from meldkamer.db import database_url, make_engine, make_sessionmaker, upgrade
from meldkamer.triage.officehours import AMSTERDAM

logger = logging.getLogger(__name__)


@dataclass
class ConsoleSettings:
    """How the console connects; from the environment in :func:`main`."""

    database_url: str


def _now() -> datetime:
    return datetime.now(AMSTERDAM)


async def health(request: web.Request) -> web.Response:
    """Liveness for load balancers and `make run`."""
    return web.json_response({"status": "ok"})


def init_app(
    settings: ConsoleSettings,
    *,
    sessions: sessionmaker[Session] | None = None,
    clock: Callable[[], datetime] = _now,
) -> web.Application:
    """Build the application; tests pass their own ``sessions`` and ``clock``."""
    app = web.Application(client_max_size=12 * 1024 * 1024)
    app[CLOCK] = clock

    async def database(app: web.Application) -> AsyncIterator[None]:
        if sessions is not None:
            app[SESSIONS] = sessions
            yield
            return
        upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        app[SESSIONS] = make_sessionmaker(engine)
        yield
        engine.dispose()

    app.cleanup_ctx.append(database)
    app.router.add_get("/health", health, name="health")
    workorders.setup_routes(app)
    return app


def main(argv: list[str] | None = None) -> None:
    """Serve the console (default port 8080)."""
    parser = argparse.ArgumentParser(description="Meldkamer console")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    web.run_app(
        init_app(ConsoleSettings(database_url=database_url())), host=args.host, port=args.port
    )


if __name__ == "__main__":
    main()
