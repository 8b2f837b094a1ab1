"""Takeover after a crash (issue 16.4): SIGKILL a hub with claimed items, time their redelivery.

    .venv/bin/python -m bench.takeover [--objects 16] [--lease 6] [--backend sqlite postgres]

A receiver (an :class:`ocpihub.testing.Peer` in this process) holds every first delivery open,
so the hub has ``--objects`` items claimed and in flight, each with a second update of its
object queued behind it. The hub is then killed with SIGKILL and the time is taken from the
kill until every claimed item has arrived again, and until the updates behind them arrived
(their per-object queues flowed again), in three ways:

- ``restart``: the hub is started again on the same machine (SQLite and PostgreSQL): it finds
  its predecessor's heartbeat row with a dead pid and releases the claims at once; the figure
  includes the process start;
- ``survivor``: a second hub on the same machine was running all along (PostgreSQL): it
  notices the dead worker at its next heartbeat (every third of a lease);
- ``elsewhere``: the second hub runs under another host name (``unshare --uts``, needs root;
  PostgreSQL), as on another machine: it cannot see the dead pid and waits for the leases,
  no longer renewed, to run out.

Printed against the lease (``OCPIHUB_OUTBOX_LEASE_SECONDS``). Goal (issue 16.4): under 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import time
from collections import defaultdict
from typing import Any

from bench import harness
from ocpihub.model.parties import ConnectionStatus, Endpoint, PlatformStatus
from ocpihub.outbox.enqueue import Delivery, enqueue, ordering_key
from ocpihub.store import platforms as plat
from ocpihub.store.db import Database
from ocpihub.store.migrate import migrate
from ocpihub.testing import Peer, Received
from tests.support.servers import run_server

CPO = ("NL", "CPO")
EMSP = ("EMSP", "DE", "MSP")
OK = {"status_code": 1000, "timestamp": "2026-01-01T00:00:00Z"}
ELSEWHERE = ["unshare", "--uts", "sh", "-c", 'hostname ocpihub-elsewhere && exec "$@"', "sh"]


class Receiver:
    """Holds each object's first delivery open; notes when every delivery arrives."""

    def __init__(self) -> None:
        self.peer = Peer(version="2.3.0", parties=[EMSP])
        self.arrivals: dict[tuple[str, int], list[float]] = defaultdict(list)
        self.release = asyncio.Event()
        self.peer.on("PUT", "locations", self._put)

    async def _put(self, r: Received) -> tuple[int, Any]:
        self.peer.received.clear()
        key = (r.path.rsplit("/", 1)[1], int(r.body["seq"]))
        self.arrivals[key].append(time.time())
        if key[1] == 0 and len(self.arrivals[key]) == 1:
            await self.release.wait()  # the claiming hub dies meanwhile
        return 200, OK

    def count(self, seq: int, times: int) -> int:
        """Items of ``seq`` that arrived at least ``times`` times."""
        return sum(1 for (_, s), t in self.arrivals.items() if s == seq and len(t) >= times)

    def last(self, seq: int, nth: int) -> float:
        """When the last item of ``seq`` arrived for the ``nth`` time."""
        return max(t[nth - 1] for (_, s), t in self.arrivals.items() if s == seq)


async def setup(database_url: str, receiver: Receiver, objects: int) -> None:
    """The receiver as a registered platform; two updates of each object queued for it."""
    peer = receiver.peer
    db = Database(database_url)
    try:
        await migrate(db)
        async with db.write() as conn:
            p = await plat.create_platform(conn, "receiver")
            await plat.update_platform(
                conn,
                p.id,
                status=PlatformStatus.REGISTERED,
                version=peer.version,
                versions_url=peer.versions_url,
                outbound_token=peer.issue_token(),
            )
            assert peer.modules is not None
            await plat.replace_endpoints(
                conn, p.id, [Endpoint(m, r, peer.module_url(m, r)) for m, r in peer.modules]
            )
            await plat.upsert_party(
                conn,
                p.id,
                country_code=EMSP[1],
                party_id=EMSP[2],
                role=EMSP[0],
                status=ConnectionStatus.CONNECTED,
            )
            await enqueue(
                conn,
                [
                    Delivery(
                        receiver_platform_id=p.id,
                        receiver_party=(EMSP[1], EMSP[2]),
                        sender_party=CPO,
                        module="locations",
                        method="PUT",
                        url_suffix=f"/NL/CPO/T{n}",
                        ordering_key=ordering_key("locations", *CPO, f"T{n}"),
                        correlation_id=f"takeover-{n}-{seq}",
                        object_name="Location",
                        original={"id": f"T{n}", "seq": seq},
                        original_version="2.3.0",
                    )
                    for seq in (0, 1)
                    for n in range(objects)
                ],
            )
    finally:
        await db.close()


async def until(check: Any, within: float) -> None:
    """Wait until ``check()`` holds (or fail after ``within`` seconds)."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        await asyncio.sleep(0.01)


async def scenario(backend: str, way: str, objects: int, lease: float) -> dict[str, Any]:
    """One kill and its takeover; seconds from the kill to redelivery and to the queue behind."""
    settings: Any = {
        "outbox_lease_seconds": str(lease),
        "request_timeout": "120",
        "outbox_receiver_concurrency": str(objects),
        "outbox_poll_interval": "1",
    }
    receiver = Receiver()
    async with contextlib.AsyncExitStack() as stack:
        receiver.peer.base_url = await stack.enter_async_context(run_server(receiver.peer.app))
        stack.callback(receiver.release.set)
        db_url = await stack.enter_async_context(harness.database(backend))
        await setup(db_url, receiver, objects)
        first = await stack.enter_async_context(harness.hub(db_url, **settings))
        await until(lambda: receiver.count(0, 1) == objects, 60)
        if way != "restart":
            prefix = ELSEWHERE if way == "elsewhere" else []
            await stack.enter_async_context(harness.hub(db_url, prefix=prefix, **settings))
            await asyncio.sleep(lease)  # the survivor's heartbeat is running
        killed = time.time()
        first.popen.kill()
        first.popen.wait()
        started = killed
        if way == "restart":
            await stack.enter_async_context(harness.hub(db_url, **settings))
            started = time.time()
        await until(lambda: receiver.count(1, 1) == objects, 120)
        redelivered = receiver.last(0, 2) - killed
        behind = receiver.last(1, 1) - killed
        repeats = sum(len(t) for t in receiver.arrivals.values()) - 2 * objects
    return {
        "backend": backend,
        "way": way,
        "objects": objects,
        "lease_s": lease,
        "process_start_s": round(started - killed, 2),
        "redelivered_s": round(redelivered, 2),
        "queue_behind_s": round(behind, 2),
        "repeats": repeats,
        "loadavg": os.getloadavg()[0],
    }


async def bench(backends: list[str], objects: int, lease: float) -> dict[str, Any]:
    """Every way on every backend it applies to; prints the table."""
    runs = []
    for backend in backends:
        ways = ["restart"] if backend == "sqlite" else ["restart", "survivor", "elsewhere"]
        if os.geteuid() != 0 or shutil.which("unshare") is None:
            ways = [w for w in ways if w != "elsewhere"]
        for way in ways:
            runs.append(await scenario(backend, way, objects, lease))
            print(f"  {runs[-1]}")
    rows = [
        [
            r["backend"],
            r["way"],
            r["lease_s"],
            r["process_start_s"],
            r["redelivered_s"],
            r["redelivered_s"] / r["lease_s"],
            r["queue_behind_s"],
            r["repeats"],
            round(r["loadavg"], 2),
        ]
        for r in runs
    ]
    print()
    print(
        harness.table(
            [
                "backend",
                "takeover",
                "lease s",
                "start s",
                "redeliv s",
                "x lease",
                "behind s",
                "repeats",
                "load",
            ],
            rows,
        )
    )
    return {"objects": objects, "lease": lease, "results": runs}


def main() -> None:
    """Parse flags, run, print, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=16, help="items in flight at the kill")
    parser.add_argument("--lease", type=float, default=6.0, help="OCPIHUB_OUTBOX_LEASE_SECONDS")
    parser.add_argument(
        "--backend",
        nargs="+",
        choices=["sqlite", "postgres"],
        default=["sqlite", "postgres"] if os.environ.get(harness.PG_ENV) else ["sqlite"],
    )
    args = parser.parse_args()
    results = asyncio.run(bench(args.backend, args.objects, args.lease))
    print(f"\nwrote {harness.write_results('takeover', results)}")


if __name__ == "__main__":
    main()
