"""The pull schedule of a hub process: due pulls started in the background, and "pull now".

Every hub process runs the loop; which process runs a due pull is settled by the pull's lease
(``store/pulls.py``), so a pull runs once however many processes see it due. A pull runs as a
task of its own, so a long one does not hold up the others.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from ocpihub.errors import PullBusy
from ocpihub.hub.pull_plan import due_kind, next_due
from ocpihub.hub.pulls import Puller, PullRun, pullable_modules
from ocpihub.model.parties import PlatformStatus
from ocpihub.store import pulls as store
from ocpihub.store.platforms import list_platforms
from ocpihub.store.pulls import PullRow

__all__ = ["PullScheduler", "PullStatus", "pull_status"]

log = structlog.get_logger("ocpihub.pulls")


@dataclass(frozen=True, slots=True)
class PullStatus:
    """A pull as the operator sees it: the row (None before the first run) and what is due."""

    platform_id: int
    module: str
    row: PullRow | None
    next_delta: datetime | None
    next_full: datetime | None

    def json(self) -> dict[str, Any]:
        """The admin API's and the CLI's ``--json`` form."""
        row = self.row

        def when(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        progress = row.progress if row else None
        return {
            "platform_id": self.platform_id,
            "module": self.module,
            "running": bool(row and row.running),
            "kind": row.kind if row else None,
            "status": row.status if row else None,
            "correlation_id": row.correlation_id if row else None,
            "started_at": when(row.started_at if row else None),
            "finished_at": when(row.finished_at if row else None),
            "pages": progress.pages if progress else 0,
            "objects": progress.objects if progress else 0,
            "stored": progress.stored if progress else 0,
            "removed": progress.removed if progress else 0,
            "errors": progress.errors if progress else 0,
            "total": progress.total if progress else None,
            "messages": progress.messages if progress else [],
            "synced_from": when(row.synced_from if row else None),
            "full_synced_from": when(row.full_synced_from if row else None),
            "next_delta": when(self.next_delta),
            "next_full": when(self.next_full),
        }


async def pull_status(
    puller: Puller, platform_id: int, module: str | None = None
) -> list[PullStatus]:
    """The pulls of a platform (every module it can be pulled for, or just ``module``)."""
    modules = await pullable_modules(puller.directory, platform_id)
    if module is not None:
        modules = [m for m in modules if m == module]
    async with puller.db.read() as conn:
        rows = {r.module: r for r in await store.list_pulls(conn, datetime.now(UTC), platform_id)}
    out = []
    for name in modules:
        row = rows.get(name)
        next_delta, next_full = next_due(row, delta=puller.config.delta, full=puller.config.full)
        out.append(PullStatus(platform_id, name, row, next_delta, next_full))
    return out


class PullScheduler:
    """Starts due pulls every ``tick`` and on request; stops its tasks when cancelled."""

    def __init__(self, puller: Puller) -> None:
        self.puller = puller
        self._tasks: dict[tuple[int, str], asyncio.Task[bool]] = {}

    @property
    def tick(self) -> float:
        """Seconds between looks at the schedule: a quarter of the shortest period, at most
        a minute."""
        periods = [p for p in (self.puller.config.delta, self.puller.config.full) if p]
        shortest = min(periods, default=timedelta(minutes=4))
        return max(0.05, min(60.0, shortest.total_seconds() / 4))

    @property
    def enabled(self) -> bool:
        """Whether any pull is scheduled (both periods 0: only "pull now" runs pulls)."""
        return self.puller.config.delta is not None or self.puller.config.full is not None

    def _start(self, run: PullRun) -> None:
        key = (run.platform.id, run.how.module)
        task = asyncio.create_task(self.puller.run(run), name=f"ocpihub-pull-{key[0]}-{key[1]}")
        self._tasks[key] = task
        task.add_done_callback(lambda t: self._done(key, t))

    def _done(self, key: tuple[int, str], task: asyncio.Task[bool]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if not task.cancelled() and task.exception() is not None:
            log.warning("pull_failed", platform_id=key[0], module=key[1], exc_info=task.exception())

    async def run_now(self, platform_id: int, module: str, *, full: bool) -> PullRun:
        """Start a pull at once, in the background (404/409 as :meth:`Puller.begin`)."""
        if (platform_id, module) in self._tasks:
            raise PullBusy(f"the {module} pull of platform {platform_id} is running already")
        run = await self.puller.begin(platform_id, module, full=full)
        self._start(run)
        return run

    async def check_once(self) -> int:
        """Start every due pull not running; how many were started."""
        started = 0
        now = datetime.now(UTC)
        async with self.puller.db.read() as conn:
            platforms = [
                p.id for p in await list_platforms(conn) if p.status is PlatformStatus.REGISTERED
            ]
        for platform_id in platforms:
            for status in await pull_status(self.puller, platform_id):
                key = (platform_id, status.module)
                kind = due_kind(
                    status.row, now, delta=self.puller.config.delta, full=self.puller.config.full
                )
                if kind is None or key in self._tasks:
                    continue
                try:
                    run = await self.puller.begin(platform_id, status.module, full=kind == "full")
                except PullBusy:
                    continue  # another process runs it
                self._start(run)
                started += 1
        return started

    async def run(self) -> None:
        """Check the schedule forever (cancel to stop; running pulls are cancelled too)."""
        try:
            while True:
                await asyncio.sleep(self.tick)
                try:
                    await self.check_once()
                except Exception:  # one failed round must not stop the schedule
                    log.warning("pull_schedule_failed", exc_info=True)
        finally:
            await self.stop()

    async def stop(self) -> None:
        """Cancel running pulls and wait for them (their leases are given back or run out)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5)
