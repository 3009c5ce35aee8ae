"""The conversation lock store: Redis when ``REDIS_URL`` is set, in memory otherwise.

Rasa locks a conversation while it handles a message so two messages of one tenant
never run at once. With one server an in-memory lock does; with two or more servers
behind a load balancer the lock must be shared, in Redis. One endpoints.yml serves
both: the choice follows the environment.

In-memory locks on several servers fail silently (two servers answer one tenant at
once and the tracker forks), so the store refuses to start instead when ``REDIS_URL``
is missing and ``MELDKAMER_RASA_SERVERS`` is above 1, or in production
(``MELDKAMER_PRODUCTION``) unless ``MELDKAMER_RASA_SERVERS=1`` says a single server is
meant (see :mod:`rasa_addons.deployment`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from sqlalchemy.engine import make_url

from rasa_addons.deployment import (
    PRODUCTION_ENV,
    RASA_SERVERS_ENV,
    DeploymentError,
    is_production,
    rasa_servers,
)


def check_lock_config(env: Mapping[str, str]) -> None:
    """Raise :class:`DeploymentError` when in-memory locks would not be shared enough."""
    if env.get("REDIS_URL", "").strip():
        return
    servers = rasa_servers(env)
    if servers is not None and servers > 1:
        raise DeploymentError(
            f"{RASA_SERVERS_ENV}={servers} but REDIS_URL is not set: several Rasa servers "
            "need one shared lock store, or two of them answer one tenant at once. "
            "Set REDIS_URL (redis://host:6379/1)."
        )
    if servers is None and is_production(env):
        raise DeploymentError(
            f"{PRODUCTION_ENV} is set but REDIS_URL is not: set REDIS_URL for shared "
            f"conversation locks, or {RASA_SERVERS_ENV}=1 if this is the only Rasa server."
        )


class EnvLockStore:
    """Rasa instantiates ``type:`` from endpoints.yml; this builds the right store.

    Rasa requires a class there; ``__new__`` returns a ready Rasa lock store instead of
    an instance of this class, or raises :class:`DeploymentError` (Rasa does not start).
    """

    def __new__(cls, endpoint_config: Any = None) -> LockStore:
        check_lock_config(os.environ)
        url = os.environ.get("REDIS_URL", "").strip()
        if not url:
            return InMemoryLockStore()
        # SQLAlchemy's URL parser reads redis://user:password@host:port/db just as well.
        parsed = make_url(url)
        return RedisLockStore(
            host=parsed.host or "localhost",
            port=parsed.port or 6379,
            db=int(parsed.database or 1),
            username=parsed.username,
            password=parsed.password,
            use_ssl=parsed.drivername == "rediss",
            key_prefix="meldkamer",
        )
