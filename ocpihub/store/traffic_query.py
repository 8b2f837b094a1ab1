"""Reading the traffic log with the operator's filters (CLI, admin API and console alike)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpihub.store.schema import traffic

__all__ = ["COLUMNS", "TrafficFilter", "query_traffic"]

COLUMNS = (
    "id",
    "at",
    "direction",
    "platform_id",
    "from_party",
    "to_party",
    "module",
    "method",
    "url",
    "http_status",
    "ocpi_status",
    "duration_ms",
    "request_id",
    "correlation_id",
    "outbox_id",
    "error",
    "request_body",
    "response_body",
)
"""The fields of one entry, in the order exports list them."""


@dataclass(frozen=True, slots=True)
class TrafficFilter:
    """Which entries to read; every field given must match.

    ``party`` (``CC-PID``) matches either end of an exchange; ``since``/``until`` bound the time
    (inclusive/exclusive); ``after_id`` reads entries newer than one already seen, oldest first
    (how ``--follow`` and the console's correlation view read); otherwise newest first.
    """

    platform_id: int | None = None
    party: str | None = None
    module: str | None = None
    direction: str | None = None
    http_status: int | None = None
    ocpi_status: int | None = None
    request_id: str | None = None
    correlation_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after_id: int | None = None
    oldest_first: bool = False
    limit: int = 100

    def newer_than(self, entry_id: int) -> TrafficFilter:
        """The same filter for entries after ``entry_id``, oldest first."""
        return replace(self, after_id=entry_id, oldest_first=True)

    def is_empty(self) -> bool:
        """Whether no field narrows the selection."""
        return all(
            getattr(self, name) is None
            for name in (
                "platform_id",
                "party",
                "module",
                "direction",
                "http_status",
                "ocpi_status",
                "request_id",
                "correlation_id",
                "since",
                "until",
            )
        )


def _where(query: Select[Any], f: TrafficFilter) -> Select[Any]:
    c = traffic.c
    equal = {
        c.platform_id: f.platform_id,
        c.module: f.module,
        c.direction: f.direction.upper() if f.direction else None,
        c.http_status: f.http_status,
        c.ocpi_status: f.ocpi_status,
        c.request_id: f.request_id,
        c.correlation_id: f.correlation_id,
    }
    for column, value in equal.items():
        if value is not None:
            query = query.where(column == value)
    if f.party is not None:
        party = f.party.upper()
        query = query.where(or_(c.from_party == party, c.to_party == party))
    if f.since is not None:
        query = query.where(c.at >= f.since)
    if f.until is not None:
        query = query.where(c.at < f.until)
    if f.after_id is not None:
        query = query.where(c.id > f.after_id)
    return query


async def query_traffic(conn: AsyncConnection, f: TrafficFilter) -> list[dict[str, Any]]:
    """Entries matching ``f`` as JSON-ready dicts (``at`` in ISO 8601)."""
    order = traffic.c.id.asc() if f.oldest_first or f.after_id is not None else traffic.c.id.desc()
    query = _where(select(traffic), f).order_by(order).limit(f.limit)
    out = []
    for row in (await conn.execute(query)).mappings().all():
        item = {name: row[name] for name in COLUMNS}
        item["at"] = row["at"].isoformat()
        out.append(item)
    return out
