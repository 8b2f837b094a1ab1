"""Aggregates for partner health: outbox counts per receiver, exchanges per platform.

Read-only queries behind the operator's overview (``hub/overview.py``), the ``/metrics``
per-receiver series and ``ocpihub platform show``. An exchange *succeeded* when it was answered
with HTTP 2xx and, when the answer carried one, an OCPI status 1xxx; anything else (no answer,
a transport error, 4xx/5xx, an OCPI error status) is a failure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from ocpihub.model.outbox import Status
from ocpihub.store.schema import outbox, traffic

__all__ = [
    "ReceiverQueue",
    "exchange_counts",
    "hourly_exchanges",
    "last_success",
    "receiver_queues",
    "succeeded",
]


def succeeded() -> ColumnElement[bool]:
    """The SQL condition of a successful exchange (see the module docstring)."""
    return and_(
        traffic.c.error.is_(None),
        traffic.c.http_status >= 200,
        traffic.c.http_status < 300,
        or_(
            traffic.c.ocpi_status.is_(None),
            and_(traffic.c.ocpi_status >= 1000, traffic.c.ocpi_status < 2000),
        ),
    )


@dataclass(slots=True)
class ReceiverQueue:
    """One receiver platform's outbox: items per state and the oldest open item."""

    counts: dict[str, int] = field(default_factory=dict)
    oldest_open: datetime | None = None

    def count(self, *states: Status) -> int:
        """Items in any of ``states``."""
        return sum(self.counts.get(s.value, 0) for s in states)


async def receiver_queues(conn: AsyncConnection) -> dict[int, ReceiverQueue]:
    """Per receiver platform id: items per state (DONE left out) and the oldest open item."""
    rows = (
        await conn.execute(
            select(
                outbox.c.receiver_platform_id,
                outbox.c.status,
                func.count(),
                func.min(outbox.c.created_at),
            )
            # items of a removed receiver (dead-lettered, no platform) belong to no one's health
            .where(outbox.c.status != Status.DONE.value, outbox.c.receiver_platform_id.is_not(None))
            .group_by(outbox.c.receiver_platform_id, outbox.c.status)
        )
    ).all()
    out: dict[int, ReceiverQueue] = defaultdict(ReceiverQueue)
    open_states = {s.value for s in (Status.PENDING, Status.RETRY, Status.IN_FLIGHT)}
    for platform_id, status, count, oldest in rows:
        queue = out[int(platform_id)]
        queue.counts[status] = int(count)
        if status in open_states and oldest is not None:
            oldest = _aware(oldest)
            if queue.oldest_open is None or oldest < queue.oldest_open:
                queue.oldest_open = oldest
    return dict(out)


async def last_success(conn: AsyncConnection) -> dict[tuple[int, str], datetime]:
    """Per (platform id, direction IN/OUT): when the last successful exchange happened."""
    rows = (
        await conn.execute(
            select(traffic.c.platform_id, traffic.c.direction, func.max(traffic.c.at))
            .where(traffic.c.platform_id.is_not(None), succeeded())
            .group_by(traffic.c.platform_id, traffic.c.direction)
        )
    ).all()
    return {(int(p), str(d)): _aware(at) for p, d, at in rows if at is not None}


async def exchange_counts(conn: AsyncConnection, since: datetime) -> dict[int, tuple[int, int]]:
    """Per platform id: (exchanges, failed exchanges) since ``since``, both directions."""
    failed = case((succeeded(), literal(0)), else_=literal(1))
    rows = (
        await conn.execute(
            select(traffic.c.platform_id, func.count(), func.sum(failed))
            .where(traffic.c.platform_id.is_not(None), traffic.c.at >= since)
            .group_by(traffic.c.platform_id)
        )
    ).all()
    return {int(p): (int(n), int(f or 0)) for p, n, f in rows}


def _hour(conn: AsyncConnection) -> Any:
    if conn.dialect.name == "postgresql":
        return func.date_trunc("hour", traffic.c.at)
    return func.strftime("%Y-%m-%d %H:00:00", traffic.c.at)


async def hourly_exchanges(
    conn: AsyncConnection, since: datetime
) -> dict[int, dict[datetime, tuple[int, int]]]:
    """Per platform id and hour (UTC, start of the hour): (succeeded, failed) exchanges."""
    hour = _hour(conn).label("hour")
    ok = case((succeeded(), literal(1)), else_=literal(0))
    rows = (
        await conn.execute(
            select(traffic.c.platform_id, hour, func.sum(ok), func.count())
            .where(traffic.c.platform_id.is_not(None), traffic.c.at >= since)
            .group_by(traffic.c.platform_id, hour)
        )
    ).all()
    out: dict[int, dict[datetime, tuple[int, int]]] = defaultdict(dict)
    for platform_id, at, good, total in rows:
        start = _aware(at if isinstance(at, datetime) else datetime.fromisoformat(str(at)))
        out[int(platform_id)][start] = (int(good or 0), int(total) - int(good or 0))
    return dict(out)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
