"""Persistence of OCPI objects: canonical document, original payload, indexed keys.

Writes are safe under concurrency on both dialects. A read-modify-write (a PATCH, an EVSE
pushed into its Location) reads with ``get_object(..., for_update=True)``: on PostgreSQL the row
stays locked (``SELECT ... FOR UPDATE``) until the transaction ends, so a concurrent writer of
the same object waits and then reads the result; on SQLite every write transaction starts with
``BEGIN IMMEDIATE`` (``store/db.py``), which already serialises writers, in every process, before
they read. :func:`put_object` is an upsert: two transactions creating the same new object at once
both succeed, and the later ``last_updated`` is kept.

Listing is keyset-paged on the ``key`` column (creation order), so that following a ``Link``
costs the same on every page; a plain offset is honoured when no cursor is given. GET all reads
pages with :func:`list_page_json`: only the JSON text the caller's version needs (the original
when it is exact, else the canonical document), chosen in SQL and left undecoded.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    literal_column,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Insert, Select
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from ocpihub.errors import Superseded
from ocpihub.ocpi.pagination import PageRequest
from ocpihub.store.schema import objects

__all__ = [
    "ListedJson",
    "ObjectKey",
    "StoredObject",
    "delete_object",
    "find_visible",
    "get_object",
    "list_page",
    "list_page_json",
    "put_object",
    "visible_query",
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
        """A normalised key: cc/pid upper-cased (CiStrings); ids kept as sent (they are
        compared case-insensitively; the stored row keeps the first spelling)."""
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


@dataclass(frozen=True, slots=True)
class ListedJson:
    """One object of a GET all page as stored JSON text, not decoded.

    ``exact``: ``text`` is the original payload of the requested version (send it as is);
    otherwise it is the canonical document, still to be translated.
    """

    seq: int
    kind: str
    text: str
    exact: bool


# The hot statements are built once and executed with parameters: building a statement costs
# far more CPU than executing a cached one (SQLAlchemy's compiled cache keys on the statement).
# Bound parameters carry their column's type (UtcDateTime, JsonDoc), as literal values did.

# ids are CiStrings: compared upper-cased (the unique index ``uq_objects_identity``)
_ID_IS = func.upper(objects.c.object_id) == bindparam("upper_id", type_=String())
# the identity condition
_WHERE = and_(
    objects.c.module == bindparam("w_module", type_=objects.c.module.type),
    objects.c.country_code == bindparam("w_country_code", type_=objects.c.country_code.type),
    objects.c.party_id == bindparam("w_party_id", type_=objects.c.party_id.type),
    _ID_IS,
    objects.c.kind == bindparam("w_kind", type_=objects.c.kind.type),
)


def _where_params(key: ObjectKey) -> dict[str, Any]:
    """The parameters of :data:`_WHERE` for ``key``."""
    return {
        "w_module": key.module,
        "w_country_code": key.country_code,
        "w_party_id": key.party_id,
        "upper_id": key.object_id.upper(),
        "w_kind": key.kind,
    }


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


# PostgreSQL: a 64-bit hash of an object's identity (its id upper-cased: CiString), as the key
# of the advisory lock :func:`get_object` takes
_LOCK_IDENTITY = select(
    func.pg_advisory_xact_lock(func.hashtextextended(bindparam("identity", type_=String()), 0))
)


async def _lock_identity(conn: AsyncConnection, key: ObjectKey) -> None:
    """PostgreSQL: hold the identity's advisory lock until the transaction ends (taking it
    again in one transaction is free of waiting)."""
    text_key = "\x1f".join(
        (key.module, key.country_code, key.party_id, key.object_id.upper(), key.kind)
    )
    await conn.execute(_LOCK_IDENTITY, {"identity": text_key})


_GET = select(objects).where(_WHERE)
_GET_FOR_UPDATE = _GET.with_for_update()


async def get_object(
    conn: AsyncConnection, key: ObjectKey, *, for_update: bool = False
) -> StoredObject | None:
    """The stored object with this identity, if any.

    ``for_update``: the caller will write it back in this transaction; PostgreSQL locks the
    identity until then — the row, and before it a transaction-scoped advisory lock on the
    identity, which also covers an object not created yet, so concurrent first writes of one id
    take turns instead of racing into the unique indexes (SQLite's write transactions are
    serialised already).
    """
    query = _GET
    if for_update and conn.dialect.name == "postgresql":
        await _lock_identity(conn, key)
        query = _GET_FOR_UPDATE
    row = (await conn.execute(query, _where_params(key))).mappings().first()
    return _stored(row) if row else None


# the unique index ``uq_objects_identity``: ids are CiStrings, one object whatever the spelling
_IDENTITY = [
    objects.c.module,
    objects.c.country_code,
    objects.c.party_id,
    func.upper(objects.c.object_id),
    objects.c.kind,
]
_IDENTITY_COLUMNS = ("module", "country_code", "party_id", "object_id", "kind")


def _param(column: str, prefix: str = "p_") -> BindParameter[Any]:
    """A parameter for a value of ``column``, of its type."""
    return bindparam(f"{prefix}{column}", type_=objects.c[column].type)


# what a write sets; parameters named ``p_<column>``
_NEW_VALUES = {
    name: _param(name)
    for name in ("document", "last_updated", "source_version", "original", "updated_at")
}
_REPLACE = update(objects).where(_WHERE).values(_NEW_VALUES)
_REPLACE_OLDER = _REPLACE.where(objects.c.last_updated <= _NEW_VALUES["last_updated"])


async def put_object(
    conn: AsyncConnection,
    key: ObjectKey,
    *,
    document: dict[str, Any],
    last_updated: datetime,
    source_version: str,
    original: dict[str, Any] | None = None,
    newer_only: bool = False,
) -> bool:
    """Create or replace an object; True when it was created.

    ``newer_only`` (a whole object pushed): an object stored with a later ``last_updated`` is
    kept and :class:`~ocpihub.errors.Superseded` raised. Without it an existing object is
    replaced whatever its ``last_updated``; a concurrent creation of the same object (the
    unique identity taken between our update and our insert) is then settled by the later
    ``last_updated`` all the same, since neither writer saw the other.
    An object stored under another spelling of the same id (CiString) is replaced, and keeps
    its first spelling and creation order.
    """
    if conn.dialect.name == "postgresql":
        # concurrent first writes of one id take turns (see get_object)
        await _lock_identity(conn, key)
    values = {
        "p_document": document,
        "p_last_updated": last_updated,
        "p_source_version": source_version,
        "p_original": original,
        "p_updated_at": datetime.now(UTC),
    }
    replace = _REPLACE_OLDER if newer_only else _REPLACE
    if (await conn.execute(replace, _where_params(key) | values)).rowcount:
        return False
    created = await _upsert(conn, key, values)
    if created is None:
        raise Superseded(
            f"a newer version of {key.object_id!r} (last_updated after "
            f"{last_updated.isoformat()}) is stored: it is kept, this push is not applied"
        )
    return created


@cache
def _upsert_statement(dialect_name: str) -> Insert:
    """The dialect's upsert of an object, ``last_updated`` deciding a conflict; PostgreSQL's
    returns the key and whether it inserted (``xmax`` is 0 on a row the statement inserted,
    set when it updated one)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    create = dialect.insert(objects).values(
        {name: _param(name, "i_") for name in _IDENTITY_COLUMNS}
        | {"created_at": _param("updated_at")}
        | _NEW_VALUES
    )
    upsert = create.on_conflict_do_update(
        index_elements=_IDENTITY,
        set_={name: create.excluded[name] for name in _NEW_VALUES},
        where=objects.c.last_updated <= create.excluded.last_updated,
    )
    if dialect is postgresql:
        return upsert.returning(objects.c.key, _inserted())  # type: ignore[no-any-return]
    return upsert  # type: ignore[no-any-return]


async def _upsert(conn: AsyncConnection, key: ObjectKey, values: dict[str, Any]) -> bool | None:
    """Insert the object (created when it is updated: ``values["p_updated_at"]``), or (an
    object of this identity was created meanwhile, or is stored with an older
    ``last_updated``) replace it by the later ``last_updated``: True when this inserted,
    False when it replaced, None when a newer stored object was kept."""
    name = conn.dialect.name
    params = {
        "i_module": key.module,
        "i_country_code": key.country_code,
        "i_party_id": key.party_id,
        "i_object_id": key.object_id,
        "i_kind": key.kind,
    }
    params.update(values)
    result = await conn.execute(_upsert_statement(name), params)
    if name == "postgresql":
        created = result.first()
        return None if created is None else bool(created[1])
    if result.rowcount:
        # SQLite: our UPDATE found no row in this serialised transaction, so this inserted
        return True
    return None


def _inserted() -> ColumnElement[bool]:
    return literal_column("xmax").cast(Text) == "0"


_DELETE = delete(objects).where(_WHERE)


async def delete_object(conn: AsyncConnection, key: ObjectKey) -> bool:
    """Remove an object; whether it existed."""
    result = await conn.execute(_DELETE, _where_params(key))
    return bool(result.rowcount)


def _listing(
    conn: AsyncConnection,
    module: str,
    page: PageRequest,
    owners: Collection[tuple[str, str]] | None,
) -> list[ColumnElement[bool]]:
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
    return conditions


async def _count(conn: AsyncConnection, conditions: list[ColumnElement[bool]]) -> int:
    query = select(func.count()).select_from(objects).where(*conditions)
    return int((await conn.execute(query)).scalar_one())


def _window(query: Select[Any], page: PageRequest, *, peek: bool = False) -> Select[Any]:
    query = query.order_by(objects.c.key).limit(page.limit + 1 if peek else page.limit)
    if page.cursor is not None:
        return query.where(objects.c.key > page.cursor)
    if page.offset:
        return query.offset(page.offset)
    return query


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
    conditions = _listing(conn, module, page, owners)
    total = await _count(conn, conditions)
    rows = (await conn.execute(_window(select(objects).where(*conditions), page))).mappings()
    return [_stored(r) for r in rows.all()], total


def _has_original(conn: AsyncConnection) -> ColumnElement[bool]:
    # ``original=None`` is stored as JSON null (not SQL NULL): both mean "no original"
    if conn.dialect.name == "sqlite":
        return and_(objects.c.original.is_not(None), cast(objects.c.original, Text) != "null")
    return func.jsonb_typeof(objects.c.original) != "null"


async def list_page_json(
    conn: AsyncConnection,
    module: str,
    page: PageRequest,
    *,
    version: str,
    owners: Collection[tuple[str, str]] | None = None,
) -> tuple[list[ListedJson], int, bool]:
    """:func:`list_page` for GET all: each object's JSON text as ``version`` wants it, the total
    matching count, and whether more objects follow the page.

    The database picks the column (the original when it was stored in ``version``, else the
    canonical document) and hands it over as text: nothing is decoded here, and an exact
    original can go into the response body untouched. The matching objects are counted on
    every page (``X-Total-Count`` is current: objects added during a crawl show on its next
    call), except on a first page that holds them all.
    """
    if owners is not None and not owners:
        return [], 0, False
    conditions = _listing(conn, module, page, owners)
    exact = and_(objects.c.source_version == version, _has_original(conn))
    # the page's keys first, then the JSON of those rows only: however the database scans
    # and sorts to find the page, it turns no more than the page's documents into text
    keys = _window(select(objects.c.key).where(*conditions), page, peek=True)
    chosen = keys.subquery()
    query = (
        select(
            objects.c.key,
            objects.c.kind,
            case((exact, cast(objects.c.original, Text)), else_=cast(objects.c.document, Text)),
            case((exact, 1), else_=0),
        )
        .join_from(objects, chosen, objects.c.key == chosen.c.key)
        .order_by(objects.c.key)
    )
    rows = (await conn.execute(query)).all()
    more = len(rows) > page.limit
    items = [ListedJson(seq, kind, text, bool(flag)) for seq, kind, text, flag in rows]
    del items[page.limit :]
    if page.cursor is None and not page.offset and not more:
        total = len(items)
    else:
        total = await _count(conn, conditions)
    return items, total, more


def visible_query(module: str, object_id: str, kind: str | None = None) -> Select[Any]:
    """The statement :func:`find_visible` runs, its values bound (to read its plan): the rows
    of ``object_id`` compared case-insensitively, served by the index on ``(module,
    upper(object_id))``."""
    return _visible(kind is not None, False).params(_visible_params(module, object_id, kind))


def _visible_params(module: str, object_id: str, kind: str | None) -> dict[str, str]:
    """The parameters of :func:`_visible`."""
    values = {"w_module": module, "upper_id": object_id.upper()}
    if kind is not None:
        values["w_kind"] = kind
    return values


@cache
def _visible(by_kind: bool, for_update: bool) -> Select[Any]:
    """:func:`visible_query` with parameters ``w_module``, ``upper_id`` and ``w_kind``."""
    query = (
        select(objects)
        .where(objects.c.module == _param("module", "w_"), _ID_IS)
        .order_by(objects.c.key)
    )
    if by_kind:
        query = query.where(objects.c.kind == _param("kind", "w_"))
    return query.with_for_update() if for_update else query


async def find_visible(
    conn: AsyncConnection,
    module: str,
    object_id: str,
    owners: Collection[tuple[str, str]],
    kind: str | None = None,
    *,
    for_update: bool = False,
) -> StoredObject | None:
    """The object ``object_id`` of ``module`` owned by one of ``owners`` (oldest first).

    ``for_update`` as for :func:`get_object` (every row of that id is locked).
    """
    if not owners:
        return None
    wanted = set(owners)
    query = _visible(kind is not None, for_update and conn.dialect.name == "postgresql")
    params = _visible_params(module, object_id, kind)
    for row in (await conn.execute(query, params)).mappings().all():
        if (row["country_code"], row["party_id"]) in wanted:
            return _stored(row)
    return None
