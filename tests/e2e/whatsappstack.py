"""The real Rasa and action servers with the WhatsApp channel on, against the Graph API fake
(shared by the WhatsApp e2e tests through tests/e2e/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from devstack.stack import Stack
from tests.fakes.graph_api import (
    FakeGraphApi,
    MetaWebhooks,
    running_graph_api,
)


@dataclass
class Running:
    stack: Stack
    graph: FakeGraphApi
    meta: MetaWebhooks

    @property
    def webhook(self) -> str:
        return f"{self.stack.url}/webhooks/whatsapp/webhook"

    @property
    def uploads(self) -> Path:
        return self.stack.uploads


@contextmanager
def whatsapp_stack(workdir: Path) -> Iterator[Running]:
    """The stack on WhatsApp and REST, the fake and Meta's webhooks, until the block ends."""
    with running_graph_api() as graph:
        # With the demo clients (Stack applies them) the WhatsApp number leads to de-linde.
        stack = Stack(
            database_url=f"sqlite:///{workdir / 'meldkamer.db'}",
            workdir=workdir,
            channels=("rest", "channels.whatsapp.WhatsAppInput"),
            # This test keeps its state in the server's memory, and sets WhatsApp itself.
            unset=("REDIS_URL", "WHATSAPP_*"),
            env=graph.env(),
        )
        try:
            stack.start()
            yield Running(stack, graph, MetaWebhooks(graph=graph))
        finally:
            stack.stop()
