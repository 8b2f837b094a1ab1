"""Persistence of outbox items: insert with the object, record outcomes, list and retry.

Claiming due items is :mod:`ocpihub.store.outbox_claims`. Functions take an open connection:
:func:`insert_items` must run in the transaction that stores the object the deliveries come
from.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import Executable

from ocpihub.model.outbox import OPEN, Delivery, OutboxItem, Status
from ocpihub.store.db import read_listing
from ocpihub.store.reads import outbox as reads
from ocpihub.store.schema import outbox

__all__ = [
    "NOTIFY_CHANNEL",
    "WAKE_FLAG",
    "Finished",
    "analyze",
    "count_by_status",
    "count_open",
    "dead_letter_open",
    "finish",
    "finish_many",
    "get_item",
    "insert_items",
    "item_from_row",
    "list_items",
    "prune_done",
    "release",
    "retry_items",
    "signal_new_work",
]

NOTIFY_CHANNEL = "ocpihub_outbox"
"""PostgreSQL channel on which new or re-queued work is announced to every hub process."""

WAKE_FLAG = "ocpihub.outbox.wake"
"""Key in the connection's ``info``: this transaction queued work (read by the commit hook)."""


item_from_row = reads.item_from_row


def _row(d: Delivery, now: datetime) -> dict[str, Any]:
    return {
        "status": Status.PENDING.value,
        "receiver_platform_id": d.receiver_platform_id,
        "to_country_code": d.receiver_party[0].upper(),
        "to_party_id": d.receiver_party[1].upper(),
        "from_country_code": d.sender_party[0].upper(),
        "from_party_id": d.sender_party[1].upper(),
        "broadcast": d.broadcast,
        "module": d.module,
        "interface_role": d.interface_role,
        "method": d.method.upper(),
        "url_suffix": d.url_suffix,
        "object_name": d.object_name,
        "payload": d.payload,
        "original": d.original,
        "original_version": d.original_version,
        "ordering_key": d.ordering_key,
        "correlation_id": d.correlation_id,
        "target_url": d.target_url,
        "attempts": 0,
        "next_attempt_at": now,
        "window_start": now,
        "created_at": now,
        "updated_at": now,
    }


_NOTIFY = text(f"NOTIFY {NOTIFY_CHANNEL}")

# the enqueue's statements, built once: constructing SQLAlchemy statements at every call cost
# more than running them (the compiled form is cached per dialect once its cache key is known)
_INSERT = insert(outbox).returning(outbox.c.id, sort_by_parameter_order=True)
_INSERT_ROWS = insert(outbox)  # SQLite: executemany, then the ids read back
_NEWEST_IDS = select(outbox.c.id).order_by(outbox.c.id.desc()).limit(bindparam("n"))


async def signal_new_work(conn: AsyncConnection) -> None:
    """Announce, on commit, that this transaction queued work.

    PostgreSQL: ``NOTIFY`` (delivered to every listening hub process when the transaction
    commits). Every dialect: a flag on the connection that the in-process commit hook of the
    worker reads (``ocpihub.outbox.wakeup``).
    """
    conn.info[WAKE_FLAG] = True
    if conn.dialect.name == "postgresql":
        await conn.execute(_NOTIFY)


async def insert_items(
    conn: AsyncConnection, deliveries: Sequence[Delivery], now: datetime
) -> list[int]:
    """Store deliveries as PENDING items due ``now``; their ids, in the order given."""
    if not deliveries:
        return []
    # ids must grow in the given order: they are the queue order of each ordering key
    rows = [_row(d, now) for d in deliveries]
    if conn.dialect.name == "sqlite":
        # SQLAlchemy would run one INSERT ... RETURNING per row to keep RETURNING's order; one
        # executemany does. In a write transaction SQLite has no other writer, and the rows,
        # inserted in this order, take ids one above the table's largest: the n largest ids
        await conn.execute(_INSERT_ROWS, rows)
        newest = await conn.execute(_NEWEST_IDS, {"n": len(rows)})
        ids = sorted(int(i) for i in newest.scalars().all())
    else:
        result = await conn.execute(_INSERT, rows)
        ids = [int(i) for i in result.scalars().all()]
    await signal_new_work(conn)
    return ids


def _held_by(worker_id: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Items this worker still holds a claim on."""
    return outbox.c.status == Status.IN_FLIGHT.value, outbox.c.claimed_by == worker_id


def _outcome(
    status: Status,
    now: datetime,
    *,
    next_attempt_at: datetime | None = None,
    error: str | None = None,
    http_status: int | None = None,
    ocpi_status: int | None = None,
    loss_report: list[dict[str, Any]] | None = None,
    retry_after_capped: float | None = None,
) -> dict[str, Any]:
    """The columns an attempt's outcome sets (the claim is given up)."""
    values: dict[str, Any] = {
        "status": status.value,
        "retry_after_capped": retry_after_capped,
        "lease_until": None,
        "claimed_by": None,
        "last_error": error,
        "last_http_status": http_status,
        "last_ocpi_status": ocpi_status,
        "updated_at": now,
    }
    if loss_report is not None:
        values["loss_report"] = loss_report
    if status is Status.DONE:
        values["delivered_at"] = now
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    return values


@functools.lru_cache(maxsize=32)
def _outcome_statement(columns: tuple[str, ...], *, many: bool) -> Executable:
    """The update recording an outcome that sets ``columns`` (bound as ``v_<column>``), on the
    item ``item_id`` (``many``: the items ``item_ids``, their ids returned) if ``worker_id``
    still holds it: built once per set of columns, its values bound at each outcome."""
    held = (
        outbox.c.status == Status.IN_FLIGHT.value,
        outbox.c.claimed_by == bindparam("worker_id"),
    )
    values = {c: bindparam(f"v_{c}", type_=outbox.c[c].type) for c in columns}
    if not many:
        return update(outbox).where(outbox.c.id == bindparam("item_id"), *held).values(values)
    return (
        update(outbox)
        .where(outbox.c.id.in_(bindparam("item_ids", expanding=True)), *held)
        .values(values)
        .returning(outbox.c.id)
    )


def _bound(values: dict[str, Any]) -> dict[str, Any]:
    """``values``' parameters for :func:`_outcome_statement`."""
    return {f"v_{c}": v for c, v in values.items()}


async def finish(
    conn: AsyncConnection,
    item_id: int,
    worker_id: str,
    *,
    status: Status,
    now: datetime,
    next_attempt_at: datetime | None = None,
    error: str | None = None,
    http_status: int | None = None,
    ocpi_status: int | None = None,
    loss_report: list[dict[str, Any]] | None = None,
    retry_after_capped: float | None = None,
) -> bool:
    """Record the outcome of this worker's attempt; False when the claim was lost meanwhile."""
    values = _outcome(
        status,
        now,
        next_attempt_at=next_attempt_at,
        error=error,
        http_status=http_status,
        ocpi_status=ocpi_status,
        loss_report=loss_report,
        retry_after_capped=retry_after_capped,
    )
    result = await conn.execute(
        _outcome_statement(tuple(values), many=False),
        {"item_id": item_id, "worker_id": worker_id, **_bound(values)},
    )
    return bool(result.rowcount)


@dataclass(frozen=True, slots=True)
class Finished:
    """The outcome of one attempt, as :func:`finish` takes it (for :func:`finish_many`)."""

    item_id: int
    status: Status
    now: datetime
    next_attempt_at: datetime | None = None
    error: str | None = None
    http_status: int | None = None
    ocpi_status: int | None = None
    loss_report: list[dict[str, Any]] | None = None
    retry_after_capped: float | None = None


async def finish_many(
    conn: AsyncConnection, worker_id: str, outcomes: Sequence[Finished]
) -> set[int]:
    """Record many outcomes in the caller's transaction; the ids whose claim was still held.

    Plain successes (DONE, same answer, no loss report) share one statement, stamped with the
    latest of their times; the rest are written one by one as :func:`finish` does.
    """
    kept: set[int] = set()
    plain: dict[tuple[int | None, int | None], list[Finished]] = {}
    for o in outcomes:
        if o.status is Status.DONE and o.loss_report is None and o.error is None:
            plain.setdefault((o.http_status, o.ocpi_status), []).append(o)
        elif await finish(
            conn,
            o.item_id,
            worker_id,
            status=o.status,
            now=o.now,
            next_attempt_at=o.next_attempt_at,
            error=o.error,
            http_status=o.http_status,
            ocpi_status=o.ocpi_status,
            loss_report=o.loss_report,
            retry_after_capped=o.retry_after_capped,
        ):
            kept.add(o.item_id)
    for (http_status, ocpi_status), group in plain.items():
        ids = [o.item_id for o in group]
        now = max(o.now for o in group)
        done = _outcome(Status.DONE, now, http_status=http_status, ocpi_status=ocpi_status)
        rows = await conn.execute(
            _outcome_statement(tuple(done), many=True),
            {"item_ids": ids, "worker_id": worker_id, **_bound(done)},
        )
        kept.update(rows.scalars().all())
    return kept


async def release(
    conn: AsyncConnection, item_ids: Collection[int], worker_id: str, now: datetime, why: str
) -> int:
    """Give back this worker's claims (shutdown): due again at once; how many were released."""
    if not item_ids:
        return 0
    result = await conn.execute(
        update(outbox)
        .where(outbox.c.id.in_(list(item_ids)), *_held_by(worker_id))
        .values(
            status=Status.RETRY.value,
            next_attempt_at=now,
            lease_until=None,
            claimed_by=None,
            last_error=why,
            updated_at=now,
        )
    )
    await signal_new_work(conn)
    return int(result.rowcount)


async def get_item(conn: AsyncConnection, item_id: int) -> OutboxItem | None:
    """The item with this id, if any."""
    row = (await conn.execute(select(outbox).where(outbox.c.id == item_id))).mappings().first()
    return item_from_row(row) if row else None


async def list_items(
    conn: AsyncConnection,
    *,
    status: Status | None = None,
    receiver_platform_id: int | None = None,
    ordering_key: str | None = None,
    limit: int = 100,
    after_id: int | None = None,
    module: str | None = None,
    object_id: str | None = None,
) -> list[OutboxItem]:
    """Items in id order (queue order), optionally filtered; at most ``limit``.

    ``object_id``: items of that object (the last part of their ordering key, which names the
    Location for its EVSEs and Connectors).
    """
    listing = reads.outbox_items(
        status=status,
        receiver_platform_id=receiver_platform_id,
        ordering_key=ordering_key,
        limit=limit,
        after_id=after_id,
        module=module,
        object_id=object_id,
    )
    return await read_listing(conn, listing)


async def count_by_status(conn: AsyncConnection) -> dict[str, int]:
    """How many items are in each state."""
    rows = (
        await conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))
    ).all()
    return {status: int(n) for status, n in rows}


async def retry_items(
    conn: AsyncConnection,
    now: datetime,
    *,
    item_ids: Collection[int] | None = None,
    all_dead: bool = False,
    receiver_platform_id: int | None = None,
) -> list[int]:
    """Queue items again, due now, with a fresh attempt budget; the ids that were re-queued.

    ``item_ids``: those items (any state but IN_FLIGHT; a DONE item is delivered again, a
    replay). ``all_dead``: every DEAD item (of ``receiver_platform_id`` when given).
    """
    query = update(outbox).where(
        outbox.c.status != Status.IN_FLIGHT.value,
        # a removed receiver's items stay DEAD: there is no one to deliver them to
        outbox.c.receiver_platform_id.is_not(None),
    )
    if all_dead:
        query = query.where(outbox.c.status == Status.DEAD.value)
        if receiver_platform_id is not None:
            query = query.where(outbox.c.receiver_platform_id == receiver_platform_id)
    elif item_ids:
        query = query.where(outbox.c.id.in_(list(item_ids)))
    else:
        return []
    rows = (
        await conn.execute(
            query.values(
                status=Status.PENDING.value,
                attempts=0,
                next_attempt_at=now,
                window_start=now,
                lease_until=None,
                claimed_by=None,
                delivered_at=None,
                updated_at=now,
            ).returning(outbox.c.id)
        )
    ).all()
    if rows:
        await signal_new_work(conn)
    return sorted(int(r[0]) for r in rows)


async def count_open(conn: AsyncConnection, receiver_platform_id: int) -> int:
    """How many deliveries to this platform are queued or in flight."""
    query = select(func.count()).where(
        outbox.c.receiver_platform_id == receiver_platform_id,
        outbox.c.status.in_([s.value for s in OPEN]),
    )
    return int((await conn.execute(query)).scalar_one())


async def dead_letter_open(
    conn: AsyncConnection, receiver_platform_id: int, reason: str, now: datetime
) -> int:
    """Move every queued or in-flight delivery to this platform to DEAD with ``reason``; how
    many. A worker holding one of them loses its claim, so its outcome is not recorded."""
    result = await conn.execute(
        update(outbox)
        .where(
            outbox.c.receiver_platform_id == receiver_platform_id,
            outbox.c.status.in_([s.value for s in OPEN]),
        )
        .values(status=Status.DEAD.value, lease_until=None, claimed_by=None, last_error=reason)
        .values(updated_at=now)
    )
    return int(result.rowcount)


_PLANNED_COLUMNS = (
    "id",
    "status",
    "receiver_platform_id",
    "to_country_code",
    "to_party_id",
    "module",
    "ordering_key",
    "next_attempt_at",
    "lease_until",
    "claimed_by",
    "delivered_at",
    "created_at",
)
"""The columns the outbox's statements search, join and sort on (claims, outcomes, leases,
pruning, listings): the ones whose statistics the planner uses."""


async def analyze(conn: AsyncConnection) -> None:
    """Refresh the planner's statistics of the outbox's searched columns (PostgreSQL; SQLite
    plans without).

    Only :data:`_PLANNED_COLUMNS`: the JSON bodies are most of the table, nothing searches
    them, and sampling them made the statement about five times slower (0.9 s against 0.15 s
    with 25,000 Location PUTs queued). Autovacuum still analyses every column in its time.
    """
    if conn.dialect.name == "postgresql":
        await conn.exec_driver_sql(f"ANALYZE outbox ({', '.join(_PLANNED_COLUMNS)})")


async def prune_done(conn: AsyncConnection, before: datetime, *, limit: int) -> int:
    """Forget up to ``limit`` DONE items delivered before ``before``; how many."""
    oldest = (
        select(outbox.c.id)
        .where(outbox.c.status == Status.DONE.value, outbox.c.delivered_at < before)
        .limit(limit)
    )
    result = await conn.execute(delete(outbox).where(outbox.c.id.in_(oldest.scalar_subquery())))
    return int(result.rowcount)
