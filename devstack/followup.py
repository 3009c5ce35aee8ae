"""Following a melding up on a running stack: a web chat tenant, work-order steps, the worker.

The steps are set with the use case the CLI and the work-order page call
(:func:`meldkamer.service.workorder.update_by_number`) on the stack's database; the
worker's delivery round (:func:`meldkamer.notify.worker.deliver_due`) then sends what
they queued through real senders: the tenant's chat through the stack's Rasa API, SMS
through the SMS gateway fake.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from devstack.stack import Stack, post_json, read_events
from meldkamer.composition import collaborators, open_database
from meldkamer.notify.chat import ChatSender, ChatSettings
from meldkamer.notify.delivery import Sender
from meldkamer.notify.worker import deliver_due
from meldkamer.service.context import Collaborators, local_now
from meldkamer.service.workorder import Request, Via, update_by_number

#: The contractor who calls in the steps (``meldkamer werkbon status ... --by``).
BY = "Jansen Loodgieters"


class WebchatTenant:
    """The interface :func:`devstack.tenant.converse` talks to (``say``), over the web chat."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        status, body = post_json(
            f"{stack.url}/webhooks/webchat/session", {"site_key": "de-linde-demo"}
        )
        assert status == 200, body
        self.session = str(body["session_id"])
        self.last: str | None = None

    def say(self, sender: str, message: str) -> list[dict[str, Any]]:
        """Send ``message``; the bot's messages as the REST channel shows them."""
        status, body = post_json(
            f"{self.stack.url}/webhooks/webchat/message",
            {"session_id": self.session, "site_key": "de-linde-demo", "text": message},
        )
        assert status == 200, body
        return [m for m in self.read() if m.get("from") == "bot"]

    def read(self, timeout: float = 2.0) -> list[dict[str, Any]]:
        """Everything new on the stream since the last read."""
        new = read_events(self.stack.url, self.session, after=self.last, want=100, timeout=timeout)
        if new:
            self.last = new[-1][0]
        return [message for _, message in new]

    def history(self) -> list[dict[str, Any]]:
        """The stream from the start, as the widget reads it after a reload."""
        return [m for _, m in read_events(self.stack.url, self.session, want=200, timeout=2)]


@contextmanager
def context(stack: Stack) -> Iterator[Collaborators]:
    """The use cases' collaborators on the stack's database, on the wall clock."""
    database = open_database(stack.database_url, migrate=False)
    try:
        yield collaborators(database.sessions, clock=local_now)
    finally:
        database.close()


def set_step(stack: Stack, number: str, status: str, **data: Any) -> None:
    """The contractor's step, as ``meldkamer werkbon status`` sets it."""
    with context(stack) as ctx:
        update_by_number(ctx, number, Request(status, by=BY, via=Via.CLI, **data))


def deliver(stack: Stack, senders: Mapping[str, Sender], now: datetime | None = None) -> int:
    """One worker round until nothing of these kinds is due; how many were sent."""

    async def rounds() -> int:
        sent = 0
        with context(stack) as ctx:
            try:
                while True:
                    report = await deliver_due(ctx.sessions, senders, now or local_now())
                    sent += report.sent
                    if report.claimed == 0:
                        return sent
            finally:
                for sender in senders.values():
                    await sender.close()

    return asyncio.run(rounds())


def chat_sender(stack: Stack) -> dict[str, Sender]:
    """The worker's chat sender pointed at the stack's Rasa API."""
    return {"chat": ChatSender(ChatSettings(stack.url, stack.rasa_token))}
