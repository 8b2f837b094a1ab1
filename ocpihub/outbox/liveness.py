"""Keeping a worker's claims alive, and taking over the claims of dead workers at once.

A claim holds a short lease (``outbox_lease_seconds``). While the worker lives, its heartbeat
extends the leases of the items it holds every third of a lease, however long a delivery takes;
when its process dies the leases run out and any process claims the items again. A process
does not even wait for that when it can tell the dead worker was on its own machine: it checks
the worker rows of its machine (host, boot and pid namespace) at start and with every heartbeat,
and releases the claims of those whose process is gone, or whose pid it now has itself (a
restarted container).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Callable, Collection, Iterable
from datetime import datetime, timedelta
from pathlib import Path

import structlog

from ocpihub.store import outbox_workers as store
from ocpihub.store.db import Database

__all__ = ["Liveness", "dead_workers", "machine_id", "pid_alive"]

log = structlog.get_logger("ocpihub.outbox")

_RUNNING: set[str] = set()
"""Workers running in this process (never taken for dead ones, whatever their pid)."""

_FORGET_AFTER = timedelta(hours=1)
"""Rows of workers silent this long are deleted (their leases ran out long before)."""


def machine_id() -> str:
    """Host name, boot id and pid namespace: processes with the same value share process ids."""
    boot = ""
    with contextlib.suppress(OSError):
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    namespace = ""
    with contextlib.suppress(OSError):
        namespace = os.readlink("/proc/self/ns/pid")
    return f"{socket.gethostname()}|{boot}|{namespace}"[:200]


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def dead_workers(
    rows: Iterable[tuple[str, int]],
    *,
    my_pid: int,
    running: Collection[str],
    alive: Callable[[int], bool] = pid_alive,
) -> list[str]:
    """Of the workers registered from this machine, those whose process is gone."""
    return [w for w, pid in rows if w not in running and (pid == my_pid or not alive(pid))]


class Liveness:
    """The heartbeat of one worker (see the module docstring)."""

    def __init__(
        self,
        db: Database,
        worker_id: str,
        *,
        lease: float,
        held: Callable[[], Collection[int]],
        clock: Callable[[], datetime],
    ) -> None:
        self.db = db
        self.worker_id = worker_id
        self.lease = lease
        self.held = held
        self.clock = clock
        self.machine = machine_id()
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    @property
    def interval(self) -> float:
        """Seconds between heartbeats: a third of the lease."""
        return self.lease / 3

    async def start(self) -> None:
        """Register, take over dead predecessors' claims, and beat in the background."""
        _RUNNING.add(self.worker_id)
        self._stopping.clear()
        try:
            async with self.db.write() as conn:
                await store.register(
                    conn, self.worker_id, machine=self.machine, pid=os.getpid(), now=self.clock()
                )
            await self.beat()
        except Exception:  # the leases still protect the claims; the next beat tries again
            log.exception("outbox_heartbeat_failed")
        self._task = asyncio.create_task(self._run(), name="ocpihub-outbox-heartbeat")

    async def beat(self) -> None:
        """Extend the held leases; release the claims of dead workers of this machine."""
        now = self.clock()
        async with self.db.write() as conn:
            await store.heartbeat(
                conn,
                self.worker_id,
                self.held(),
                now=now,
                until=now + timedelta(seconds=self.lease),
            )
            rows = await store.on_machine(conn, self.machine)
            dead = dead_workers(rows, my_pid=os.getpid(), running=_RUNNING)
            if dead:
                released = await store.take_over(conn, dead, now, "its hub process died")
                log.warning("outbox_took_over", workers=dead, items=released)
            await store.prune_stale(conn, now - _FORGET_AFTER)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.interval)
            if self._stopping.is_set():
                return
            if loop.time() - started > self.lease:
                # the process stalled: other processes may have claimed what it delivers
                log.warning("outbox_heartbeat_late", seconds=round(loop.time() - started, 1))
            try:
                await self.beat()
            except Exception:
                log.exception("outbox_heartbeat_failed")

    async def stop(self) -> None:
        """Stop beating and remove the row (call after the claims were finished or released)."""
        if self._task is not None:
            # never cancelled: a beat interrupted mid-transaction would upset the connection
            self._stopping.set()
            await self._task
            self._task = None
        _RUNNING.discard(self.worker_id)
        try:
            async with self.db.write() as conn:
                await store.forget(conn, self.worker_id)
        except Exception:
            log.exception("outbox_heartbeat_failed")
