"""Database.batched: concurrent small writes share commits; a failing one fails alone."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpihub.store.db import Database
from ocpihub.store.schema import hub_meta


def put(key: str) -> Any:
    async def op(conn: AsyncConnection) -> str:
        await conn.execute(insert(hub_meta).values(key=key, value="v"))
        return key

    return op


async def test_concurrent_writes_share_commits_and_all_land(db: Database) -> None:
    commits = 0

    @event.listens_for(db.sync_engine, "commit")
    def _count(conn: Any) -> None:
        nonlocal commits
        commits += 1

    keys = [f"k{n}" for n in range(40)]
    results = await asyncio.gather(*(db.batched(put(k)) for k in keys))

    assert results == keys
    assert commits < len(keys)  # shared
    async with db.read() as conn:
        stored = set((await conn.execute(select(hub_meta.c.key))).scalars())
    assert set(keys) <= stored


async def test_a_failing_write_fails_alone(db: Database) -> None:
    await db.batched(put("taken"))
    outcomes = await asyncio.gather(
        db.batched(put("a")),
        db.batched(put("taken")),
        db.batched(put("b")),
        return_exceptions=True,
    )
    assert outcomes[0] == "a" and outcomes[2] == "b"
    assert isinstance(outcomes[1], Exception)  # duplicate key
    async with db.read() as conn:
        stored = set((await conn.execute(select(hub_meta.c.key))).scalars())
    assert {"a", "b", "taken"} <= stored
