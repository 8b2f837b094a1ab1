"""The delivery worker's housekeeping, run beside its claim loop, never in it.

Two chores, each a statement whose cost grows with the outbox table:

- pruning ``DONE`` items past their retention (at start, then every ``prune_interval``; in
  chunks, so that one transaction never holds the database for long);
- on PostgreSQL, refreshing the planner's statistics of the outbox after a burst of claims
  (:data:`ANALYZE_AFTER`), so that a queue that grew within seconds is not claimed from with
  plans made for an empty table (autovacuum looks only every minute).

They run in a task of their own, which the claim loop starts when a chore is due and never
waits for. While they ran inside the loop, every claim — and so every delivery to every
receiver — waited for them: with a 20,000-item backlog for one receiver, ``ANALYZE outbox``
took 0.6–3 s on a loaded machine, every 10 s, and healthy receivers' deliveries queued up
behind it (issue 16.3).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import structlog

from ocpihub.store import outbox as store
from ocpihub.store.db import Database
from ocpihub.store.traffic import PRUNE_CHUNK

__all__ = ["ANALYZE_AFTER", "Maintenance"]

log = structlog.get_logger("ocpihub.outbox")

ANALYZE_AFTER = (1000, 10.0)
"""Claimed items and seconds after which the outbox's planner statistics are refreshed."""


class Maintenance:
    """The chores of one worker (see the module docstring)."""

    def __init__(
        self,
        db: Database,
        *,
        done_retention: float,
        prune_interval: float,
        clock: Callable[[], datetime],
    ) -> None:
        self.db = db
        self.done_retention = done_retention
        self.prune_interval = prune_interval
        self.clock = clock
        self._next_prune = 0.0
        self.claimed_since_analyze = 0
        self.analyzed_at = time.monotonic()
        self._task: asyncio.Task[None] | None = None

    def claimed(self, items: int) -> None:
        """Count items the worker claimed (they make the statistics due)."""
        self.claimed_since_analyze += items

    @property
    def running(self) -> bool:
        """Whether a chore is under way."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Run the chores that are due, in the background; nothing while a run is under way."""
        if self.running or not (self._prune_due() or self._analyze_due()):
            return
        self._task = asyncio.create_task(self._run(), name="ocpihub-outbox-maintenance")

    async def stop(self) -> None:
        """Cancel a chore under way (its transaction rolls back; the next start redoes it)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        try:
            await self.prune()
        except Exception:
            log.exception("outbox_prune_failed")
        try:
            await self.analyze()
        except Exception:
            log.exception("outbox_analyze_failed")

    def _prune_due(self) -> bool:
        return time.monotonic() >= self._next_prune

    def _analyze_due(self) -> bool:
        items, seconds = ANALYZE_AFTER
        return (
            not self.db.is_sqlite
            and self.claimed_since_analyze >= items
            and time.monotonic() - self.analyzed_at >= seconds
        )

    async def prune(self) -> None:
        """Forget ``DONE`` items past their retention, when due."""
        if not self._prune_due():
            return
        self._next_prune = time.monotonic() + self.prune_interval
        before = self.clock() - timedelta(seconds=self.done_retention)
        removed = 0
        while True:  # in chunks: a long delete must not hold the write lock for long
            async with self.db.write() as conn:
                deleted = await store.prune_done(conn, before, limit=PRUNE_CHUNK)
            removed += deleted
            if deleted < PRUNE_CHUNK:
                break
            await asyncio.sleep(0)
        if removed:
            log.info("outbox_pruned", items=removed)

    async def analyze(self) -> None:
        """Refresh the outbox's planner statistics, when due (PostgreSQL)."""
        if not self._analyze_due():
            return
        self.claimed_since_analyze = 0
        self.analyzed_at = time.monotonic()
        async with self.db.write() as conn:
            await store.analyze(conn)
