"""A TCP proxy on loopback that a test switches off and on: a database outage on demand.

The machine's PostgreSQL keeps running; the servers under test reach it only through
the proxy (``DATABASE_URL`` names the proxy's port). :meth:`TcpProxy.down` closes the
listening socket and cuts every open connection, so new connections are refused and
pooled ones break, as when the database server goes away; :meth:`TcpProxy.up` listens
again on the same port. :meth:`TcpProxy.stall` keeps every connection open but holds
what is sent (a database that hangs rather than goes away) until :meth:`TcpProxy.resume`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

from devstack.ports import free_port


class TcpProxy:
    """Forwards ``127.0.0.1:port`` to ``target``; runs its own event loop in a thread."""

    def __init__(self, target_host: str, target_port: int, port: int | None = None) -> None:
        self.target = (target_host, target_port)
        self.port = port or free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()
        #: Set when data arrived while stalled: a caller is waiting on the database now.
        self.held = threading.Event()
        self._thread.start()

    def _run(self, coroutine: object) -> object:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)  # type: ignore[arg-type]

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if not self._flowing.is_set():
                    self.held.set()
                    await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            self._writers -= {writer, up_writer}

    async def _up(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(
                self._handle, "127.0.0.1", self.port, reuse_address=True
            )

    async def _down(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            transport = writer.transport
            if transport is not None:
                transport.abort()
        self._writers.clear()

    @property
    def is_up(self) -> bool:
        return self._server is not None

    def up(self) -> TcpProxy:
        self._run(self._up())
        return self

    def down(self) -> None:
        self._run(self._down())

    def stall(self) -> None:
        """Hold every byte from now on; connections stay open (see the module)."""
        self.held.clear()
        self._loop.call_soon_threadsafe(self._flowing.clear)

    def resume(self) -> None:
        """Pass the held bytes on, and everything after them."""
        self._loop.call_soon_threadsafe(self._flowing.set)

    def close(self) -> None:
        self.down()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


@contextlib.contextmanager
def running_proxy(target_host: str, target_port: int) -> Iterator[TcpProxy]:
    proxy = TcpProxy(target_host, target_port).up()
    try:
        yield proxy
    finally:
        proxy.close()
