"""Pooled PostgreSQL connections are checked before use only after an idle spell: one the
server ended while it sat in the pool is replaced, not handed to a transaction; one in steady
use is not pinged at every check-out (three round trips each)."""

from __future__ import annotations

from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from ocpihub.store import db as db_module
from ocpihub.store.db import Database


def _postgres_only(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("PostgreSQL's connection pool (SQLite opens local files)")


async def _backend_pid(db: Database) -> int:
    async with db.read() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_connection_ended_while_idle_is_replaced(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgres_only(db)
    monkeypatch.setattr(db_module, "_IDLE_PING_SECONDS", 0.0)  # every pooled connection idle
    first = await _backend_pid(db)  # now idle in the pool
    # another session ends it, as a server restart or an idle timeout would
    other = await asyncpg.connect(
        make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        assert await other.fetchval("SELECT pg_terminate_backend($1)", first) is True
    finally:
        await other.close()
    for _ in range(3):  # a live connection each time, never the ended one
        assert await _backend_pid(db) != first


async def test_a_connection_in_steady_use_is_not_pinged(db: Database) -> None:
    _postgres_only(db)
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    await _backend_pid(db)
    event.listen(db.sync_engine, "before_cursor_execute", record)
    try:
        for _ in range(5):
            await _backend_pid(db)
    finally:
        event.remove(db.sync_engine, "before_cursor_execute", record)
    assert statements == ["SELECT pg_backend_pid()"] * 5
