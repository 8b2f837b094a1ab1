"""Real servers on loopback for tests: uvicorn in the test's own event loop, on a free port.

A test's servers (its hub, its peers) are started one by one and stopped all at once
(:class:`Servers`): each stop is mostly waiting (uvicorn lets open connections finish, the hub
drains its outbox), so stopping them together costs one stop instead of one per server.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import uvicorn

__all__ = ["Servers", "free_port", "run_server"]

# above the hub's own bounded shutdown (outbox drain 10 s + traffic flush 5 s)
STOP_TIMEOUT = 30


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Server(uvicorn.Server):
    """uvicorn's server, woken by :meth:`stop` instead of noticing ``should_exit`` at its next
    0.1 s tick."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._stopping = asyncio.Event()

    async def main_loop(self) -> None:
        # on_tick(0) refreshes the Date header (uvicorn does it once a second too) and says
        # whether to exit; a signal that sets should_exit is noticed within that second
        while not await self.on_tick(0):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), 1)

    def stop(self) -> None:
        """Begin the graceful shutdown now."""
        self.should_exit = True
        self._stopping.set()


class Servers:
    """The servers of one test: started one by one, stopped together by :meth:`stop_all`."""

    def __init__(self) -> None:
        self._running: list[tuple[_Server, asyncio.Task[None]]] = []

    async def start(self, app: Any, port: int | None = None) -> str:
        """Serve ``app`` on 127.0.0.1 (``port``, or a free one); its base URL once it serves."""
        port = port or free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", access_log=False
        )
        server = _Server(config)
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("server stopped before it started")
            await asyncio.sleep(0.01)
        self._running.append((server, task))
        return f"http://127.0.0.1:{port}"

    async def stop_all(self) -> None:
        """Stop every server started here, at once; the first failure is raised."""
        running, self._running = self._running, []
        for server, _ in running:
            server.stop()
        tasks = [task for _, task in running]
        if not tasks:
            return
        done = asyncio.gather(*tasks, return_exceptions=True)
        for outcome in await asyncio.wait_for(done, timeout=STOP_TIMEOUT):
            if isinstance(outcome, BaseException):
                raise outcome


@contextlib.asynccontextmanager
async def run_server(app: Any, port: int | None = None) -> AsyncIterator[str]:
    """Serve ``app`` on 127.0.0.1 until the block ends; yields its base URL."""
    servers = Servers()
    try:
        yield await servers.start(app, port)
    finally:
        await servers.stop_all()
