"""Waking idle delivery workers when work is queued, instead of waiting for the next poll.

Two signals, both announced by :func:`ocpihub.store.outbox.signal_new_work`:

- in this process (either dialect): a commit hook on the engine sees that the committed
  transaction queued work and calls the worker back;
- across processes (PostgreSQL): ``LISTEN ocpihub_outbox`` on a dedicated asyncpg connection.
  When that connection cannot be opened or drops, polling still finds the work, only later.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import structlog
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url

from ocpihub.store.db import Database
from ocpihub.store.outbox import NOTIFY_CHANNEL, WAKE_FLAG

__all__ = ["PgListener", "install_commit_hook"]

log = structlog.get_logger("ocpihub.outbox")


def install_commit_hook(db: Database, callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback`` after every commit that queued work; returns the uninstaller."""
    engine = db.sync_engine

    def on_commit(conn: Connection) -> None:
        if conn.info.pop(WAKE_FLAG, False):
            callback()

    def on_rollback(conn: Connection) -> None:
        conn.info.pop(WAKE_FLAG, None)

    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)

    def uninstall() -> None:
        event.remove(engine, "commit", on_commit)
        event.remove(engine, "rollback", on_rollback)

    return uninstall


class PgListener:
    """``LISTEN`` on the outbox channel; calls ``callback`` for every notification."""

    def __init__(self, database_url: str, callback: Callable[[], None]) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._callback = callback
        self._conn: Any = None
        self._next_try = 0.0

    @property
    def connected(self) -> bool:
        """Whether notifications are arriving right now."""
        return self._conn is not None and not self._conn.is_closed()

    def _notified(self, *_: object) -> None:
        self._callback()

    async def ensure(self) -> None:
        """Connect and listen unless already listening (retried at most every 5 s)."""
        if self.connected or time.monotonic() < self._next_try:
            return
        self._next_try = time.monotonic() + 5.0
        try:
            conn = await asyncpg.connect(self._dsn, timeout=5)
            await conn.add_listener(NOTIFY_CHANNEL, self._notified)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("outbox_listen_failed", error=str(exc))
            return
        self._conn = conn
        # anything queued while we were not listening is found by the next claim
        self._callback()

    async def close(self) -> None:
        """Stop listening."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                await conn.close(timeout=2)
            except (OSError, asyncpg.PostgresError, TimeoutError):
                conn.terminate()
