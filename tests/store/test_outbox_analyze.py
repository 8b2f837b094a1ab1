"""The delivery worker refreshes the outbox's planner statistics after a burst of claims
(PostgreSQL): a queue that grew fast is then claimed from with plans made for its size."""

from __future__ import annotations

import time

from sqlalchemy import text

from ocpihub.outbound.client import PartnerClient
from ocpihub.outbox import worker as worker_module
from ocpihub.outbox.worker import DeliveryWorker, WorkerConfig
from ocpihub.store.db import Database


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
    worker = DeliveryWorker(db, PartnerClient(), WorkerConfig(hub_party=("NL", "HUB")))
    items, seconds = worker_module._ANALYZE_AFTER

    worker._claimed_since_analyze = items - 1
    worker._analyzed_at = time.monotonic() - seconds - 1
    await worker._analyze()
    assert await last_analyzed(db) is None  # too few claims yet

    worker._claimed_since_analyze = items
    worker._analyzed_at = time.monotonic()
    await worker._analyze()
    assert await last_analyzed(db) is None  # too soon

    worker._analyzed_at = time.monotonic() - seconds - 1
    await worker._analyze()  # on SQLite: nothing to do, and no error
    if not db.is_sqlite:
        assert await last_analyzed(db) is not None
    assert worker._claimed_since_analyze == (items if db.is_sqlite else 0)
