"""Serve an ASGI app (a simulated partner's, or the hub) with uvicorn inside the running event
loop, on a loopback port, until the block ends."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import uvicorn

__all__ = ["free_port", "serve_app", "stop_on_signals"]


def stop_on_signals() -> asyncio.Event:
    """An event that SIGINT (Ctrl-C) or SIGTERM sets, in the running loop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to its owner (several share one process)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serve_app(
    app: Any, host: str = "127.0.0.1", port: int | None = None, *, stop_timeout: float = 30
) -> AsyncIterator[str]:
    """Serve ``app`` on ``host:port`` (a free port when None); yields its base URL."""
    port = port or free_port(host)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", lifespan="on", access_log=False
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError(f"server on {host}:{port} stopped before it started")
            await asyncio.sleep(0.02)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=stop_timeout)
