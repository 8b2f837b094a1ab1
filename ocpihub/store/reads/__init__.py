"""Read-only queries written once, in SQL both dialects speak, run by two kinds of callers.

A *listing* is a generator: it yields a :class:`Query`, is sent that query's rows (already
normalized: JSON columns decoded, times aware UTC), may yield further queries, and returns what
it shaped from them. Listings hold no connection and import no driver, so the same listing runs

- on the hub's SQLAlchemy connection (``store/db.py``: :func:`~ocpihub.store.db.read_listing`
  and ``Database.read_listing``), for the hub, the admin API and the store's own functions, and
- on the database driver directly (``store/reads/direct.py``: stdlib ``sqlite3``, or
  ``asyncpg``), for the CLI's listing commands, which must answer at once (issue 18.4) and so
  never import SQLAlchemy.

Each query and each row shaping exists once, in the modules of this package; the two runners
differ only in how they send SQL and bind values. SQL uses ``:name`` parameters (SQLAlchemy's
``text()`` and ``sqlite3`` take them as they are; the asyncpg runner numbers them).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

__all__ = [
    "Listing",
    "Query",
    "Row",
    "RowLike",
    "bind",
    "normalize",
    "run_async",
    "run_sync",
]

T = TypeVar("T")
Row = dict[str, Any]
RowLike = Mapping[Any, Any]
"""What row shaping takes: a normalized :data:`Row`, or a typed row of a SQLAlchemy Core query
(``RowMapping``) elsewhere in the store."""
Listing = Generator["Query", list[Row], T]
"""A read: yields queries, is sent their rows, returns its result."""

_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"
"""How SQLAlchemy keeps a timestamp in SQLite (naive UTC text, so text order is time order)."""


@dataclass(frozen=True, slots=True)
class Query:
    """One SQL statement with its parameters, and which columns need decoding.

    ``json``: columns holding JSON documents; ``times``: columns holding UTC timestamps
    (``schema.UtcDateTime``).
    """

    sql: str
    params: Mapping[str, Any] = field(default_factory=dict)
    json: frozenset[str] = frozenset()
    times: frozenset[str] = frozenset()


def bind(params: Mapping[str, Any], dialect: str) -> dict[str, Any]:
    """Parameter values as the dialect compares them: on SQLite a time becomes the naive UTC
    text SQLAlchemy stores (``schema.UtcDateTime``)."""
    if dialect != "sqlite":
        return dict(params)
    out = {}
    for name, value in params.items():
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(UTC).replace(tzinfo=None)
            value = value.strftime(_SQLITE_TIME)
        out[name] = value
    return out


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normalize(rows: Iterable[RowLike], query: Query, *, json_decoded: bool) -> list[Row]:
    """Rows as plain dicts with ``query``'s JSON columns decoded (unless the driver did:
    ``json_decoded``) and its time columns aware UTC datetimes."""
    out = []
    for row in rows:
        item = dict(row)
        for name in query.times:
            item[name] = _time(item[name])
        if not json_decoded:
            for name in query.json:
                if item[name] is not None:
                    item[name] = json.loads(item[name])
        out.append(item)
    return out


def run_sync(listing: Listing[T], fetch: Callable[[Query], list[Row]]) -> T:
    """Run ``listing`` with a blocking ``fetch`` (query -> normalized rows)."""
    try:
        query = next(listing)
        while True:
            query = listing.send(fetch(query))
    except StopIteration as done:
        return cast(T, done.value)


async def run_async(listing: Listing[T], fetch: Callable[[Query], Awaitable[list[Row]]]) -> T:
    """Run ``listing`` with an asynchronous ``fetch`` (query -> normalized rows)."""
    try:
        query = next(listing)
        while True:
            query = listing.send(await fetch(query))
    except StopIteration as done:
        return cast(T, done.value)
