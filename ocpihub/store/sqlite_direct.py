"""SQLite transactions without SQLAlchemy's asyncio layer.

The hub's SQLite calls run on the event loop thread (``store/sqlite_inline.py``), but through
SQLAlchemy's asyncio extension they still cross a greenlet and aiosqlite's future-based
interface at every connect, BEGIN, statement, fetch and COMMIT. Measured on one machine, CPU per
one-statement transaction: 435 µs through the asyncio engine, 108 µs through a synchronous
engine, 7 µs on ``sqlite3`` itself — three quarters of every SQLite transaction of the hub was
that crossing.

So the transactions of :class:`~ocpihub.store.db.Database` (``read``, ``write``, ``batched``)
on a SQLite file run on a synchronous engine (:func:`engine`) over the same file, and store
functions get a :class:`DirectConnection`: an ``AsyncConnection`` whose statements run at once
on that synchronous connection. Nothing awaits inside a statement, so a transaction never
yields to the event loop except where the store code itself awaits something else.

Waits for a lock another process holds (the CLI writing) stay asynchronous, as in
``sqlite_inline``: SQLite's own busy timeout is 0, and ``BEGIN IMMEDIATE`` or a statement
refused with SQLITE_BUSY is tried again after a short ``asyncio.sleep``, until
``busy_timeout`` seconds have passed.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import Connection, RootTransaction
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import QueuePool

from ocpihub.store.sqlite_inline import retry_busy

__all__ = ["DirectConnection", "begin", "engine", "retry_busy"]


def engine(path: str, *, pool_size: int, **kwargs: Any) -> Engine:
    """A synchronous engine on the SQLite file at ``path``: the driver's own transaction
    handling and busy wait off (:func:`begin` opens transactions), and a pool that never makes
    a caller wait — a full pool would block the event loop — so it grows as needed."""

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)

    return create_engine(
        "sqlite://",
        creator=connect,
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=-1,
        **kwargs,
    )


async def begin(conn: Connection, *, write: bool, busy_timeout: float) -> RootTransaction:
    """Open the transaction of ``conn``: ``BEGIN IMMEDIATE`` for a writer (it takes the write
    lock now, so two writers never deadlock upgrading read locks), ``BEGIN`` for a reader."""
    dbapi = conn.connection.dbapi_connection
    if dbapi is None:  # pragma: no cover - a fresh checkout always has one
        raise RuntimeError("connection without a DBAPI connection")
    statement = "BEGIN IMMEDIATE" if write else "BEGIN"
    await retry_busy(lambda: dbapi.execute(statement), busy_timeout)
    return conn.begin()  # the engine's bookkeeping: with isolation_level=None it emits nothing


class _Transaction:
    """``async with conn.begin():`` of a :class:`DirectConnection`: committed when the block
    ends normally, rolled back when it raises."""

    def __init__(self, conn: Connection, *, write: bool, busy_timeout: float) -> None:
        self._conn, self._write, self._busy_timeout = conn, write, busy_timeout
        self._trans: RootTransaction | None = None

    async def __aenter__(self) -> _Transaction:
        self._trans = await begin(self._conn, write=self._write, busy_timeout=self._busy_timeout)
        return self

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        trans = self._trans
        if trans is None or not trans.is_active:
            return
        if exc_type is None:
            trans.commit()
        else:
            trans.rollback()


class DirectConnection(AsyncConnection):
    """An ``AsyncConnection`` over a synchronous SQLite connection: each statement runs at
    once, with no greenlet or thread hand-off; SQLITE_BUSY waits asynchronously."""

    def __init__(
        self, async_engine: AsyncEngine, conn: Connection, *, write: bool, busy_timeout: float
    ) -> None:
        super().__init__(async_engine, conn)
        self._write, self._busy_timeout = write, busy_timeout

    def begin(self) -> Any:
        """The transaction (``BEGIN IMMEDIATE`` when this connection writes), as an async
        context manager."""
        return _Transaction(self._proxied, write=self._write, busy_timeout=self._busy_timeout)

    async def execute(
        self, statement: Any, parameters: Any = None, *, execution_options: Any = None
    ) -> Any:
        sync = self._proxied
        return await retry_busy(
            lambda: sync.execute(statement, parameters, execution_options=execution_options),
            self._busy_timeout,
        )

    async def exec_driver_sql(
        self, statement: str, parameters: Any = None, execution_options: Any = None
    ) -> Any:
        sync = self._proxied
        return await retry_busy(
            lambda: sync.exec_driver_sql(statement, parameters, execution_options),
            self._busy_timeout,
        )
