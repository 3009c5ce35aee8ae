"""The Rasa server's requests to the action server reuse open connections (rasa_addons/action_client.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from rasa_addons.action_client import use_pooled_connections


class Server:
    """A loopback action server stand-in that notes the client port of every request."""

    def __init__(self) -> None:
        self.peers: list[object] = []
        self.tokens: list[str | None] = []
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, port: int = 0) -> None:
        async def webhook(request: web.Request) -> web.Response:
            self.tokens.append(request.query.get("token"))
            assert request.transport is not None
            self.peers.append(request.transport.get_extra_info("peername"))
            return web.json_response({"events": [], "responses": [], "echo": await request.json()})

        app = web.Application()
        app.router.add_post("/webhook", webhook)
        self.runner = web.AppRunner(app, keepalive_timeout=5)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    use_pooled_connections()
    running = Server()
    await running.start()
    yield running
    await running.stop()


async def test_calls_share_one_connection_and_keep_the_token(server: Server) -> None:
    endpoint = EndpointConfig(f"http://127.0.0.1:{server.port}/webhook", token="geheim-token")
    for n in range(3):
        answer = await endpoint.request(json={"next_action": f"a{n}"}, method="post")
        assert answer["echo"] == {"next_action": f"a{n}"}
    assert len(set(server.peers)) == 1  # one TCP connection for the three calls
    assert server.tokens == ["geheim-token"] * 3


async def test_a_restarted_action_server_is_reached_again(server: Server) -> None:
    endpoint = EndpointConfig(f"http://127.0.0.1:{server.port}/webhook")
    assert await endpoint.request(json={"next_action": "voor"}, method="post")
    port = server.port
    await server.stop()  # closes the open connection, as a killed process's kernel does
    again = Server()
    await again.start(port)
    try:
        answer = await endpoint.request(json={"next_action": "na"}, method="post")
        assert answer["echo"] == {"next_action": "na"}
    finally:
        await again.stop()
    await server.start()  # for the fixture's teardown
