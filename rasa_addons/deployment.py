"""How the Rasa server is deployed, from the environment: the few switches the plug-ins share.

* ``MELDKAMER_PRODUCTION`` (``1``/``true``): a production deployment. The REST channel is
  then off unless ``MELDKAMER_REST_SECRET`` is set, and the lock store wants either
  ``REDIS_URL`` or ``MELDKAMER_RASA_SERVERS=1`` said out loud.
* ``MELDKAMER_RASA_SERVERS``: how many Rasa servers share the conversations (default 1).
"""

from __future__ import annotations

from collections.abc import Mapping

PRODUCTION_ENV = "MELDKAMER_PRODUCTION"
RASA_SERVERS_ENV = "MELDKAMER_RASA_SERVERS"
_TRUE = frozenset({"1", "true", "yes", "ja", "on"})


class DeploymentError(RuntimeError):
    """The deployment is configured in a way that would silently lose safety."""


def is_production(env: Mapping[str, str]) -> bool:
    """Whether ``MELDKAMER_PRODUCTION`` is switched on."""
    return env.get(PRODUCTION_ENV, "").strip().lower() in _TRUE


def rasa_servers(env: Mapping[str, str]) -> int | None:
    """``MELDKAMER_RASA_SERVERS`` as a number; ``None`` when not set."""
    raw = env.get(RASA_SERVERS_ENV, "").strip()
    if not raw:
        return None
    try:
        count = int(raw)
    except ValueError:
        raise DeploymentError(f"{RASA_SERVERS_ENV} must be a whole number, not {raw!r}") from None
    if count < 1:
        raise DeploymentError(f"{RASA_SERVERS_ENV} must be 1 or more, not {count}")
    return count
