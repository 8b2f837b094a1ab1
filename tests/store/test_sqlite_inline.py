"""SQLite calls on the event loop thread: another process's lock is waited for without
blocking the loop, and only up to the busy timeout."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from ocpihub.store import sqlite_inline
from tests.support.sqlite_locks import lock_held, loop_ticks


@pytest.fixture
def path(tmp_path: Path) -> Path:
    db = tmp_path / "x.db"
    setup = sqlite3.connect(db, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE t (v INTEGER)")
    setup.close()
    return db


async def test_a_locked_database_is_waited_for_while_the_loop_runs(path: Path) -> None:
    conn = sqlite_inline.connect(str(path), busy_timeout=5.0)
    await conn
    try:
        with lock_held(path, 0.3):
            async with loop_ticks() as ticks:
                started = time.monotonic()
                await conn.execute("BEGIN IMMEDIATE")
                waited = time.monotonic() - started
            await conn.execute("INSERT INTO t VALUES (1)")
            await conn.execute("COMMIT")
    finally:
        await conn.close()
    assert waited >= 0.2
    assert ticks.count >= 10  # the loop kept running while the write waited
    check = sqlite3.connect(path)
    assert check.execute("SELECT v FROM t").fetchall() == [(1,)]
    check.close()


async def test_the_wait_ends_at_the_busy_timeout(path: Path) -> None:
    conn = sqlite_inline.connect(str(path), busy_timeout=0.1)
    await conn
    try:
        with lock_held(path, 0.6), pytest.raises(sqlite3.OperationalError, match="locked"):
            await conn.execute("BEGIN IMMEDIATE")
    finally:
        await conn.close()


async def test_other_errors_are_raised_at_once(path: Path) -> None:
    conn = sqlite_inline.connect(str(path), busy_timeout=5.0)
    await conn
    try:
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            await conn.execute("SELECT * FROM missing")
        assert time.monotonic() - started < 0.5
    finally:
        await conn.close()
