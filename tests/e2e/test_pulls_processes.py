"""One pull at a time per platform and module across hub processes (issue 19.2): two
`ocpihub serve` processes on one PostgreSQL database race for the same scheduled pulls and for
the same "pull now"; only one ever runs."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import orjson

from ocpihub.store.db import Database
from ocpihub.testing import Peer, payloads
from ocpihub.testing.sender_list import SenderList
from tests.e2e import test_outbox_processes as processes
from tests.e2e.test_outbox_processes import HubProcess
from tests.e2e.test_pulls import wait_for
from tests.support.connect import connect

hubs = processes.hubs  # fixtures: hub processes, a fresh PostgreSQL database
postgres_url = processes.postgres_url

ADMIN = {"Authorization": "Bearer admin-secret", "Content-Type": "application/json"}


async def admin(hub: HubProcess, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    url = f"http://127.0.0.1:{hub.port}/admin/api{path}"
    data = orjson.dumps(body) if body is not None else None
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, data=data, headers=ADMIN) as r,
    ):
        return r.status, orjson.loads(await r.read())


async def lister(start_peer: Any, postgres_url: str, hub: HubProcess) -> tuple[Peer, int]:
    """A CPO that lists 4 Tariffs on 2 slow pages (0.3 s each) and never pushes."""
    cpo: Peer = await start_peer("2.3.0", [("CPO", "NL", "CPO")], name="lister")
    listed = SenderList(page_size=2, delay=0.3)
    for n in range(4):
        listed.put(payloads.tariff("NL", "CPO", f"T{n}", 0.3))
    cpo.sender_lists["tariffs"] = listed
    db = Database(postgres_url)
    try:
        platform_id = await connect(db, cpo, f"http://127.0.0.1:{hub.port}/ocpi/versions")
    finally:
        await db.close()
    return cpo, platform_id


async def test_two_processes_never_run_the_same_pull_at_once(
    hubs: Any, start_peer: Any, postgres_url: str
) -> None:
    """Both processes see the delta due every 1.2 s and try to start it; the partner never
    serves two pages at once (each pull's pages come one after the other), and pulls keep
    happening one after another."""
    schedule = {"pull_delta_minutes": "0.02", "pull_full_hours": "0"}
    first = await hubs(postgres_url, **schedule)
    await hubs(postgres_url, **schedule)
    cpo, _ = await lister(start_peer, postgres_url, first)
    listed = cpo.sender_lists["tariffs"]

    def pulls() -> set[str]:
        return {g.header("x-correlation-id") or "" for g in cpo.of("tariffs", "GET")}

    await wait_for(lambda: len(pulls()) >= 5, timeout=60, what="five pulls")

    assert listed.most_at_once == 1
    pages = [
        sum(1 for g in cpo.of("tariffs", "GET") if g.header("x-correlation-id") == pull)
        for pull in pulls()
    ]
    # the first pull reads both pages, the deltas after it one (nothing changed); no page was
    # fetched by two processes for one pull
    assert max(pages) <= 2


async def test_pull_now_on_two_processes_at_once_runs_one(
    hubs: Any, start_peer: Any, postgres_url: str
) -> None:
    """ "Pull now" asked of both processes at the same moment: one answers 202, the other 409,
    and the partner sees one pull."""
    manual = {"pull_delta_minutes": "0", "pull_full_hours": "0"}
    first = await hubs(postgres_url, **manual)
    second = await hubs(postgres_url, **manual)
    cpo, platform_id = await lister(start_peer, postgres_url, first)
    path = f"/platforms/{platform_id}/pulls/tariffs/run"
    listed = cpo.sender_lists["tariffs"]
    listed.gate.clear()  # the pull that starts stays running until both have answered

    answers = await asyncio.gather(
        admin(first, "POST", path, {"full": True}), admin(second, "POST", path, {"full": True})
    )
    listed.gate.set()

    assert sorted(status for status, _ in answers) == [202, 409], answers
    refused = next(body for status, body in answers if status == 409)
    assert "running already" in refused["error"]

    async def finished() -> bool:
        _, rows = await admin(first, "GET", f"/platforms/{platform_id}/pulls?module=tariffs")
        return rows[0]["status"] == "OK"

    await wait_for(finished, timeout=30, what="the pull to finish")
    gets = cpo.of("tariffs", "GET")
    assert len(gets) == 2
    assert len({g.header("x-correlation-id") for g in gets}) == 1
    assert listed.most_at_once == 1


async def test_a_pull_whose_process_died_is_taken_over(
    hubs: Any, start_peer: Any, postgres_url: str
) -> None:
    """A process killed mid-pull leaves its lease; once it runs out another process runs the
    pull from the start and finishes it."""
    first = await hubs(
        postgres_url, pull_delta_minutes="0", pull_full_hours="0", pull_lease_seconds="2"
    )
    cpo, platform_id = await lister(start_peer, postgres_url, first)
    listed = cpo.sender_lists["tariffs"]
    listed.gate.clear()  # the first page is held until the first process is dead
    status, started = await admin(first, "POST", f"/platforms/{platform_id}/pulls/tariffs/run")
    assert status == 202
    await wait_for(lambda: cpo.of("tariffs", "GET"), what="the first page asked for")
    second = await hubs(postgres_url, pull_delta_minutes="0.02", pull_full_hours="0")
    first.kill()
    listed.gate.set()

    async def finished() -> Any:
        _, rows = await admin(second, "GET", f"/platforms/{platform_id}/pulls?module=tariffs")
        return rows[0] if rows[0]["status"] == "OK" else None

    done = await wait_for(finished, timeout=60, what="the pull finished by the other process")
    assert done["correlation_id"] != started["correlation_id"]
    assert (done["kind"], done["pages"], done["objects"]) == ("full", 2, 4)
