"""A TCP forwarder on loopback: put it between the hub and PostgreSQL and cut it, and the
database is unreachable for the hub (open connections broken, new ones closed at once) without
touching the server other tests share."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

__all__ = ["Proxy", "tcp_proxy"]


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


@dataclass
class Proxy:
    """Forwards ``port`` to the target while not :attr:`cut`."""

    target_host: str
    target_port: int
    port: int = 0
    cut: bool = False
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One client connection: refused while cut, else piped both ways."""
        if self.cut:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))
        for task in (
            asyncio.create_task(_pipe(reader, up_writer)),
            asyncio.create_task(_pipe(up_reader, writer)),
        ):
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def disconnect(self) -> None:
        """Cut: break every open connection and refuse new ones until :meth:`reconnect`."""
        self.cut = True
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()

    def reconnect(self) -> None:
        """Forward again."""
        self.cut = False

    async def close(self) -> None:
        """Stop every pipe."""
        self.disconnect()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


@contextlib.asynccontextmanager
async def tcp_proxy(target_host: str, target_port: int) -> AsyncIterator[Proxy]:
    """A :class:`Proxy` listening on a free loopback port until the block ends."""
    proxy = Proxy(target_host, target_port)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    proxy.port = server.sockets[0].getsockname()[1]
    try:
        yield proxy
    finally:
        server.close()
        await proxy.close()
        await server.wait_closed()
