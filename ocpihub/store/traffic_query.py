"""Reading the traffic log with the operator's filters (CLI, admin API and console alike).

The query and the filter live in ``store/reads/traffic.py`` (shared with the CLI's direct
reads); this runs it on the hub's connection.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpihub.store.db import Database, read_listing
from ocpihub.store.reads.traffic import COLUMNS, TrafficFilter, traffic_entries
from ocpihub.store.schema import traffic

__all__ = ["COLUMNS", "TrafficFilter", "newest_traffic_id", "query_traffic"]


async def query_traffic(conn: AsyncConnection, f: TrafficFilter) -> list[dict[str, Any]]:
    """Entries matching ``f`` as JSON-ready dicts (``at`` in ISO 8601)."""
    return await read_listing(conn, traffic_entries(f))


async def newest_traffic_id(db: Database) -> int:
    """The id of the newest entry (0: none yet), where ``ocpihub traffic --follow`` starts."""
    async with db.read() as conn:
        newest = await conn.execute(select(func.coalesce(func.max(traffic.c.id), 0)))
        return int(newest.scalar_one())
