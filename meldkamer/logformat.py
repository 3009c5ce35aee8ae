"""One JSON log line per record for every process, with who and what it is about.

At 03:00 the question is "what happened to this tenant's message": the lines of the
channel (Rasa server), the action that registered the ticket and the worker that sent
the work order must be found together. Each line therefore carries, when known, the
``conversation_id``, the ``ticket`` number and a ``correlation_id`` that the channel
gives the inbound message (:data:`METADATA_KEY` in the message's metadata); the action
server binds it from the tracker, the outbox logs it with the message key, and the
worker logs the key when it sends.

These three live in context variables: :func:`bound` sets them for a block, per thread
and per asyncio task, so two conversations handled at once never swap their ids.
:func:`install` switches the root logger's handlers (and those of loggers that do not
propagate, like Sanic's) to :class:`JsonFormatter` when ``MELDKAMER_LOG_FORMAT=json``;
otherwise the plain format stays, which is easier to read for a newcomer. Masking
(:mod:`meldkamer.logmask`) keeps working: the formatter masks the message again and
every context value and extra field, since a sender id can be a phone number.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import datetime, timezone
from typing import Any

from meldkamer.logmask import mask, mask_record

ENV = "MELDKAMER_LOG_FORMAT"
JSON = "json"
#: The key of the correlation id in a Rasa message's metadata.
METADATA_KEY = "correlation_id"
#: The context fields, in the order they appear in a line.
FIELDS = ("conversation_id", "ticket", "correlation_id")

_VARS: dict[str, ContextVar[str | None]] = {
    name: ContextVar(f"meldkamer_log_{name}", default=None) for name in FIELDS
}
#: What every LogRecord has; anything else on a record came as ``extra=`` and is logged.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


def new_correlation_id() -> str:
    """A fresh id for one inbound message (short enough to type into a search)."""
    return uuid.uuid4().hex[:16]


def _check(values: Mapping[str, object]) -> None:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown log context field(s): {', '.join(sorted(unknown))}")


def bind(**values: object) -> Callable[[], None]:
    """Set context fields (``None`` clears one); returns the function that undoes it.

    For middleware, where the start and end of a request are two callbacks; elsewhere
    use :func:`bound`. Values are kept as text (a ticket number may come as a number).
    """
    _check(values)
    tokens: list[tuple[ContextVar[str | None], Token[str | None]]] = [
        (_VARS[name], _VARS[name].set(None if value is None else str(value)))
        for name, value in values.items()
    ]

    def reset() -> None:
        for var, token in reversed(tokens):
            var.reset(token)

    return reset


@contextmanager
def bound(**values: object) -> Iterator[None]:
    """Set context fields for the duration of the block (per thread and asyncio task)."""
    reset = bind(**values)
    try:
        yield
    finally:
        reset()


def current() -> dict[str, str]:
    """The context fields set now (those that are ``None`` left out)."""
    return {name: value for name, var in _VARS.items() if (value := var.get()) is not None}


def correlated(metadata: Mapping[str, Any] | None, correlation_id: str) -> dict[str, Any]:
    """``metadata`` (a message's, may be ``None``) with the correlation id added."""
    return {**(metadata or {}), METADATA_KEY: correlation_id}


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    return mask(str(value))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, context, extras, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        mask_record(record)  # also when the MaskFilter is not on this handler
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.processName,
        }
        line.update({name: mask(value) for name, value in current().items()})
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in line:
                line[name] = _masked(value)
        if record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False)


def enabled(env: Mapping[str, str] | None = None) -> bool:
    """Whether ``MELDKAMER_LOG_FORMAT`` asks for JSON (anything else: plain text)."""
    value = (os.environ if env is None else env).get(ENV, "")
    return value.strip().lower() == JSON


def _handlers() -> Iterator[logging.Handler]:
    # The last resort prints warnings of a process without handlers (most CLI commands).
    if logging.lastResort is not None:
        yield logging.lastResort
    yield from logging.getLogger().handlers
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            yield from logger.handlers


def install(env: Mapping[str, str] | None = None) -> bool:
    """JSON on every handler configured so far, if the environment asks; whether it did.

    Call it after the process has set up its logging (next to ``logmask.install()``);
    handlers added later keep their own format, so frameworks that add theirs (Rasa)
    call it again afterwards.
    """
    if not enabled(env):
        return False
    formatter = JsonFormatter()
    for handler in _handlers():
        handler.setFormatter(formatter)
    logging.captureWarnings(True)  # warnings through logging too, not as bare stderr text
    return True
