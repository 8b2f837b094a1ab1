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

__all__ = ["Servers", "bound_socket", "free_port", "run_server"]

# above the hub's own bounded shutdown (outbox drain 10 s + traffic flush 5 s)
STOP_TIMEOUT = 30


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def bound_socket(port: int = 0) -> socket.socket:
    """A TCP socket bound to 127.0.0.1 (``port``, or one the system picks), to serve on.

    Holding the socket from the start, unlike :func:`free_port`, leaves no moment in which
    another process (another test run on the machine) could take the port.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    return sock


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

    async def start(
        self, app: Any, port: int | None = None, *, sock: socket.socket | None = None
    ) -> str:
        """Serve ``app`` on 127.0.0.1 (on ``sock``, on ``port``, or on a port the system picks);
        its base URL once it serves."""
        sock = sock or bound_socket(port or 0)
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", access_log=False
        )
        server = _Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            if task.done():
                sock.close()
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
