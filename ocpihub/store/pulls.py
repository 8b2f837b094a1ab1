"""Persistence of scheduled pulls: one row per platform and module (``schema.pulls``).

The row is the pull's lease and its progress. A hub process takes the lease with one
conditional ``UPDATE`` (free, or run out): on PostgreSQL a concurrent taker waits for the
winner's commit and then finds the lease held, on SQLite write transactions are serialised
already, so exactly one process runs a given pull at a time, across processes. The holder
renews the lease with every page and gives it back when it finishes; a process that dies
mid-pull leaves a lease that runs out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpihub.store.db import read_listing
from ocpihub.store.reads.pulls import (
    MAX_MESSAGES,
    PullProgress,
    PullRow,
    pull_rows,
)
from ocpihub.store.schema import pulls

__all__ = [
    "MAX_MESSAGES",
    "PullProgress",
    "PullRow",
    "acquire",
    "finish",
    "list_pulls",
    "renew",
]


def _key(platform_id: int, module: str) -> Any:
    return and_(pulls.c.platform_id == platform_id, pulls.c.module == module)


async def list_pulls(
    conn: AsyncConnection, now: datetime, platform_id: int | None = None
) -> list[PullRow]:
    """Every pull row (of one platform), by platform and module."""
    return await read_listing(conn, pull_rows(now, platform_id))


async def acquire(
    conn: AsyncConnection,
    platform_id: int,
    module: str,
    *,
    owner: str,
    kind: str,
    correlation_id: str,
    now: datetime,
    lease: timedelta,
) -> bool:
    """Take the pull's lease and start a new run; False when another process holds it."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    blank = PullProgress().values()
    await conn.execute(
        dialect.insert(pulls)
        .values(platform_id=platform_id, module=module, **blank)
        .on_conflict_do_nothing(index_elements=[pulls.c.platform_id, pulls.c.module])
    )
    taken = await conn.execute(
        update(pulls)
        .where(
            _key(platform_id, module),
            or_(pulls.c.lease_owner.is_(None), pulls.c.lease_until < now),
        )
        .values(
            lease_owner=owner,
            lease_until=now + lease,
            kind=kind,
            status="RUNNING",
            correlation_id=correlation_id,
            started_at=now,
            finished_at=None,
            **blank,
        )
    )
    return bool(taken.rowcount)


async def renew(
    conn: AsyncConnection,
    platform_id: int,
    module: str,
    *,
    owner: str,
    until: datetime,
    progress: PullProgress,
) -> bool:
    """Record progress and extend the lease; False when the lease was lost (taken over)."""
    result = await conn.execute(
        update(pulls)
        .where(_key(platform_id, module), pulls.c.lease_owner == owner)
        .values(lease_until=until, **progress.values())
    )
    return bool(result.rowcount)


async def finish(
    conn: AsyncConnection,
    platform_id: int,
    module: str,
    *,
    owner: str,
    now: datetime,
    progress: PullProgress,
    ok: bool,
) -> None:
    """End the run (OK or FAILED), give the lease back; an OK run moves the sync marks to its
    start (the next delta's ``date_from``)."""
    values: dict[str, Any] = {
        "lease_owner": None,
        "lease_until": None,
        "status": "OK" if ok else "FAILED",
        "finished_at": now,
        **progress.values(),
    }
    if ok:
        values["synced_from"] = pulls.c.started_at
        values["full_synced_from"] = case(
            (pulls.c.kind == "full", pulls.c.started_at), else_=pulls.c.full_synced_from
        )
    await conn.execute(
        update(pulls)
        .where(_key(platform_id, module), pulls.c.lease_owner == owner)
        .values(**values)
    )
