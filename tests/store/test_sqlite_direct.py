"""SQLite transactions of the hub on a synchronous engine (``store/sqlite_direct.py``): they
commit, roll back, keep writers' BEGIN IMMEDIATE, and wait for another process's lock without
blocking the event loop, up to the busy timeout."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from ocpihub.store import sqlite_direct
from ocpihub.store.db import Database
from tests.support.sqlite_locks import lock_held, loop_ticks


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    handle = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    async with handle.write() as conn:
        await conn.execute(text("CREATE TABLE t (v INTEGER)"))
    yield handle
    await handle.close()


def rows(path: Path) -> list[tuple[int]]:
    check = sqlite3.connect(path)
    try:
        return check.execute("SELECT v FROM t ORDER BY v").fetchall()
    finally:
        check.close()


async def test_transactions_run_on_the_direct_connection(db: Database, tmp_path: Path) -> None:
    async with db.write() as conn:
        assert isinstance(conn, sqlite_direct.DirectConnection)
        await conn.execute(text("INSERT INTO t VALUES (1)"))
        # BEGIN IMMEDIATE: the write lock is held from the start of the transaction
        other = sqlite3.connect(tmp_path / "x.db", timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    async with db.read() as conn:
        assert isinstance(conn, sqlite_direct.DirectConnection)
        assert (await conn.scalar(text("SELECT count(*) FROM t"))) == 1
        assert list(await conn.scalars(text("SELECT v FROM t"))) == [1]
    assert rows(tmp_path / "x.db") == [(1,)]


async def test_a_failed_write_leaves_nothing(db: Database, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        async with db.write() as conn:
            await conn.execute(text("INSERT INTO t VALUES (2)"))
            raise RuntimeError("after the insert")
    assert rows(tmp_path / "x.db") == []
    async with db.write() as conn:  # the connection went back to the pool usable
        await conn.execute(text("INSERT INTO t VALUES (3)"))
    assert rows(tmp_path / "x.db") == [(3,)]


async def test_another_process_lock_is_waited_for_while_the_loop_runs(
    db: Database, tmp_path: Path
) -> None:
    with lock_held(tmp_path / "x.db", 0.3):
        async with loop_ticks() as ticks:
            started = time.monotonic()
            async with db.write() as conn:
                waited = time.monotonic() - started
                await conn.execute(text("INSERT INTO t VALUES (4)"))
    assert waited >= 0.2
    assert ticks.count >= 10  # the loop kept running while the write waited
    assert rows(tmp_path / "x.db") == [(4,)]


async def test_the_wait_ends_at_the_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "y.db"
    setup = sqlite3.connect(path, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.close()
    engine = sqlite_direct.engine(str(path), pool_size=1)
    try:
        with lock_held(path, 0.6), engine.connect() as sync:
            started = time.monotonic()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                await sqlite_direct.begin(sync, write=True, busy_timeout=0.1)
            assert time.monotonic() - started < 0.5
    finally:
        engine.dispose()


async def test_a_busy_statement_is_tried_again(tmp_path: Path) -> None:
    calls = 0

    def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise OperationalError("x", {}, sqlite3.OperationalError("database is locked"))
        return "done"

    assert await sqlite_direct.retry_busy(flaky, busy_timeout=5) == "done"
    assert calls == 3

    def broken() -> str:
        raise sqlite3.OperationalError("no such table: t")

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await sqlite_direct.retry_busy(broken, busy_timeout=5)
