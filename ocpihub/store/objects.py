"""Persistence of OCPI objects: canonical document, original payload, indexed keys.

Listing is keyset-paged on the ``key`` column (creation order), so that following a ``Link``
costs the same on every page; a plain offset is honoured when no cursor is given.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, tuple_, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from ocpihub.ocpi.pagination import PageRequest
from ocpihub.store.schema import objects

__all__ = [
    "ObjectKey",
    "StoredObject",
    "delete_object",
    "find_visible",
    "get_object",
    "list_page",
    "put_object",
]


@dataclass(frozen=True, slots=True)
class ObjectKey:
    """The identity of a stored OCPI object."""

    module: str
    country_code: str
    party_id: str
    object_id: str
    kind: str = ""

    @classmethod
    def of(
        cls, module: str, country_code: str, party_id: str, object_id: str, kind: str = ""
    ) -> ObjectKey:
        """A normalised key: cc/pid upper-cased (CiStrings); ids kept as sent."""
        return cls(module, country_code.upper(), party_id.upper(), object_id, kind)


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One stored object with its bookkeeping."""

    key: ObjectKey
    seq: int
    last_updated: datetime
    document: dict[str, Any]
    source_version: str
    original: dict[str, Any] | None


def _where(key: ObjectKey) -> ColumnElement[bool]:
    return and_(
        objects.c.module == key.module,
        objects.c.country_code == key.country_code,
        objects.c.party_id == key.party_id,
        objects.c.object_id == key.object_id,
        objects.c.kind == key.kind,
    )


def _stored(row: RowMapping) -> StoredObject:
    return StoredObject(
        key=ObjectKey(
            row["module"], row["country_code"], row["party_id"], row["object_id"], row["kind"]
        ),
        seq=row["key"],
        last_updated=row["last_updated"],
        document=row["document"],
        source_version=row["source_version"],
        original=row["original"],
    )


async def get_object(conn: AsyncConnection, key: ObjectKey) -> StoredObject | None:
    """The stored object with this identity, if any."""
    row = (await conn.execute(select(objects).where(_where(key)))).mappings().first()
    return _stored(row) if row else None


async def put_object(
    conn: AsyncConnection,
    key: ObjectKey,
    *,
    document: dict[str, Any],
    last_updated: datetime,
    source_version: str,
    original: dict[str, Any] | None = None,
) -> bool:
    """Create or replace an object; True when it was created."""
    now = datetime.now(UTC)
    values = {
        "document": document,
        "last_updated": last_updated,
        "source_version": source_version,
        "original": original,
        "updated_at": now,
    }
    result = await conn.execute(update(objects).where(_where(key)).values(**values))
    if result.rowcount:
        return False
    await conn.execute(
        insert(objects).values(
            module=key.module,
            country_code=key.country_code,
            party_id=key.party_id,
            object_id=key.object_id,
            kind=key.kind,
            created_at=now,
            **values,
        )
    )
    return True


async def delete_object(conn: AsyncConnection, key: ObjectKey) -> bool:
    """Remove an object; whether it existed."""
    result = await conn.execute(delete(objects).where(_where(key)))
    return bool(result.rowcount)


async def list_page(
    conn: AsyncConnection,
    module: str,
    page: PageRequest,
    *,
    owners: Collection[tuple[str, str]] | None = None,
) -> tuple[list[StoredObject], int]:
    """One page of ``module`` objects in creation order, and the total matching count.

    ``owners`` limits the listing to objects of those (country_code, party_id) pairs (the
    caller's agreements); ``None`` means no limit, an empty collection means nothing.
    """
    if owners is not None and not owners:
        return [], 0
    conditions: list[ColumnElement[bool]] = [objects.c.module == module]
    if page.date_from is not None:
        conditions.append(objects.c.last_updated >= page.date_from)
    if page.date_to is not None:
        conditions.append(objects.c.last_updated < page.date_to)
    if owners is not None:
        pairs = sorted(set(owners))
        if len(pairs) == 1:
            cc, pid = pairs[0]
            conditions.append(and_(objects.c.country_code == cc, objects.c.party_id == pid))
        elif conn.dialect.name == "sqlite":
            conditions.append(
                or_(*(and_(objects.c.country_code == c, objects.c.party_id == p) for c, p in pairs))
            )
        else:
            conditions.append(tuple_(objects.c.country_code, objects.c.party_id).in_(pairs))
    total = (
        await conn.execute(select(func.count()).select_from(objects).where(*conditions))
    ).scalar_one()
    query = select(objects).where(*conditions).order_by(objects.c.key).limit(page.limit)
    if page.cursor is not None:
        query = query.where(objects.c.key > page.cursor)
    elif page.offset:
        query = query.offset(page.offset)
    rows = (await conn.execute(query)).mappings().all()
    return [_stored(r) for r in rows], int(total)


async def find_visible(
    conn: AsyncConnection,
    module: str,
    object_id: str,
    owners: Collection[tuple[str, str]],
    kind: str | None = None,
) -> StoredObject | None:
    """The object ``object_id`` of ``module`` owned by one of ``owners`` (oldest first)."""
    if not owners:
        return None
    query = (
        select(objects)
        .where(objects.c.module == module, func.upper(objects.c.object_id) == object_id.upper())
        .order_by(objects.c.key)
    )
    if kind is not None:
        query = query.where(objects.c.kind == kind)
    wanted = set(owners)
    for row in (await conn.execute(query)).mappings().all():
        if (row["country_code"], row["party_id"]) in wanted:
            return _stored(row)
    return None
