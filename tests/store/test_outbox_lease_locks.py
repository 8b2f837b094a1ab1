"""Lease renewal and outcomes of one worker, in two transactions at once (PostgreSQL row locks).

Seen in `bench.broadcast` on PostgreSQL: the worker's heartbeat (renewing the leases of every
item it holds) and its group commit of outcomes locked overlapping rows in different orders and
deadlocked; the outcomes' transaction was the one aborted, so those items were delivered again
after their leases ran out.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from ocpihub.model.outbox import Status
from ocpihub.outbox.enqueue import enqueue
from ocpihub.store import outbox as store
from ocpihub.store import outbox_workers
from ocpihub.store.db import Database, is_transient
from tests.store.test_outbox_store import T0, claim, put, receiver


async def _renew(db: Database, held: set[int]) -> int:
    async with db.write() as conn:
        return await outbox_workers.heartbeat(
            conn, "w1", held, now=T0, until=T0 + timedelta(seconds=60)
        )


def _done(item_id: int) -> store.Finished:
    return store.Finished(item_id, Status.DONE, T0, http_status=200, ocpi_status=1000)


async def _two_claimed(db: Database) -> tuple[int, int]:
    """Two items claimed by worker w1, on PostgreSQL (the tests of row locks skip SQLite)."""
    if db.is_sqlite:
        pytest.skip("SQLite write transactions are serialised: no row locks to cross")
    rid = await receiver(db)
    async with db.write() as conn:
        await enqueue(conn, [put(rid, f"L{n}", 1) for n in range(2)], now=T0)
    first, second = (i.id for i in await claim(db))
    return first, second


async def test_renewal_passes_over_an_outcome_being_recorded(db: Database) -> None:
    """While the outcome of one held item is being recorded (its row locked), a heartbeat renews
    the other held item's lease without waiting; the outcome transaction then records the other
    item too and commits (before: the heartbeat waited for the locked row while holding the
    other, and the outcome transaction's second update deadlocked with it)."""
    first, second = await _two_claimed(db)

    async with db.write() as outcomes:
        assert await store.finish_many(outcomes, "w1", [_done(second)]) == {second}
        renewed = await asyncio.wait_for(_renew(db, {first, second}), timeout=10)
        assert renewed == 1  # the first; the second's row is locked by its outcome
        assert await store.finish_many(outcomes, "w1", [_done(first)]) == {first}

    async with db.read() as conn:
        items = {i.id: i for i in await store.list_items(conn)}
    assert {items[first].status, items[second].status} == {Status.DONE}


async def test_renewal_extends_every_lease_still_held(db: Database) -> None:
    """Without a concurrent outcome every held item's lease is extended; a finished one is not."""
    rid = await receiver(db)
    async with db.write() as conn:
        await enqueue(conn, [put(rid, f"L{n}", 1) for n in range(3)], now=T0)
    a, b, c = (i.id for i in await claim(db))
    async with db.write() as conn:
        await store.finish_many(conn, "w1", [_done(c)])
    assert await _renew(db, {a, b, c}) == 2


async def test_a_real_deadlock_is_told_transient(db: Database) -> None:
    """Two transactions locking two rows in opposite orders: the one PostgreSQL aborts raises an
    error :func:`is_transient` recognises (the outcomes' group commit is run again on it)."""
    first, second = await _two_claimed(db)
    both_hold = asyncio.Barrier(2)

    async def cross(mine: int, theirs: int) -> None:
        async with db.write() as conn:
            await outbox_workers.heartbeat(conn, "w1", {mine}, now=T0, until=T0)
            await both_hold.wait()
            await store.finish_many(conn, "w1", [_done(theirs)])

    results = await asyncio.gather(
        cross(first, second), cross(second, first), return_exceptions=True
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1, results
    assert is_transient(errors[0]), repr(errors[0])
    assert not is_transient(ValueError("not a database error"))
