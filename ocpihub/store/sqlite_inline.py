"""SQLite connections for asyncio that run their calls on the event loop thread.

aiosqlite runs every call (BEGIN, each statement, each fetch, COMMIT, the pool's reset) in a
worker thread and wakes the event loop for each result: about nine thread hand-offs for a
one-statement transaction, several hundred microseconds that dwarf the work itself (a point
query or a WAL commit without fsync takes tens of microseconds). These connections keep
aiosqlite's interface, which SQLAlchemy's ``sqlite+aiosqlite`` dialect drives, but call
SQLite directly.

The one call that could block for long is one that waits for a lock another process holds
(the CLI writing, another hub process). So the connections have SQLite's own busy timeout at
0 and wait *asynchronously* instead: a call refused with SQLITE_BUSY is tried again after a
short sleep that lets the event loop run, until ``busy_timeout`` seconds have passed.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

import aiosqlite

__all__ = ["InlineConnection", "connect", "retry_busy"]

T = TypeVar("T")

_SQLITE_BUSY = 5


def _is_busy(exc: Exception) -> bool:
    """Whether ``exc`` (SQLite's error, or SQLAlchemy's wrapping it) is SQLITE_BUSY."""
    orig = getattr(exc, "orig", exc)
    if not isinstance(orig, sqlite3.OperationalError):
        return False
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return bool(code & 0xFF == _SQLITE_BUSY)
    return "database is locked" in str(orig)


async def retry_busy(call: Callable[[], T], busy_timeout: float) -> T:
    """``call()``, tried again after an asynchronous pause while SQLite answers SQLITE_BUSY
    (another process holds the lock), for up to ``busy_timeout`` seconds."""
    deadline: float | None = None
    pause = 0.001
    while True:
        try:
            return call()
        except Exception as exc:
            if not _is_busy(exc):
                raise
            now = time.monotonic()
            deadline = deadline if deadline is not None else now + busy_timeout
            if now >= deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.05)


class _Inline:
    """Stands in for aiosqlite's queue to its worker thread: runs each call at once."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:  # handed to the awaiting caller, as aiosqlite does
            if future is not None and not future.done():
                future.set_exception(exc)
        else:
            if future is not None and not future.done():
                future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection without its thread (see the module docstring)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], *, busy_timeout: float) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _Inline()  # type: ignore[assignment]
        self.busy_timeout = busy_timeout

    def __await__(self) -> Any:
        return self._connect().__await__()  # no worker thread to start

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return await retry_busy(lambda: fn(*args, **kwargs), self.busy_timeout)


def connect(path: str, *, busy_timeout: float = 30.0) -> InlineConnection:
    """A connection to the SQLite file at ``path`` (SQLite's own busy wait off)."""

    def connector() -> sqlite3.Connection:
        return sqlite3.connect(path, timeout=0, isolation_level=None)

    return InlineConnection(connector, busy_timeout=busy_timeout)
