"""Which database errors are an outage, and a pooled connection that died since its use.

Used by :mod:`rasa_addons.tracker_store` (the tests import :func:`is_outage` from there).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

__all__ = ["died_in_pool", "is_outage", "once_more"]


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached (rather than refusing data)."""
    if isinstance(error, (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def died_in_pool(error: DBAPIError) -> bool:
    """Whether a statement failed because its pooled connection had died since its last use.

    A database restart kills the idle pooled connections; the first statement on each
    fails. SQLAlchemy then discards the pool's older connections, so the same call once
    more gets a fresh one, or fails to connect if the database is really away (an
    outage). A failure to connect at all has no statement.
    """
    return bool(error.connection_invalidated) and error.statement is not None


def once_more(call: Callable[..., _T], *args: Any) -> _T:
    """``call(*args)`` (blocking, reading only); repeated once if its connection had died."""
    try:
        return call(*args)
    except DBAPIError as error:
        if not died_in_pool(error):
            raise
        logger.info("a pooled database connection had died (%s); trying a new one", error.orig)
        return call(*args)
