"""One receiver never starves the others (issue 16.3), end to end.

A receiver that is down (nothing listens at its URLs) has thousands of due items queued before
a healthy receiver's new ones. The real hub must deliver the healthy receiver's items while the
backlog is still being worked through: claims take turns across receivers instead of taking the
oldest due items of all first. The assertion is on claim order (how much of the backlog was
tried when the healthy items had all arrived), not on time.
"""

from __future__ import annotations

from typing import Any

from ocpihub.model.outbox import Status
from ocpihub.testing import Peer
from tests.e2e.test_outbox import (
    FAST,
    connect_receiver,
    enqueue_all,
    location_puts,
    outbox_items,
    seqs_by_object,
    wait_until,
)
from tests.support.servers import free_port

BACKLOG = 3000
DOWN = ("EMSP", "FR", "DWN")


async def attempted(database_url: str, receiver: int) -> int:
    """How many of ``receiver``'s items were tried at least once."""
    items = await outbox_items(database_url)
    return sum(1 for i in items if i.delivery.receiver_platform_id == receiver and i.attempts)


async def test_a_down_receivers_backlog_does_not_delay_a_healthy_one(
    hub_factory: Any, start_peer: Any, database_url: str
) -> None:
    """3,000 due items of a receiver that refuses connections are queued first; a healthy
    receiver's items queued after them arrive (in order per object) while most of the backlog
    has not even been tried."""
    down = Peer(version="2.3.0", parties=[DOWN])
    down.base_url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    dead = await connect_receiver(database_url, down, "down", DOWN)
    await enqueue_all(
        database_url,
        [d for n in range(BACKLOG) for d in location_puts(dead, f"D{n}", [0], DOWN[1:])],
    )
    healthy = await start_peer("2.3.0", [("EMSP", "DE", "MSP")])
    live = await connect_receiver(database_url, healthy, "healthy")
    await hub_factory(
        **{
            **FAST,
            # a failed attempt leaves the due set for a minute: before the fix, the healthy
            # items waited until every older backlog item had been tried once
            "outbox_retry_base_delay": 60.0,
            "outbox_retry_max_delay": 60.0,
            # the receiver cap allows one receiver every free slot: the claim alone must share
            "outbox_concurrency": 8,
            "outbox_receiver_concurrency": 8,
            "liveness_interval_seconds": 0,
        }
    )
    await wait_until(lambda: _tried(database_url, dead), what="the backlog being worked")

    objects = [f"L{n}" for n in range(5)]
    await enqueue_all(database_url, [d for o in objects for d in location_puts(live, o, range(4))])

    async def healthy_done() -> bool:
        return sum(len(v) for v in seqs_by_object(healthy.received).values()) >= 20

    await wait_until(healthy_done, timeout=180, what="the healthy receiver's items")
    tried = await attempted(database_url, dead)

    assert tried < BACKLOG // 10, f"{tried} of {BACKLOG} backlog items were tried first"
    assert seqs_by_object(healthy.received) == {f"NL/CPO/{o}": [0, 1, 2, 3] for o in objects}

    async def live_done() -> bool:  # outcomes are recorded just after the peer answered
        items = await outbox_items(database_url)
        return all(
            i.status is Status.DONE for i in items if i.delivery.receiver_platform_id == live
        )

    await wait_until(live_done, what="the healthy receiver's items marked DONE")


async def _tried(database_url: str, receiver: int) -> bool:
    return await attempted(database_url, receiver) > 0
