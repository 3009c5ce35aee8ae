"""The conversation lock store: Redis when ``REDIS_URL`` is set, in memory otherwise.

Rasa locks a conversation while it handles a message so two messages of one tenant
never run at once. With one server an in-memory lock does; with two or more servers
behind a load balancer the lock must be shared, in Redis. One endpoints.yml serves
both: the choice follows the environment.
"""

from __future__ import annotations

import os
from typing import Any

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from sqlalchemy.engine import make_url


class EnvLockStore:
    """Rasa instantiates ``type:`` from endpoints.yml; this builds the right store.

    Rasa requires a class there; ``__new__`` returns a ready Rasa lock store instead of
    an instance of this class.
    """

    def __new__(cls, endpoint_config: Any = None) -> LockStore:
        url = os.environ.get("REDIS_URL")
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
