"""The traffic log holds every acknowledged write, even through a SIGKILL.

A real `ocpihub serve` process takes a burst of Location pushes and is killed with SIGKILL while
they still arrive: every push it acknowledged has its IN entry in the traffic log.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp
from sqlalchemy import select

from ocpihub.model.outbox import Status
from ocpihub.store.db import Database
from ocpihub.store.schema import outbox, traffic
from ocpihub.testing import Peer
from tests.e2e.conftest import RunningHub  # noqa: F401
from tests.e2e.test_locations import location
from tests.e2e.test_outbox import FAST, connect_receiver, enqueue_all, location_puts, wait_until
from tests.e2e.test_outbox_processes import hubs  # noqa: F401 - the fixture
from tests.support.connect import connect

PUSHES = 400
ACKED_BEFORE_KILL = 150


async def test_acknowledged_pushes_logged_through_sigkill(
    hubs: Any,  # noqa: F811
    start_peer: Any,
    database_url: str,
) -> None:
    """SIGKILL mid-burst: every push answered 1000 has its IN row (with its request id)."""
    hub = await hubs(database_url)
    cpo: Peer = await start_peer("2.3.0", [("CPO", "NL", "CPO")], name="cpo")
    db = Database(database_url)
    try:
        await connect(db, cpo, f"http://127.0.0.1:{hub.port}/ocpi/versions")
        base = cpo.hub_url("locations", "RECEIVER")
        acked: list[str] = []
        enough = asyncio.Event()
        gate = asyncio.Semaphore(16)

        async def push(i: int) -> None:
            loc = location()
            loc["id"] = f"LOC{i}"
            loc["party_id"] = "CPO"
            rid = f"burst-{i}"
            async with gate:
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    status, body, _ = await cpo.request(
                        "PUT", f"{base}/NL/CPO/{loc['id']}", json=loc, headers={"X-Request-ID": rid}
                    )
                    if status in (200, 201) and body["status_code"] == 1000:
                        acked.append(rid)
                        if len(acked) >= ACKED_BEFORE_KILL:
                            enough.set()

        burst = [asyncio.create_task(push(i)) for i in range(PUSHES)]
        await asyncio.wait_for(enough.wait(), timeout=120)
        hub.kill()
        await asyncio.gather(*burst)
        assert len(acked) < PUSHES, "the burst ended before the kill"

        async with db.read() as conn:
            rows = await conn.execute(
                select(traffic.c.request_id).where(
                    traffic.c.direction == "IN", traffic.c.module == "locations"
                )
            )
            logged = {r for (r,) in rows.all()}
        missing = sorted(set(acked) - logged)
        assert missing == [], f"{len(missing)} of {len(acked)} acknowledged pushes not logged"
    finally:
        await db.close()


async def test_written_entries_are_completed_once(hub: Any, start_peer: Any) -> None:
    """A push that wrote gets one IN entry, completed with its answer; a refused push (its
    transaction rolled back) and a GET get theirs the ordinary way, once each."""
    cpo: Peer = await start_peer("2.3.0", [("CPO", "NL", "CPO")], name="cpo")
    runtime = hub.app.state.runtime
    await connect(runtime.db, cpo, hub.versions_url)
    base = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/CPO"
    loc = location()
    loc["party_id"] = "CPO"
    calls = [
        ("PUT", f"{base}/{loc['id']}", loc, "put-1", (201, 1000)),
        (
            "PATCH",
            f"{base}/NOPE",
            {"name": "x", "last_updated": loc["last_updated"]},
            "patch-unknown",
            (404, 2003),
        ),
        ("GET", f"{base}/{loc['id']}", None, "get-1", (200, 1000)),
    ]
    for method, url, body, rid, _ in calls:
        await cpo.request(method, url, json=body, headers={"X-Request-ID": rid})
    await hub.app.state.traffic.flush()
    async with runtime.db.read() as conn:
        rows = (
            await conn.execute(
                select(traffic.c.request_id, traffic.c.http_status, traffic.c.ocpi_status).where(
                    traffic.c.direction == "IN", traffic.c.request_id.in_([c[3] for c in calls])
                )
            )
        ).all()
    assert sorted(rows) == sorted((rid, *want) for _, _, _, rid, want in calls)


async def test_delivery_entries_commit_with_their_outcome(
    hub_factory: Any, start_peer: Any, database_url: str
) -> None:
    """A delivery's OUT entry is written with its outbox outcome: once the items are DONE,
    their entries are there, without waiting for the batched log writer."""
    hub = await hub_factory(**FAST)
    peer = await start_peer("2.3.0", [("EMSP", "DE", "MSP")])
    pid = await connect_receiver(database_url, peer, "emsp")
    ids = await enqueue_all(database_url, location_puts(pid, "L1", range(5)))

    async def logged_when_done() -> bool:
        # one transaction reads both: an item DONE has its entry, or the check fails
        async with hub.app.state.runtime.db.read() as conn:
            done = (
                await conn.execute(select(outbox.c.id).where(outbox.c.status == Status.DONE.value))
            ).all()
            logged = (
                await conn.execute(select(traffic.c.outbox_id).where(traffic.c.direction == "OUT"))
            ).all()
        assert {i for (i,) in done} <= {i for (i,) in logged}
        return len(done) == len(ids)

    await wait_until(logged_when_done, what="every delivery DONE")
