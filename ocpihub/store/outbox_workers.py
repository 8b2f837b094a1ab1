"""Delivery workers' liveness: one heartbeat row per worker, lease renewal, takeover.

A worker registers a row when it starts (``machine`` names the host, its boot and its pid
namespace: processes with the same ``machine`` see each other's process ids), renews the leases
of the items it holds with every heartbeat, and deletes its row when it stops. A worker whose
process died leaves its row behind: a process on the same machine that finds the row's pid gone
(or reused by itself) releases the dead worker's claims at once (:func:`take_over`), instead of
waiting for their leases to run out. Elsewhere the leases, no longer renewed, run out within
``outbox_lease_seconds``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpihub.model.outbox import Status
from ocpihub.store.outbox import signal_new_work
from ocpihub.store.schema import outbox, outbox_workers

__all__ = ["forget", "heartbeat", "on_machine", "prune_stale", "register", "take_over"]


async def register(
    conn: AsyncConnection, worker_id: str, *, machine: str, pid: int, now: datetime
) -> None:
    """Record a starting worker."""
    await conn.execute(
        insert(outbox_workers).values(
            worker_id=worker_id, machine=machine, pid=pid, started_at=now, heartbeat_at=now
        )
    )


async def heartbeat(
    conn: AsyncConnection, worker_id: str, held: Collection[int], *, now: datetime, until: datetime
) -> int:
    """Stamp the worker alive and extend to ``until`` the leases of the ``held`` items it still
    holds; how many leases were extended."""
    await conn.execute(
        update(outbox_workers)
        .where(outbox_workers.c.worker_id == worker_id)
        .values(heartbeat_at=now)
    )
    if not held:
        return 0
    still_held = (
        outbox.c.id.in_(list(held)),
        outbox.c.status == Status.IN_FLIGHT.value,
        outbox.c.claimed_by == worker_id,
    )
    # rows another transaction has locked are passed over, not waited for: that is the worker's
    # own outcome being recorded (it ends the claim), and waiting for it while holding the other
    # rows' locks deadlocked with it on PostgreSQL (the two lock overlapping rows in no common
    # order). A lease passed over is renewed at the next beat if the claim is still held.
    free = select(outbox.c.id).where(*still_held).with_for_update(skip_locked=True)
    result = await conn.execute(
        update(outbox)
        .where(outbox.c.id.in_(free.scalar_subquery()), *still_held)
        .values(lease_until=until)
    )
    return int(result.rowcount)


async def on_machine(conn: AsyncConnection, machine: str) -> list[tuple[str, int]]:
    """(worker id, pid) of every worker registered from ``machine``."""
    rows = await conn.execute(
        select(outbox_workers.c.worker_id, outbox_workers.c.pid).where(
            outbox_workers.c.machine == machine
        )
    )
    return [(str(w), int(p)) for w, p in rows.all()]


async def take_over(
    conn: AsyncConnection, worker_ids: Collection[str], now: datetime, why: str
) -> int:
    """Release the claims of dead workers (due again at once) and forget them; how many."""
    if not worker_ids:
        return 0
    result = await conn.execute(
        update(outbox)
        .where(outbox.c.status == Status.IN_FLIGHT.value, outbox.c.claimed_by.in_(list(worker_ids)))
        .values(
            status=Status.RETRY.value,
            next_attempt_at=now,
            lease_until=None,
            claimed_by=None,
            last_error=why,
            updated_at=now,
        )
    )
    await conn.execute(delete(outbox_workers).where(outbox_workers.c.worker_id.in_(worker_ids)))
    if result.rowcount:
        await signal_new_work(conn)
    return int(result.rowcount)


async def forget(conn: AsyncConnection, worker_id: str) -> None:
    """Remove a stopping worker's row."""
    await conn.execute(delete(outbox_workers).where(outbox_workers.c.worker_id == worker_id))


async def prune_stale(conn: AsyncConnection, before: datetime) -> int:
    """Forget workers silent since ``before`` (their leases ran out long ago); how many."""
    result = await conn.execute(
        delete(outbox_workers).where(outbox_workers.c.heartbeat_at < before)
    )
    return int(result.rowcount)
