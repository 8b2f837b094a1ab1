"""Delivery survives hub processes dying: `ocpihub serve` killed mid-burst, and two processes.

Duplicates are allowed only for the item that was in flight when a process died (the peer may
have received it before the hub could record the answer): per object, the peer sees every item
in order, where an item may repeat immediately after itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ocpihub.model.outbox import Status
from ocpihub.testing import Peer, Received
from tests.e2e.test_outbox import (
    connect_receiver,
    enqueue_all,
    location_puts,
    outbox_items,
    seqs_by_object,
    wait_until,
    without_repeats,
)
from tests.support.databases import (
    PG_SKIP_REASON,
    PG_URL,
    create_postgres_database,
    drop_postgres_database,
)
from tests.support.servers import free_port

ENV = {
    "OCPIHUB_OUTBOX_POLL_INTERVAL": "0.1",
    # short, for quick takeovers, yet renewed in time by a hub on a loaded machine
    "OCPIHUB_OUTBOX_LEASE_SECONDS": "5",
    # long: a peer stalled for a moment on a loaded machine must not turn every request in
    # flight into a timeout and a retry (a repeat the tests below would count as a defect)
    "OCPIHUB_REQUEST_TIMEOUT": "15",
    "OCPIHUB_OUTBOX_RETRY_BASE_DELAY": "0.05",
    "OCPIHUB_OUTBOX_RECEIVER_CONCURRENCY": "16",
    "OCPIHUB_OUTBOX_DRAIN_SECONDS": "3",
    "OCPIHUB_LOG_FORMAT": "json",
    "OCPIHUB_ADMIN_TOKEN": "admin-secret",
}


class HubProcess:
    """One `python -m ocpihub serve` on a free port."""

    def __init__(self, database_url: str, log: Path, **settings: str) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("OCPIHUB_")}
        env.update(ENV)
        env.update({f"OCPIHUB_{k.upper()}": v for k, v in settings.items()})
        env["OCPIHUB_DATABASE_URL"] = database_url
        env["OCPIHUB_PUBLIC_URL"] = f"http://127.0.0.1:{self.port}"
        self.log = log.open("a")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ocpihub", "serve", "--port", str(self.port)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    async def ready(self) -> None:
        """Wait until /health answers."""
        deadline = time.monotonic() + 30
        async with aiohttp.ClientSession() as session:
            while True:
                assert self.proc.poll() is None, f"hub exited:\n{self.tail()}"
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"http://127.0.0.1:{self.port}/health") as r:
                        if r.status == 200:
                            return
                assert time.monotonic() < deadline, "hub did not start"
                await asyncio.sleep(0.1)

    def tail(self) -> str:
        """The end of this hub's log, for failure messages."""
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()[-3000:]

    def kill(self) -> None:
        """SIGKILL: no drain, no cleanup."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    async def terminate(self) -> int:
        """SIGTERM and wait for a clean exit; the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        while self.proc.poll() is None:
            assert time.monotonic() < deadline, f"hub did not stop on SIGTERM:\n{self.tail()}"
            await asyncio.sleep(0.05)
        return self.proc.returncode

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture
async def hubs(tmp_path: Path) -> AsyncIterator[Any]:
    """Start hub processes; all are killed at the end of the test."""
    started: list[HubProcess] = []

    async def start(database_url: str, **settings: str) -> HubProcess:
        hub = HubProcess(database_url, tmp_path / f"hub{len(started)}.log", **settings)
        started.append(hub)
        await hub.ready()
        return hub

    try:
        yield start
    finally:
        for hub in started:
            hub.close()


@pytest.fixture
def postgres_url() -> Any:
    """A fresh PostgreSQL database (this test needs several processes on one database)."""
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    url = create_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


async def slow_peer(start_peer: Any, delay: float) -> Peer:
    """A 2.3.0 eMSP that takes ``delay`` seconds to accept each location PUT."""
    peer: Peer = await start_peer("2.3.0", [("EMSP", "DE", "MSP")])

    async def slow(r: Received) -> tuple[int, Any]:
        await asyncio.sleep(delay)
        return 200, {"status_code": 1000, "timestamp": "2030-01-01T00:00:00Z"}

    peer.on("PUT", "locations", slow)
    return peer


def assert_in_order(peer: Peer, objects: list[str], count: int) -> int:
    """Every object's items arrived in order; returns how many were repeats."""
    got = seqs_by_object(peer.received)
    assert {k: without_repeats(v) for k, v in got.items()} == {
        f"NL/CPO/{o}": list(range(count)) for o in objects
    }
    return sum(len(v) for v in got.values()) - len(objects) * count


async def test_sigkill_mid_burst_then_restart_delivers_everything(
    hubs: Any, start_peer: Any, database_url: str
) -> None:
    """A hub killed with SIGKILL mid-burst, restarted on the same database, delivers it all."""
    peer = await slow_peer(start_peer, 0.01)
    pid = await connect_receiver(database_url, peer, "emsp")
    objects = [f"L{i}" for i in range(5)]
    await enqueue_all(database_url, [d for o in objects for d in location_puts(pid, o, range(40))])

    first = await hubs(database_url)
    await wait_until(
        lambda: asyncio.sleep(0, len(peer.of("locations")) >= 40), what="part of the burst"
    )
    first.kill()
    items = await outbox_items(database_url)
    assert any(i.status is not Status.DONE for i in items), "killed too late"

    second = await hubs(database_url)
    # the rest of the burst arrives while the restarted hub runs
    await enqueue_all(
        database_url, [d for o in objects for d in location_puts(pid, o, range(40, 50))]
    )

    async def all_done() -> bool:
        return all(i.status is Status.DONE for i in await outbox_items(database_url))

    await wait_until(all_done, timeout=60, what="every item DONE after the restart")
    repeats = assert_in_order(peer, objects, 50)
    assert repeats <= len(objects)  # at most the one in-flight item per object
    assert await second.terminate() in (0, -signal.SIGTERM), second.tail()


async def test_sigterm_drains_in_flight_deliveries(
    hubs: Any, start_peer: Any, database_url: str
) -> None:
    """SIGTERM lets deliveries in flight finish (bounded): none is left claimed."""
    peer = await slow_peer(start_peer, 0.3)
    pid = await connect_receiver(database_url, peer, "emsp")
    await enqueue_all(database_url, [d for o in "ABCD" for d in location_puts(pid, o, range(5))])
    hub = await hubs(database_url)
    await wait_until(
        lambda: asyncio.sleep(0, len(peer.of("locations")) >= 4), what="deliveries in flight"
    )

    assert await hub.terminate() in (0, -signal.SIGTERM), hub.tail()

    items = await outbox_items(database_url)
    assert not [i for i in items if i.status is Status.IN_FLIGHT]
    delivered = {(r.path.rsplit("/", 1)[1], r.body["seq"]) for r in peer.of("locations", "PUT")}
    done = {
        (i.delivery.url_suffix.rsplit("/", 1)[1], (i.delivery.payload or {})["seq"])
        for i in items
        if i.status is Status.DONE
    }
    assert done
    assert done <= delivered


async def test_two_processes_on_postgres_share_the_work(
    hubs: Any, start_peer: Any, postgres_url: str
) -> None:
    """Two hubs on one PostgreSQL deliver each item once in normal operation (one of them
    killed mid-delivery: tests/e2e/test_processes_killed.py)."""
    peer = await slow_peer(start_peer, 0.005)
    pid = await connect_receiver(postgres_url, peer, "emsp")
    await hubs(postgres_url)
    await hubs(postgres_url)
    objects = [f"L{i}" for i in range(8)]
    await enqueue_all(postgres_url, [d for o in objects for d in location_puts(pid, o, range(15))])

    async def all_done() -> bool:
        return all(i.status is Status.DONE for i in await outbox_items(postgres_url))

    await wait_until(all_done, timeout=60, what="first burst DONE")
    assert assert_in_order(peer, objects, 15) == 0  # exactly once in normal operation
