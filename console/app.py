"""The console web application: ``init_app`` builds it, ``main`` serves it.

State lives on the application under :class:`web.AppKey` keys; nothing is opened at
import time: the database, the HTTP client for Rasa and the templates are made when
the application starts. Run with ``meldkamer-console`` or ``python -m console.app``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from console import (
    accounts_admin,
    attachments,
    auth,
    beheer,
    bewaking,
    change_requests,
    conversation,
    metrics,
    phone,
    portal,
    portal_accounts,
    queue,
    supervisor,
    ticket,
    tickets_list,
    transfer,
    workorders,
)
from console.canned import CannedReplies
from console.csrf import csrf_middleware
from console.errorpages import error_pages
from console.keys import (
    CANNED,
    CLIENTS,
    CLOCK,
    COLLABORATORS,
    DISPATCH,
    ENGINE,
    LOGIN_THROTTLE,
    POLL_SECONDS,
    SESSIONS,
    SETTINGS,
    SIGNING_KEY,
    STOPPING,
    TEMPLATES,
)
from console.rasa_client import rasa_context
from console.rendering import make_environment
from console.security import add_security_headers
from console.settings import ConsoleSettings
from console.throttle import Throttle
from meldkamer import logformat, logmask
from meldkamer.composition import collaborators, local_now, open_database
from meldkamer.dispatch.service import DispatchSettings

__all__ = ["ConsoleSettings", "init_app", "main"]

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"


async def health(request: web.Request) -> web.Response:
    """Liveness for load balancers and `make run`."""
    return web.json_response({"status": "ok"})


def init_app(
    settings: ConsoleSettings,
    *,
    sessions: sessionmaker[Session] | None = None,
    clock: Callable[[], datetime] = local_now,
    dispatch: DispatchSettings | None = None,
    poll_seconds: float = 1.0,
) -> web.Application:
    """Build the application; tests pass their own ``sessions``, ``clock`` and Rasa URL."""
    app = web.Application(
        client_max_size=12 * 1024 * 1024,
        middlewares=[error_pages, auth.session_middleware, csrf_middleware],
    )
    app[SETTINGS] = settings
    app[CLOCK] = clock
    app[POLL_SECONDS] = poll_seconds
    app[LOGIN_THROTTLE] = Throttle.from_env()

    async def database(app: web.Application) -> AsyncIterator[None]:
        if sessions is not None:
            app[SESSIONS] = sessions
            yield
            return
        opened = open_database(settings.database_url)
        app[SESSIONS] = opened.sessions
        yield
        opened.close()

    async def services(app: web.Application) -> AsyncIterator[None]:
        app[TEMPLATES] = make_environment()
        ctx = collaborators(app[SESSIONS], clock=clock, dispatch=dispatch)
        app[COLLABORATORS] = ctx
        app[ENGINE] = ctx.engine
        app[DISPATCH] = ctx.dispatch
        app[CLIENTS] = ctx.client_cache()
        app[CANNED] = CannedReplies(settings.canned_replies)
        # Without a configured key a random one: wizards in progress end with the process.
        app[SIGNING_KEY] = settings.secret_key or secrets.token_bytes(32)
        app[STOPPING] = asyncio.Event()
        yield

    async def stop_streams(app: web.Application) -> None:
        app[STOPPING].set()

    app.cleanup_ctx.extend([database, services, rasa_context])
    # aiohttp 3.9 annotates its signals for an older aiosignal; the handlers do match.
    app.on_shutdown.append(stop_streams)  # type: ignore[arg-type]
    app.on_response_prepare.append(add_security_headers)  # type: ignore[arg-type]

    app.router.add_get("/health", health, name="health")
    app.router.add_static("/static", STATIC_DIR, name="static")
    auth.setup_routes(app)
    queue.setup_routes(app)
    conversation.setup_routes(app)
    ticket.setup_routes(app)
    attachments.setup_routes(app)
    phone.setup_routes(app)
    beheer.setup_routes(app)
    bewaking.setup_routes(app)
    supervisor.setup_routes(app)
    tickets_list.setup_routes(app)
    accounts_admin.setup_routes(app)
    workorders.setup_routes(app)
    transfer.setup_routes(app)
    metrics.setup_routes(app)
    change_requests.setup_routes(app)
    portal_accounts.setup_routes(app)
    portal.mount(app)  # the client portal under /portaal, with its own sign-in
    return app


def main(argv: list[str] | None = None) -> None:
    """Serve the console (default port 8080); settings from the environment."""
    parser = argparse.ArgumentParser(description="Meldkamer console")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logmask.install()  # no phone numbers or e-mail addresses in the console's log
    logformat.install()  # JSON if MELDKAMER_LOG_FORMAT=json
    settings = ConsoleSettings.from_env()
    if not settings.secure_cookies:
        logger.warning(
            "CONSOLE_SECURE_COOKIES is not set: only acceptable without HTTPS on loopback"
        )
    web.run_app(init_app(settings), host=args.host, port=args.port, shutdown_timeout=10)


if __name__ == "__main__":
    main()
