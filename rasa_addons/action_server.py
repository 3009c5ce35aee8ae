"""The action server on a chosen interface, answering only Rasa (``python -m rasa_addons.action_server``).

``rasa run actions`` binds every interface and runs whatever tracker anyone posts to
``/webhook``: a forged tracker would register tickets and send real work orders. This
wrapper builds rasa_sdk's own Sanic application and adds two things:

* it binds ``MELDKAMER_ACTION_HOST`` (default ``127.0.0.1``; rasa_sdk's CLI has no host
  option, only the ``SANIC_HOST`` variable, which defaults to every interface);
* ``/webhook`` and ``/actions`` require ``?token=`` equal to ``MELDKAMER_ACTION_TOKEN``,
  which Rasa sends as the ``token`` of ``action_endpoint`` in endpoints.yml. Without the
  variable the server refuses to start. ``/health`` stays open (it tells nothing);
  ``/metrics`` (action errors) follows the console's rule (rasa_addons/metrics.py).
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import logging
import os
from collections.abc import Callable, Mapping

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import BaseHTTPResponse, HTTPResponse

from meldkamer import logformat, logmask
from meldkamer.metrics.conversation import process_metrics
from rasa_addons.metrics import add_metrics_route

logger = logging.getLogger(__name__)

TOKEN_ENV = "MELDKAMER_ACTION_TOKEN"
HOST_ENV = "MELDKAMER_ACTION_HOST"
PORT_ENV = "MELDKAMER_ACTION_PORT"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5055
#: The routes that run or list actions; only Rasa, with the token, may call them.
GUARDED = frozenset({"/webhook", "/actions"})
#: The shortest token accepted: a guessable token is no protection.
MIN_TOKEN = 16


class ConfigError(SystemExit):
    """The action server cannot start as configured; the message says what to set."""


def token_from(env: Mapping[str, str]) -> str:
    """The shared token Rasa must send; refuses a missing or short one."""
    token = env.get(TOKEN_ENV, "").strip()
    if len(token) < MIN_TOKEN:
        raise ConfigError(
            f"{TOKEN_ENV} is not set (or shorter than {MIN_TOKEN} characters): the action "
            "server refuses to run actions for anyone but Rasa. make run generates one "
            "in var/action-token; set the same value for Rasa (endpoints.yml) and here."
        )
    return token


def token_matches(provided: str | None, token: str) -> bool:
    """Constant-time comparison, so the token cannot be guessed by timing."""
    return provided is not None and hmac.compare_digest(provided.encode(), token.encode())


def require_token(app: Sanic, token: str) -> None:
    """Refuse guarded routes without the right ``?token=`` with 401 and a JSON error."""

    async def check_token(request: Request) -> HTTPResponse | None:
        if request.path not in GUARDED:
            return None
        provided = request.args.get("token")
        if token_matches(provided if isinstance(provided, str) else None, token):
            return None
        logger.warning(
            "action server: %s %s refused (no valid token)", request.method, request.path
        )
        return response.json({"error": "token ontbreekt of is onjuist"}, status=401)

    app.register_middleware(check_token, "request")


def count_errors(app: Sanic) -> None:
    """Count ``/webhook`` calls answered with an error, per action (``/metrics``)."""

    async def after(request: Request, answer: BaseHTTPResponse) -> None:
        if request.path == "/webhook" and answer.status >= 400 and answer.status != 401:
            try:
                body = request.json if request.body else None
            except Exception:  # not JSON: the error is counted without an action name
                body = None
            action = body.get("next_action") if isinstance(body, dict) else None
            process_metrics().action_failed(action if isinstance(action, str) else None)

    app.register_middleware(after, "response")


def log_context(call: object) -> dict[str, object]:
    """The conversation, ticket number and correlation id of an action call's tracker.

    The correlation id is the ``message_id`` of the latest user event: the id the
    channel gave the message (channels/common/correlation.py).
    """
    tracker = call.get("tracker") if isinstance(call, dict) else None
    if not isinstance(tracker, dict):
        return {}
    slots, events = tracker.get("slots"), tracker.get("events")
    users = (
        [e for e in events if isinstance(e, dict) and e.get("event") == "user"]
        if isinstance(events, list)
        else []
    )
    return {
        "conversation_id": tracker.get("sender_id"),
        "ticket": slots.get("ticket_nummer") if isinstance(slots, dict) else None,
        "correlation_id": users[-1].get("message_id") if users else None,
    }


def bind_log_context(app: Sanic) -> None:
    """Every line logged while ``/webhook`` runs an action names its conversation."""

    async def before(request: Request) -> None:
        if request.path == "/webhook":
            try:
                call = request.json if request.body else None
            except Exception:  # not JSON: rasa_sdk answers it; nothing to bind
                call = None
            request.ctx.unbind_log = logformat.bind(**log_context(call))

    async def after(request: Request, answer: BaseHTTPResponse) -> None:
        unbind = getattr(request.ctx, "unbind_log", None)
        if unbind is not None:  # the connection's task serves the next request too
            unbind()

    app.register_middleware(before, "request")
    app.register_middleware(after, "response")


def build_app(actions: str, token: str) -> Sanic:
    """rasa_sdk's application for the ``actions`` package, guarded by ``token``."""
    # No CORS: only Rasa calls this server, never a browser.
    app: Sanic = create_app(actions, cors_origins=None)
    require_token(app, token)
    count_errors(app)
    bind_log_context(app)
    add_metrics_route(app)
    return app


#: Longest the server waits for the warm-up before it answers anyway (a database that
#: does not answer at all must not keep the action server from starting).
WARM_UP_S = 20.0


def warm_up_before_start(app: Sanic, warm_up: Callable[[], None]) -> None:
    """Run ``warm_up`` (in a thread) before the server answers; a failure only logs."""

    async def listener(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
        try:
            await asyncio.wait_for(loop.run_in_executor(None, warm_up), WARM_UP_S)
        except Exception as error:  # the database away: the first message tries again
            logger.warning("warm-up not done (%s); the first message does it", error)

    app.register_listener(listener, "before_server_start")


def parse_args(argv: list[str] | None, env: Mapping[str, str]) -> argparse.Namespace:
    """Command-line options; their defaults come from the environment."""
    parser = argparse.ArgumentParser(description="Meldkamer's action server (rasa_sdk)")
    parser.add_argument("--host", default=env.get(HOST_ENV, "").strip() or DEFAULT_HOST)
    parser.add_argument(
        "--port", type=int, default=int(env.get(PORT_ENV, "").strip() or DEFAULT_PORT)
    )
    parser.add_argument("--actions", default="actions")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Start the action server; exits with a clear message when it may not."""
    args = parse_args(argv, os.environ)
    token = token_from(os.environ)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logmask.install()
    logformat.install()  # JSON if MELDKAMER_LOG_FORMAT=json
    utils.update_sanic_log_level()
    app = build_app(args.actions, token)
    if args.actions == "actions":
        from actions.runtime import warm_up

        warm_up_before_start(app, warm_up)
    logger.info("action server on http://%s:%d (token required)", args.host, args.port)
    # No access log: the URLs Rasa calls carry the token.
    app.run(args.host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
