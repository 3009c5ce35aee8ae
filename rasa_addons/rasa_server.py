"""``rasa run`` with its HTTP API behind a token, on a chosen interface.

``python -m rasa_addons.rasa_server [rasa run options]`` starts ``rasa run --enable-api``
with ``--auth-token`` from ``MELDKAMER_RASA_TOKEN`` and ``--interface`` from
``MELDKAMER_PUBLIC_HOST`` (default ``127.0.0.1``). Without a token it refuses to start:
the API reads every conversation, writes into any of them and can stop the bot.

The token goes to Rasa through this process's own arguments, so it never appears on a
command line that ``ps`` shows to other users of the machine. Callers send it as
``?token=`` (console/rasa_client.py, devstack/stack.py). The lock store's deployment
check runs first too (:func:`rasa_addons.lock_store.check_lock_config`), so a second
server without shared locks stops at once with a clear message. ``/metrics`` (messages
per channel, reply latency) is added to Rasa's application (:func:`with_metrics`).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from meldkamer import logformat, logmask
from rasa_addons.deployment import DeploymentError
from rasa_addons.lock_store import check_lock_config
from rasa_addons.metrics import add_metrics_route

if TYPE_CHECKING:
    from sanic import Sanic

TOKEN_ENV = "MELDKAMER_RASA_TOKEN"
HOST_ENV = "MELDKAMER_PUBLIC_HOST"
DEFAULT_HOST = "127.0.0.1"
#: The shortest token accepted: a guessable token is no protection.
MIN_TOKEN = 16
#: Options this wrapper sets itself; given on the command line they are an error.
OWN_OPTIONS = ("--auth-token", "--jwt-secret", "--interface", "-i")


def rasa_argv(args: Sequence[str], env: Mapping[str, str]) -> list[str]:
    """The ``rasa`` command line for ``args``; raises :class:`DeploymentError` when unsafe."""
    token = env.get(TOKEN_ENV, "").strip()
    if len(token) < MIN_TOKEN:
        raise DeploymentError(
            f"{TOKEN_ENV} is not set (or shorter than {MIN_TOKEN} characters): Rasa's HTTP "
            "API would be open to anyone who reaches the port. make run generates one in "
            "var/rasa-api-token."
        )
    for arg in args:
        if arg.split("=", 1)[0] in OWN_OPTIONS:
            raise DeploymentError(f"{arg.split('=', 1)[0]} is set from the environment here")
    check_lock_config(env)
    host = env.get(HOST_ENV, "").strip() or DEFAULT_HOST
    # One argument with "=": token_urlsafe may start with "-", which argparse would
    # otherwise read as an option ("--auth-token: expected one argument").
    return ["rasa", "run", "--enable-api", f"--auth-token={token}", "--interface", host, *args]


def with_metrics(configure: Callable[..., Sanic]) -> Callable[..., Sanic]:
    """Rasa's ``configure_app`` that also adds ``/metrics`` (rasa_addons/metrics.py).

    ``rasa run`` builds its Sanic application in :func:`rasa.core.run.configure_app`
    and offers no other way to add a route; the route is outside Rasa's token but
    follows the console's rule (loopback, or the metrics token).
    """

    @functools.wraps(configure)
    def configured(*args: Any, **kwargs: Any) -> Sanic:
        app = configure(*args, **kwargs)
        add_metrics_route(app)
        return app

    return configured


def with_log_format(configure: Callable[..., None]) -> Callable[..., None]:
    """Rasa's ``configure_colored_logging``, then JSON on its handler if asked for.

    Rasa sets up its root handler (coloredlogs) only once the command runs, after this
    wrapper's own start; :func:`meldkamer.logformat.install` must come after that.
    """

    @functools.wraps(configure)
    def configured(*args: Any, **kwargs: Any) -> None:
        configure(*args, **kwargs)
        logformat.install()

    return configured


def main() -> None:
    """Replace this process's arguments and hand over to Rasa's own command line."""
    try:
        sys.argv = rasa_argv(sys.argv[1:], os.environ)
    except DeploymentError as error:
        print(f"rasa server: {error}", file=sys.stderr)
        sys.exit(2)
    # Rasa's command line is imported only now (TensorFlow: seconds of CPU), so that a
    # refusal above comes at once.
    import rasa.core.run
    import rasa.utils.io
    from rasa.__main__ import main as rasa_main

    # Rasa sets up its own handlers later; the record factory masks their records too.
    logmask.install()
    rasa.core.run.configure_app = with_metrics(rasa.core.run.configure_app)
    rasa.utils.io.configure_colored_logging = with_log_format(
        rasa.utils.io.configure_colored_logging
    )
    rasa_main()


if __name__ == "__main__":
    main()
