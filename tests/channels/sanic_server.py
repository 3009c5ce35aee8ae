"""A channel's blueprint on a real Sanic server in the test's event loop, with a stand-in bot.

The bot keeps each message in a real Rasa tracker store (in memory), as Rasa would, and
answers through the channel's output; the server is what Rasa would run it on.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from sanic import Sanic

from devstack.ports import free_port


class TrackingBot:
    """Plays Rasa: records each message in the tracker store and answers it."""

    def __init__(self, store: InMemoryTrackerStore, answer: str | None = "Dank u.") -> None:
        self.store = store
        self.answer = answer
        self.received: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        tracker = await self.store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, metadata=message.metadata))
        await self.store.save(tracker)
        if self.answer:
            await message.output_channel.send_response(message.sender_id, {"text": self.answer})

    async def register_ticket(self, sender_id: str) -> None:
        """The melding was confirmed: the tracker holds its number, as the action sets it."""
        tracker = await self.store.get_or_create_tracker(sender_id)
        tracker.update(SlotSet("ticket_nummer", "MK-2026-000001"))
        await self.store.save(tracker)


DOMAIN = Domain.from_dict(
    {"slots": {"ticket_nummer": {"type": "text", "mappings": [{"type": "custom"}]}}}
)


@asynccontextmanager
async def serving(channel: InputChannel, prefix: str) -> AsyncIterator[tuple[str, TrackingBot]]:
    """``channel`` under ``/webhooks/<prefix>`` on a free port: (base URL, bot)."""
    store = InMemoryTrackerStore(DOMAIN)
    bot = TrackingBot(store)
    # Test mode: Sanic rewrites its own methods at each start; a second app would fail.
    Sanic.test_mode = True
    app = Sanic(f"test-{uuid.uuid4().hex[:12]}")
    app.ctx.agent = SimpleNamespace(tracker_store=store, domain=DOMAIN, action_endpoint=None)
    app.blueprint(channel.blueprint(bot), url_prefix=f"/webhooks/{prefix}")
    port = free_port()
    server: Any = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    try:
        yield f"http://127.0.0.1:{port}/webhooks/{prefix}", bot
    finally:
        server.close()
        await server.wait_closed()
