"""The pull schedule of a hub process: due pulls started in the background, and "pull now".

Every hub process runs the loop; which process runs a due pull is settled by the pull's lease
(``store/pulls.py``), so a pull runs once however many processes see it due. A pull runs as a
task of its own, so a long one does not hold up the others.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import structlog

from ocpihub.errors import PullBusy
from ocpihub.hub.pull_plan import PullStatus, due_kind, pull_statuses
from ocpihub.hub.pulls import Puller, PullRun
from ocpihub.model.parties import PlatformStatus
from ocpihub.store.platforms import list_platforms

__all__ = ["PullScheduler", "PullStatus", "pull_status"]

log = structlog.get_logger("ocpihub.pulls")


async def pull_status(
    puller: Puller, platform_id: int, module: str | None = None
) -> list[PullStatus]:
    """The pulls of a platform (every module it can be pulled for, or just ``module``)."""
    now = datetime.now(UTC)
    return await puller.db.read_listing(pull_statuses(platform_id, module, puller.config, now))


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
