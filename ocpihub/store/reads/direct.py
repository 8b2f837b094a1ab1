"""Listings run on the database driver directly: the CLI's light path (issue 18.4).

No SQLAlchemy, no engine, no logging set-up: stdlib ``sqlite3`` for SQLite, ``asyncpg`` for
PostgreSQL, one read-only transaction (one snapshot) for all the listing's queries. It reads
only a database whose schema is current (``alembic_version`` at the newest migration) and
raises :class:`Unavailable` otherwise — a database to create or migrate, a URL it cannot take,
a driver error — so the caller takes the full path, which migrates first and reports errors as
every other command does. It never creates a SQLite file: the file is opened read-write only if
it exists.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

from ocpihub.store.reads import Listing, Query, Row, bind, normalize, run_async, run_sync
from ocpihub.store.schema_version import head_revision

__all__ = ["Unavailable", "read_direct"]

T = TypeVar("T")

_SQLITE = "sqlite+aiosqlite:///"
_POSTGRES = ("postgresql+asyncpg://", "postgresql://")
_PARAM = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")
"""A ``:name`` parameter, as SQLAlchemy's ``text()`` finds them."""
_VERSION = Query("SELECT version_num FROM alembic_version")


class Unavailable(Exception):
    """The direct path cannot read this database; take the full path."""


def read_direct(database_url: str, listing: Listing[T]) -> T:
    """Run ``listing`` on the database of ``database_url`` (see the module docstring)."""
    if database_url.startswith(_SQLITE):
        return _sqlite(database_url[len(_SQLITE) :].split("?", 1)[0], listing)
    for scheme in _POSTGRES:
        if database_url.startswith(scheme):
            return _postgres("postgresql://" + database_url[len(scheme) :], listing)
    raise Unavailable(f"not a database URL the direct path reads: {database_url}")


def _check_current(rows: list[Row]) -> None:
    if [r["version_num"] for r in rows] != [head_revision()]:
        raise Unavailable("the schema is not at the newest migration")


def _sqlite(name: str, listing: Listing[T]) -> T:
    import sqlite3

    if name in ("", ":memory:"):
        raise Unavailable("an in-memory database")
    path = Path(name).expanduser().resolve()
    if not path.is_file():
        raise Unavailable(f"no database at {path}")
    try:
        # mode=rw: an existing file only, never a new one
        conn = sqlite3.connect(
            f"{path.as_uri()}?mode=rw", uri=True, timeout=30.0, isolation_level=None
        )
        try:

            def fetch(query: Query) -> list[Row]:
                cursor = conn.execute(query.sql, bind(query.params, "sqlite"))
                names = [d[0] for d in cursor.description]
                rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
                return normalize(rows, query, json_decoded=False)

            conn.execute("BEGIN")  # one snapshot for every query of the listing
            _check_current(fetch(_VERSION))
            return run_sync(listing, fetch)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise Unavailable(str(exc)) from exc


def numbered(sql: str, params: dict[str, Any]) -> tuple[str, list[Any]]:
    """``sql`` with ``:name`` parameters as asyncpg's ``$1, $2, …``, and their values."""
    order: list[str] = []

    def number(found: re.Match[str]) -> str:
        if found.group(1) not in order:
            order.append(found.group(1))
        return f"${order.index(found.group(1)) + 1}"

    return _PARAM.sub(number, sql), [params[name] for name in order]


def _postgres(dsn: str, listing: Listing[T]) -> T:
    import asyncio

    import asyncpg  # type: ignore[import-untyped]

    async def go() -> T:
        conn = await asyncpg.connect(dsn)
        try:

            async def fetch(query: Query) -> list[Row]:
                sql, values = numbered(query.sql, bind(query.params, "postgresql"))
                return normalize(await conn.fetch(sql, *values), query, json_decoded=False)

            async with conn.transaction(isolation="repeatable_read", readonly=True):
                _check_current(await fetch(_VERSION))
                return await run_async(listing, fetch)
        finally:
            await conn.close()

    try:
        return asyncio.run(go())
    except (OSError, ValueError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise Unavailable(str(exc)) from exc
