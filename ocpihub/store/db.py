"""The database handle: one async engine, read and write transactions, both dialects.

SQLite (the embedded default) runs in WAL mode with foreign keys on. Writers in one process are
serialised by a lock and open their transaction with ``BEGIN IMMEDIATE`` (the discipline Datasette
uses): no "database is locked" surprises from two writers upgrading read locks at once, and a
30-second busy wait covers writers in other processes such as the CLI. Calls run on the event
loop thread (``store/sqlite_inline.py``), and that busy wait sleeps asynchronously. PostgreSQL
uses a pool and plain transactions; row claims use ``FOR UPDATE SKIP LOCKED`` where the outbox
needs them.

The *directory* (platforms, their tokens, parties and endpoints, agreements) is read on every
request and changes rarely, so it is cached in memory (``store/directory.py``). The handle
counts the write transactions that changed a directory table (``generation``): any insert,
update or delete statement on one of them marks its connection, and the commit bumps the
counter, so every cache in this process drops what it read before.

*Joiners* are work that commits with every write transaction: the traffic log registers one
that writes the inbound entry of the request being served into the request's own write, so an
acknowledged write never lacks its log entry (``store/traffic.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import orjson
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import Connection as SyncConnection
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.dml import UpdateBase

from ocpihub.store import sqlite_direct, sqlite_inline
from ocpihub.store.reads import Listing, Query, Row, bind, normalize, run_async
from ocpihub.store.sqlite_inline import InlineConnection

__all__ = [
    "Connection",
    "Database",
    "DuplicateKey",
    "duplicates_refused",
    "is_transient",
    "read_listing",
]

T = TypeVar("T")

Connection = AsyncConnection
"""A connection in a transaction of :meth:`Database.read` or :meth:`Database.write`, the one
every store function takes. Code outside ``store/`` names it by this alias, never by the
driver's class: only ``store/`` knows there is SQLAlchemy underneath."""


class DuplicateKey(Exception):
    """A write met a unique key another row holds: a repeated insert, or a concurrent one that
    committed first. Store functions raise it instead of the driver's integrity error, so that
    callers can answer it (``hub/``: 2001 naming what exists) without knowing the driver."""


@contextlib.contextmanager
def duplicates_refused(what: str) -> Iterator[None]:
    """Around a store function's insert: the driver's integrity error becomes
    :class:`DuplicateKey` (``what``: the row that exists, for logs)."""
    try:
        yield
    except IntegrityError as exc:
        raise DuplicateKey(what) from exc


# PostgreSQL's codes for a transaction aborted by what other transactions did at that moment:
# deadlock detected, serialization failure
_TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` is a transaction the database aborted because of what other transactions
    did at that moment (a deadlock it broke, a serialisation failure): the same transaction run
    again may well succeed."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if getattr(e, "sqlstate", None) in _TRANSIENT_SQLSTATES:
            return True
        if getattr(e, "pgcode", None) in _TRANSIENT_SQLSTATES:
            return True
        orig = getattr(e, "orig", None)
        todo += [e.__cause__, orig if isinstance(orig, BaseException) else None]
    return False


Joiner = Callable[[AsyncConnection], Awaitable[Callable[[bool], None] | None]]
"""Work that joins every write transaction before it commits (the traffic log's entry of the
request being served): run on the transaction's connection after the caller's statements; it
may return a callback told whether the transaction committed."""

_WRITE = "ocpihub_write"
_SQLITE_BUSY_TIMEOUT = 30.0  # seconds a SQLite call waits for another process's lock
_IDLE_SINCE = "ocpihub_idle_since"
_IDLE_PING_SECONDS = 2.0  # a pooled PostgreSQL connection idle longer is pinged before use
_DIRECTORY_CHANGED = "ocpihub_directory_changed"
DIRECTORY_TABLES = frozenset(
    {"platforms", "credentials_tokens", "parties", "endpoints", "agreements"}
)


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


def _settle(done: asyncio.Future[Any], value: Any = None, error: Exception | None = None) -> None:
    if done.done():  # the caller went away (cancelled)
        return
    if error is not None:
        done.set_exception(error)
    else:
        done.set_result(value)


async def read_listing(conn: AsyncConnection, listing: Listing[T]) -> T:
    """Run a read-only listing (``store/reads``) on this connection, in its transaction."""
    dialect = conn.dialect.name

    async def fetch(query: Query) -> list[Row]:
        result = await conn.execute(text(query.sql), bind(query.params, dialect))
        # SQLAlchemy's asyncpg dialect decodes JSON itself; SQLite hands back the text
        return normalize(result.mappings().all(), query, json_decoded=dialect == "postgresql")

    return await run_async(listing, fetch)


class Database:
    """An async engine plus the transaction discipline of its dialect."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {
            "echo": echo,
            "json_serializer": _json_dumps,
            "json_deserializer": orjson.loads,
        }
        path = ""
        if not self.is_sqlite:
            # pinged only after an idle spell (_install_idle_ping), not at every check-out
            kwargs.update(pool_size=pool_size, max_overflow=pool_size)
        else:
            path = make_url(url).database or ":memory:"

            async def creator() -> InlineConnection:
                connection = sqlite_inline.connect(path, busy_timeout=_SQLITE_BUSY_TIMEOUT)
                await connection
                return connection

            # SQLite calls run on the event loop thread, waiting for other processes'
            # locks asynchronously (store/sqlite_inline.py)
            kwargs.update(async_creator=creator)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        # a SQLite file: transactions on a synchronous engine, no asyncio layer per statement
        # (store/sqlite_direct.py); the async engine above serves migrations and tools
        self._direct: Engine | None = None
        if self.is_sqlite and path not in ("", ":memory:"):
            self._direct = sqlite_direct.engine(
                path,
                pool_size=pool_size,
                echo=echo,
                json_serializer=_json_dumps,
                json_deserializer=orjson.loads,
            )
        self.sync_engine: Engine = self._direct or self.engine.sync_engine
        """The synchronous engine whose connections run :meth:`read`, :meth:`write` and
        :meth:`batched` (an event target: commits, statements)."""
        self._write_lock = asyncio.Lock()
        self.generation = 0
        self._batch: list[tuple[Callable[[AsyncConnection], Awaitable[Any]], asyncio.Future[Any]]]
        self._batch = []
        self._batcher: asyncio.Task[None] | None = None
        self.joiners: list[Joiner] = []
        if self.is_sqlite:
            self._install_sqlite_hooks()
        else:
            self._install_idle_ping()
        self._install_change_marker()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return "sqlite" if self.is_sqlite else "postgresql"

    def _install_sqlite_hooks(self) -> None:
        sync_engine = self.engine.sync_engine

        def _on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
            # take transaction control away from the driver so BEGIN is ours to emit
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=0")  # waits are asynchronous, see above
            cursor.close()

        event.listen(sync_engine, "connect", _on_connect)
        if self._direct is not None:
            event.listen(self._direct, "connect", _on_connect)

        @event.listens_for(sync_engine, "begin")
        def _on_begin(conn: SyncConnection) -> None:
            if conn.get_execution_options().get(_WRITE):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN")

    def _install_idle_ping(self) -> None:
        """Check a pooled PostgreSQL connection before use only when it sat idle for more than
        ``_IDLE_PING_SECONDS``: a server restart or an idle timeout is found before a
        transaction fails on it, without the three round trips of a ping (BEGIN, a statement,
        ROLLBACK) at every check-out, which cost a busy hub more than the work itself. A ping
        that fails discards the connection; the pool opens another."""
        engine = self.engine.sync_engine

        def checkin(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
            record.info[_IDLE_SINCE] = time.monotonic()

        def checkout(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any) -> None:
            since = record.info.get(_IDLE_SINCE)
            if since is None or time.monotonic() - since <= _IDLE_PING_SECONDS:
                return
            try:
                engine.dialect.do_ping(dbapi_connection)
            except Exception as exc:
                raise DisconnectionError(f"pooled connection unusable: {exc}") from exc

        event.listen(engine, "checkin", checkin)
        event.listen(engine, "checkout", checkout)

    def _install_change_marker(self) -> None:
        def _mark(conn: SyncConnection, clause: Any, *args: Any) -> None:
            if (
                isinstance(clause, UpdateBase)
                and getattr(clause.table, "name", None) in DIRECTORY_TABLES
            ):
                conn.info[_DIRECTORY_CHANGED] = True

        for engine in {self.engine.sync_engine, self.sync_engine}:
            event.listen(engine, "before_execute", _mark)

    def directory_changed(self) -> None:
        """Drop every cached directory read of this process (done after such commits)."""
        self.generation += 1

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection in a read transaction."""
        if self._direct is not None:
            with self._direct.connect() as sync:
                direct = self._direct_connection(sync, write=False)
                async with direct.begin():
                    yield direct
            return
        async with self.engine.connect() as conn, conn.begin():
            yield conn

    def _direct_connection(self, sync: SyncConnection, *, write: bool) -> AsyncConnection:
        return sqlite_direct.DirectConnection(
            self.engine, sync, write=write, busy_timeout=_SQLITE_BUSY_TIMEOUT
        )

    async def read_listing(self, listing: Listing[T]) -> T:
        """Run a read-only listing (``store/reads``) in one read transaction."""
        async with self.read() as conn:
            return await read_listing(conn, listing)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A connection in a write transaction: committed on success, rolled back on error."""
        async with contextlib.AsyncExitStack() as stack:
            if self._direct is not None:
                await stack.enter_async_context(self._write_lock)
                sync = stack.enter_context(self._direct.connect())
                conn = self._direct_connection(sync, write=True)
            elif self.is_sqlite:
                await stack.enter_async_context(self._write_lock)
                raw = await stack.enter_async_context(self.engine.connect())
                conn = await raw.execution_options(**{_WRITE: True})
            else:
                conn = await stack.enter_async_context(self.engine.connect())
            # taken now: after a cancellation or a lost connection, ``conn.info`` may try to
            # reconnect, and an error there would replace the CancelledError being raised
            info = conn.info
            finishers: list[Callable[[bool], None]] = []
            committed = False
            try:
                async with conn.begin():
                    yield conn
                    for joiner in self.joiners:
                        finisher = await joiner(conn)
                        if finisher is not None:
                            finishers.append(finisher)
                committed = True
            finally:
                if info.pop(_DIRECTORY_CHANGED, False):
                    self.directory_changed()
                for finisher in finishers:
                    finisher(committed)

    async def batched(self, op: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run ``op`` in a write transaction shared with other callers' (group commit).

        Ops handed over while one transaction is being written go together into the next, so
        concurrent small writes cost one commit, and a lone write costs what :meth:`write`
        does. Returns once the transaction holding ``op`` committed. Ops must not depend on
        each other. When a shared transaction fails, each of its ops is run again alone, so
        only the one at fault fails.
        """
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._batch.append((op, done))
        if self._batcher is None or self._batcher.done():
            # a context of its own: group commits belong to no one request (see ``joiners``)
            self._batcher = asyncio.create_task(
                self._write_batches(), name="ocpihub-db-batch", context=contextvars.Context()
            )
        result: T = await done
        return result

    async def _write_batches(self) -> None:
        while self._batch:
            batch, self._batch = self._batch, []
            try:
                async with self.write() as conn:
                    results = [await op(conn) for op, _ in batch]
            except Exception as exc:
                if len(batch) == 1:
                    _settle(batch[0][1], error=exc)
                else:  # find the op at fault: each alone
                    for op, done in batch:
                        await self._write_alone(op, done)
                continue
            for (_, done), value in zip(batch, results, strict=True):
                _settle(done, value)

    async def _write_alone(
        self, op: Callable[[AsyncConnection], Awaitable[Any]], done: asyncio.Future[Any]
    ) -> None:
        try:
            async with self.write() as conn:
                value = await op(conn)
        except Exception as exc:
            _settle(done, error=exc)
        else:
            _settle(done, value)

    async def close(self) -> None:
        """Finish the group commits under way, release every pooled connection."""
        if self._batcher is not None:
            await asyncio.gather(self._batcher, return_exceptions=True)
        await self.engine.dispose()
        if self._direct is not None:
            self._direct.dispose()
