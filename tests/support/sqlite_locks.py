"""Another process's SQLite write lock, and a check that the event loop runs while it is
waited for (tests of ``store/sqlite_inline.py`` and ``store/sqlite_direct.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Ticks", "lock_held", "loop_ticks"]


def _hold(path: Path, seconds: float, taken: threading.Event) -> None:
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    taken.set()
    time.sleep(seconds)
    other.execute("COMMIT")
    other.close()


@contextlib.contextmanager
def lock_held(path: Path, seconds: float) -> Iterator[None]:
    """What another process writing does: BEGIN IMMEDIATE on ``path``, held for ``seconds``
    from a thread; the block starts once the lock is taken and ends after it is released."""
    taken = threading.Event()
    holder = threading.Thread(target=_hold, args=(path, seconds, taken))
    holder.start()
    taken.wait()
    try:
        yield
    finally:
        holder.join()


@dataclass
class Ticks:
    """How often the event loop ran a 10 ms ticker during the block."""

    count: int = 0


@contextlib.asynccontextmanager
async def loop_ticks() -> AsyncIterator[Ticks]:
    """Counts the ticks of a task sleeping 10 ms at a time while the block runs."""
    ticks = Ticks()

    async def tick() -> None:
        while True:
            ticks.count += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    try:
        yield ticks
    finally:
        ticker.cancel()
