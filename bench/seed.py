"""Bulk setup for the GET-all and memory benchmarks: many stored Locations, fast.

One Location is pushed through the hub the ordinary way (so its stored form is exactly what the
hub stores); :func:`seed_locations` then copies it under new ids straight into the store's
``objects`` table, in large multi-row inserts, from the benchmark's own process. Pushing
100,000 Locations over OCPI would time the push path, not the listing.
"""

from __future__ import annotations

import base64
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import aiohttp
import orjson
from sqlalchemy import insert

from bench.broadcast import location_body
from ocpihub.store.db import Database
from ocpihub.store.objects import ObjectKey, get_object
from ocpihub.store.schema import objects

MODULE = "locations"


async def push_one(url: str, token: str, cc: str, pid: str, loc_id: str) -> None:
    """PUT one Location through the hub as its CPO."""
    body = location_body()
    body["id"], body["country_code"], body["party_id"] = loc_id, cc, pid
    headers = {
        "Authorization": "Token " + base64.b64encode(token.encode()).decode(),
        "Content-Type": "application/json",
        "X-Request-ID": str(uuid.uuid4()),
        "X-Correlation-ID": str(uuid.uuid4()),
    }
    async with (
        aiohttp.ClientSession() as session,
        session.put(
            f"{url}/{cc}/{pid}/{loc_id}", data=orjson.dumps(body), headers=headers
        ) as response,
    ):
        raw = await response.read()
        if response.status not in (200, 201):
            raise RuntimeError(f"seed push answered {response.status}: {raw[:300]!r}")


async def seed_locations(
    database_url: str,
    cc: str,
    pid: str,
    template_id: str,
    count: int,
    batch: int = 2000,
    *,
    settle: bool = True,
) -> float:
    """Store ``count`` copies of Location ``template_id`` (ids ``S0000000``...); seconds taken.

    ``settle`` (PostgreSQL): vacuum the table afterwards, as autovacuum would before long.
    """
    start = time.monotonic()
    db = Database(database_url)
    try:
        async with db.read() as conn:
            stored = await get_object(conn, ObjectKey.of(MODULE, cc, pid, template_id))
        if stored is None:
            raise RuntimeError(f"template Location {template_id} is not stored")
        now = datetime.now(UTC)
        for first in range(0, count, batch):
            rows: list[dict[str, Any]] = []
            for n in range(first, min(count, first + batch)):
                loc_id = f"S{n:07d}"
                document = {**stored.document, "id": loc_id}
                original = {**stored.original, "id": loc_id} if stored.original else None
                rows.append(
                    {
                        "module": MODULE,
                        "country_code": cc,
                        "party_id": pid,
                        "object_id": loc_id,
                        "kind": "",
                        "last_updated": stored.last_updated,
                        "document": document,
                        "source_version": stored.source_version,
                        "original": original,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            async with db.write() as conn:
                await conn.execute(insert(objects), rows)
        if settle and not db.is_sqlite:
            await _vacuum(database_url)
    finally:
        await db.close()
    return time.monotonic() - start


async def _vacuum(database_url: str) -> None:
    """``VACUUM ANALYZE objects``: what autovacuum does within a minute of a burst of inserts.
    Until then every count of a listing visits each row in the heap (no visibility map), which
    on 100,000 fresh rows costs 200-400 ms per page (docs/performance.md)."""
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("VACUUM ANALYZE objects")
    finally:
        await conn.close()
