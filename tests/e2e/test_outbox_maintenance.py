"""The delivery worker's housekeeping never holds up its claims (issue 16.3).

Pruning ``DONE`` items and, on PostgreSQL, refreshing the outbox's planner statistics are
statements whose cost grows with the table. With a 20,000-item backlog for one receiver,
``ANALYZE outbox`` took seconds, and while the worker ran its chores inside the claim loop,
every delivery to every other receiver waited for them. Here a chore is kept going for as long
as the test needs; items queued meanwhile must still be delivered.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpihub.model.outbox import Status
from ocpihub.outbox import maintenance
from ocpihub.store import outbox as outbox_store
from ocpihub.store.traffic import PRUNE_CHUNK
from tests.e2e.test_outbox import (
    FAST,
    all_in,
    connect_receiver,
    enqueue_all,
    location_puts,
    wait_until,
)

WITHIN = 20.0
"""Seconds to wait for a delivery before calling it held up (it takes well under one)."""


async def test_deliveries_flow_while_a_long_prune_runs(
    hub_factory: Any, start_peer: Any, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A prune with no end of chunks to delete (a large outbox) runs from the worker's start;
    an item queued meanwhile is delivered all the same."""
    chunks = 0
    release = asyncio.Event()

    async def endless_prune(conn: AsyncConnection, before: datetime, *, limit: int) -> int:
        nonlocal chunks
        chunks += 1
        await asyncio.sleep(0.01)  # a chunk's delete, its transaction open
        return 0 if release.is_set() else PRUNE_CHUNK

    monkeypatch.setattr(outbox_store, "prune_done", endless_prune)
    try:
        await hub_factory(**FAST)
        peer = await start_peer("2.3.0", [("EMSP", "DE", "MSP")])
        pid = await connect_receiver(database_url, peer, "live")
        await wait_until(lambda: asyncio.sleep(0, chunks >= 2), what="the prune under way")

        await enqueue_all(database_url, location_puts(pid, "L1", [0]))

        await wait_until(lambda: all_in(database_url, Status.DONE), WITHIN, "the delivery")
        assert not release.is_set() and chunks > 2  # the prune was still going
        assert [r.path.rsplit("/", 1)[-1] for r in peer.of("locations")] == ["L1"]
    finally:
        release.set()


async def test_deliveries_flow_while_statistics_are_refreshed(
    hub_factory: Any, start_peer: Any, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: the statistics refresh a claim made due takes as long as the test wants; the
    next item is delivered meanwhile."""
    if database_url.startswith("sqlite"):
        pytest.skip("the outbox's statistics are refreshed on PostgreSQL only")
    analyzing = asyncio.Event()
    release = asyncio.Event()

    async def slow_analyze(conn: AsyncConnection) -> None:
        analyzing.set()
        await release.wait()

    monkeypatch.setattr(outbox_store, "analyze", slow_analyze)
    monkeypatch.setattr(maintenance, "ANALYZE_AFTER", (1, 0.0))  # due after the first claim
    try:
        await hub_factory(**FAST)
        peer = await start_peer("2.3.0", [("EMSP", "DE", "MSP")])
        pid = await connect_receiver(database_url, peer, "live")
        await enqueue_all(database_url, location_puts(pid, "L1", [0]))
        await wait_until(lambda: all_in(database_url, Status.DONE), WITHIN, "the first delivery")
        await asyncio.wait_for(analyzing.wait(), WITHIN)

        await enqueue_all(database_url, location_puts(pid, "L2", [0]))

        await wait_until(
            lambda: all_in(database_url, Status.DONE, count=2), WITHIN, "the second delivery"
        )
        assert not release.is_set()  # the refresh was still under way
        paths = [r.path.rsplit("/", 1)[-1] for r in peer.of("locations")]
        assert paths == ["L1", "L2"]
    finally:
        release.set()
