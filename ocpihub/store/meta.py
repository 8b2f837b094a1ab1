"""Small key/value facts about this installation (``hub_meta``)."""

from __future__ import annotations

from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpihub.store.db import read_listing
from ocpihub.store.reads.meta import meta_value
from ocpihub.store.schema import hub_meta

__all__ = ["delete_meta_where", "get_meta", "set_meta"]


async def get_meta(conn: AsyncConnection, key: str) -> str | None:
    """The value stored under ``key``, if any."""
    return await read_listing(conn, meta_value(key))


async def set_meta(conn: AsyncConnection, key: str, value: str) -> None:
    """Store ``value`` under ``key``, replacing what was there."""
    result = await conn.execute(update(hub_meta).where(hub_meta.c.key == key).values(value=value))
    if not result.rowcount:
        await conn.execute(insert(hub_meta).values(key=key, value=value))


async def delete_meta_where(conn: AsyncConnection, prefix: str, value_below: str) -> None:
    """Delete the entries whose key starts with ``prefix`` and whose value sorts below
    ``value_below`` (values written as fixed-width numbers, e.g. expiry times)."""
    await conn.execute(
        delete(hub_meta).where(
            hub_meta.c.key.startswith(prefix, autoescape=True), hub_meta.c.value < value_below
        )
    )
