"""Fast takeover: a dead process's claims are delivered again at once by its restart, and a
live process keeps the claims of deliveries that outlast the lease (no double delivery)."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from ocpihub.model.outbox import Status
from ocpihub.testing import Received
from tests.e2e.test_outbox import (
    FAST,
    all_in,
    connect_receiver,
    enqueue_all,
    location_puts,
    outbox_items,
    seqs_by_object,
    wait_until,
)
from tests.e2e.test_outbox_processes import hubs, postgres_url

__all__ = ["hubs", "postgres_url"]  # fixtures


async def test_restart_takes_over_the_dead_process_claims_at_once(
    hubs: Any, start_peer: Any, database_url: str
) -> None:
    """A hub SIGKILLed while a delivery hangs: its restart on the same machine delivers the item
    and the object's queue behind it without waiting for the (here one minute) lease."""
    peer = await start_peer("2.3.0", [("EMSP", "DE", "MSP")])
    first_attempt, test_over = asyncio.Event(), asyncio.Event()

    async def hang_first(r: Received) -> tuple[int, Any]:
        if not first_attempt.is_set():
            first_attempt.set()
            await test_over.wait()  # the hub dies meanwhile
        return 200, {"status_code": 1000, "timestamp": "2030-01-01T00:00:00Z"}

    peer.on("PUT", "locations", hang_first)
    pid = await connect_receiver(database_url, peer, "emsp")
    await enqueue_all(database_url, location_puts(pid, "L1", range(3)))
    settings = {"outbox_lease_seconds": "60", "request_timeout": "60"}
    try:
        first = await hubs(database_url, **settings)
        await asyncio.wait_for(first_attempt.wait(), timeout=30)
        first.kill()
        [held, *_] = await outbox_items(database_url)
        assert held.status is Status.IN_FLIGHT

        second = await hubs(database_url, **settings)
        await wait_until(lambda: all_in(database_url, Status.DONE), timeout=30, what="all DONE")
    finally:
        test_over.set()

    assert seqs_by_object(peer.received) == {"NL/CPO/L1": [0, 0, 1, 2]}
    assert await second.terminate() in (0, -signal.SIGTERM), second.tail()


async def test_delivery_longer_than_the_lease_is_delivered_once(
    hub_factory: Any, start_peer: Any, database_url: str
) -> None:
    """A receiver taking three leases to answer: the hub renews the claim while it waits, so
    neither it nor anyone else sends the item again."""
    await hub_factory(**{**FAST, "outbox_lease_seconds": 0.6, "request_timeout": 10.0})
    peer = await start_peer("2.3.0", [("EMSP", "DE", "MSP")])

    async def slow(r: Received) -> tuple[int, Any]:
        await asyncio.sleep(1.8)
        return 200, {"status_code": 1000, "timestamp": "2030-01-01T00:00:00Z"}

    peer.on("PUT", "locations", slow)
    pid = await connect_receiver(database_url, peer, "slow")
    await enqueue_all(database_url, location_puts(pid, "L1", range(2)))

    await wait_until(lambda: all_in(database_url, Status.DONE), timeout=30, what="all DONE")

    assert seqs_by_object(peer.received) == {"NL/CPO/L1": [0, 1]}
    assert [i.attempts for i in await outbox_items(database_url)] == [1, 1]


async def test_survivor_takes_over_within_the_lease(
    hubs: Any, start_peer: Any, postgres_url: str
) -> None:
    """Two hubs on PostgreSQL: the claims of the one SIGKILLed are delivered by the other once
    their lease, no longer renewed, runs out; items in flight elsewhere are never taken."""
    peer = await start_peer("2.3.0", [("EMSP", "DE", "MSP")])

    async def slow(r: Received) -> tuple[int, Any]:
        await asyncio.sleep(1.5)  # longer than the lease: only renewal keeps the claims
        return 200, {"status_code": 1000, "timestamp": "2030-01-01T00:00:00Z"}

    peer.on("PUT", "locations", slow)
    pid = await connect_receiver(postgres_url, peer, "emsp")
    settings = {"outbox_lease_seconds": "1", "request_timeout": "30"}
    one = await hubs(postgres_url, **settings)
    await hubs(postgres_url, **settings)
    objects = [f"L{i}" for i in range(6)]
    await enqueue_all(postgres_url, [d for o in objects for d in location_puts(pid, o, range(3))])
    await wait_until(lambda: asyncio.sleep(0, len(peer.received) >= 6), what="both hubs delivering")
    one.kill()

    await wait_until(lambda: all_in(postgres_url, Status.DONE), timeout=60, what="all DONE")
    got = seqs_by_object(peer.received)
    # only an item the killed hub had in flight may come twice, right after itself
    for obj in objects:
        seqs = got[f"NL/CPO/{obj}"]
        assert [s for i, s in enumerate(seqs) if i == 0 or seqs[i - 1] != s] == [0, 1, 2]
        assert len(seqs) <= 4
    assert sum(len(v) for v in got.values()) <= len(objects) * 3 + len(objects)
