"""Polling mode: fetch updates with getUpdates, for installs Telegram cannot post to.

Only one process may poll a bot (Telegram answers a second one with 409 Conflict), so
polling is for a single Rasa server; several servers use webhook mode.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import timedelta

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from channels.telegram.logs import logger, redact

#: The update types the assistant reads; Telegram leaves out the rest (edits, joins, ...).
ALLOWED_UPDATES = ("message", "callback_query")


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Poller:
    """Long-polls getUpdates and hands each update, in order, to ``handle``.

    ``handle`` returns once the update is durably kept (or known as a repeat) and raises
    when it could not be kept; such an update, and those after it, are fetched again.
    """

    def __init__(
        self,
        bot: Bot,
        handle: Callable[[Update], Awaitable[object]],
        *,
        timeout: int = 25,
        first_backoff: float = 1.0,
        max_backoff: float = 60.0,
    ) -> None:
        self.bot = bot
        self.handle = handle
        self.timeout = timeout
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        #: The next update id to ask for; Telegram forgets all before it once asked.
        self.offset: int | None = None
        self._asked: int | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._fetch: asyncio.Task[tuple[Update, ...]] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="telegram-polling")

    async def stop(self, grace: float = 10.0) -> None:
        """Stop after the update in hand; an open getUpdates call is dropped."""
        self._stop.set()
        if self._fetch is not None:
            self._fetch.cancel()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace)
        except asyncio.TimeoutError:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        backoff = self.first_backoff
        while not self._stop.is_set():
            try:
                updates = await self._get_updates()
            except asyncio.CancelledError:
                if self._stop.is_set():
                    break
                raise
            except RetryAfter as error:
                await self._pause(_seconds(error.retry_after))
                continue
            except TelegramError as error:
                self._log(error, backoff)
                await self._pause(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            if await self._take(updates):
                backoff = self.first_backoff
            else:
                await self._pause(backoff)
                backoff = min(backoff * 2, self.max_backoff)
        await self._confirm()

    async def _take(self, updates: tuple[Update, ...]) -> bool:
        """Hand updates over in order; False when one was not kept (it is asked for again).

        The offset moves past an update only once ``handle`` returned (the update is in the
        durable inbox): the next getUpdates tells Telegram to forget everything before the
        offset, so moving it first would lose an update whose inbox write failed, or that
        was in hand when the process died.
        """
        for update in updates:
            if self._stop.is_set():
                break  # the rest is not acknowledged: Telegram gives it again after a restart
            try:
                await self.handle(update)
            except Exception:  # not kept: the loop outlives it and asks for it again
                logger.exception(
                    "Telegram update %s not kept; asked for again after a pause", update.update_id
                )
                return False
            self.offset = update.update_id + 1
        return True

    async def _get_updates(self) -> tuple[Update, ...]:
        self._fetch = asyncio.create_task(
            self.bot.get_updates(
                offset=self.offset,
                timeout=self.timeout,
                read_timeout=self.timeout + 10,
                allowed_updates=ALLOWED_UPDATES,
            )
        )
        asked = self.offset
        try:
            updates = await self._fetch
        finally:
            self._fetch = None
        self._asked = asked
        return updates

    async def _confirm(self) -> None:
        """Tell Telegram the last updates were handled, so a restart does not get them again."""
        if self.offset is None or self.offset == self._asked:
            return
        try:
            await self.bot.get_updates(offset=self.offset, limit=1, timeout=0)
        except TelegramError as error:
            logger.info("Telegram updates not confirmed at stop: %s", redact(str(error)))

    async def _pause(self, seconds: float) -> None:
        """Wait ``seconds``, or less when the server stops."""
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    def _log(self, error: TelegramError, backoff: float) -> None:
        reason = redact(str(error))
        if isinstance(error, InvalidToken):
            logger.error("Telegram refused TELEGRAM_BOT_TOKEN; retrying in %.0f s", backoff)
        elif isinstance(error, Conflict):
            logger.warning(
                "Telegram getUpdates conflict (a webhook is set, or another server polls): %s;"
                " retrying in %.0f s",
                reason,
                backoff,
            )
        elif isinstance(error, NetworkError):
            logger.warning("Telegram not reachable: %s; retrying in %.0f s", reason, backoff)
        else:
            logger.error("Telegram getUpdates failed: %s; retrying in %.0f s", reason, backoff)
