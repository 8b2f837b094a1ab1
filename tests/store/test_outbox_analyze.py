"""The delivery worker refreshes the outbox's planner statistics after a burst of claims
(PostgreSQL): a queue that grew fast is then claimed from with plans made for its size. The
refresh is one of the worker's chores (``ocpihub.outbox.maintenance``), run beside its claim
loop."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from ocpihub.outbound.client import PartnerClient
from ocpihub.outbox import maintenance
from ocpihub.outbox.enqueue import enqueue
from ocpihub.outbox.worker import DeliveryWorker, WorkerConfig
from ocpihub.store import outbox as store
from ocpihub.store.db import Database
from tests.store.test_outbox_store import T0, put, receiver


async def last_analyzed(db: Database) -> object:
    if db.is_sqlite:
        return None
    async with db.read() as conn:
        return (
            await conn.execute(
                text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'outbox'")
            )
        ).scalar_one()


async def test_statistics_are_refreshed_after_enough_claims_and_time(db: Database) -> None:
    chores = DeliveryWorker(db, PartnerClient(), WorkerConfig(hub_party=("NL", "HUB"))).maintenance
    items, seconds = maintenance.ANALYZE_AFTER

    chores.claimed(items - 1)
    chores.analyzed_at = time.monotonic() - seconds - 1
    await chores.analyze()
    assert await last_analyzed(db) is None  # too few claims yet

    chores.claimed(1)
    chores.analyzed_at = time.monotonic()
    await chores.analyze()
    assert await last_analyzed(db) is None  # too soon

    chores.analyzed_at = time.monotonic() - seconds - 1
    await chores.analyze()  # on SQLite: nothing to do, and no error
    if not db.is_sqlite:
        assert await last_analyzed(db) is not None
    assert chores.claimed_since_analyze == (items if db.is_sqlite else 0)


async def test_statistics_skip_the_bodies(db: Database) -> None:
    """The refresh samples the columns claims and outcomes search, not the JSON bodies that
    make most of the table (sampling those made it ~5× slower with a large backlog)."""
    if db.is_sqlite:
        pytest.skip("SQLite plans without statistics; nothing is analysed")
    rid = await receiver(db)
    async with db.write() as conn:
        await enqueue(conn, [put(rid, f"L{n}", n) for n in range(20)], now=T0)
        await store.analyze(conn)
    async with db.read() as conn:
        analysed = set(
            (
                await conn.execute(text("SELECT attname FROM pg_stats WHERE tablename = 'outbox'"))
            ).scalars()
        )
    assert {"receiver_platform_id", "status", "next_attempt_at", "ordering_key"} <= analysed
    assert not analysed & {"payload", "original", "loss_report", "last_error"}
