"""Command results under the outbox's guarantee: a hub killed while it relays a CPO's result
to the eMSP delivers it after its restart (the result was acknowledged, so it is owed)."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any

import aiohttp

from ocpihub.store.db import Database
from ocpihub.store.objects import ObjectKey, put_object
from ocpihub.testing import Peer, Received
from tests.e2e.test_commands import callbacks, command_body
from tests.e2e.test_outbox_processes import HubProcess, hubs
from tests.support.connect import connect

__all__ = ["hubs"]  # the fixture

CPO = ("NL", "CPO")
EMSP = ("DE", "MSP")
SETTINGS = {"directory_cache_seconds": "0", "outbox_lease_seconds": "60"}


async def roaming_pair(database_url: str, hub: HubProcess, start_peer: Any) -> tuple[Peer, Peer]:
    """A 2.3.0 CPO with a stored Location LOC1 and a 2.2.1 eMSP, agreed, on ``hub``."""
    cpo: Peer = await start_peer("2.3.0", [("CPO", *CPO)], name="cpo")
    emsp: Peer = await start_peer("2.2.1", [("EMSP", *EMSP)], name="emsp")
    versions_url = f"http://127.0.0.1:{hub.port}/ocpi/versions"
    db = Database(database_url)
    try:
        for peer in (cpo, emsp):
            await connect(db, peer, versions_url)
        async with db.write() as conn:
            await put_object(
                conn,
                ObjectKey.of("locations", *CPO, "LOC1"),
                document={"id": "LOC1", "country_code": CPO[0], "party_id": CPO[1]},
                last_updated=datetime.now(UTC),
                source_version="2.3.0",
            )
    finally:
        await db.close()
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"http://127.0.0.1:{hub.port}/admin/api/agreements",
            json={"parties": ["-".join(CPO), "-".join(EMSP)]},
            headers={"Authorization": "Bearer admin-secret"},
        ) as r,
    ):
        assert r.status == 201, await r.text()
    return cpo, emsp


async def test_result_relay_survives_a_sigkill(
    hubs: Any, start_peer: Any, database_url: str
) -> None:
    """The hub is SIGKILLed while the CPO's CommandResult is on its way to the eMSP; after the
    restart the eMSP receives it (the CPO, if it got no answer, posts it again)."""
    first = await hubs(database_url, **SETTINGS)
    cpo, emsp = await roaming_pair(database_url, first, start_peer)
    relaying, test_over = asyncio.Event(), asyncio.Event()

    async def emsp_results(r: Received) -> tuple[int, Any]:
        if not relaying.is_set():
            relaying.set()
            await test_over.wait()  # the first relay hangs until the hub is gone
        return 200, {"status_code": 1000, "timestamp": "2030-01-01T00:00:00Z"}

    emsp.on("POST", "commands", emsp_results)
    response_url = f"{emsp.module_url('commands', 'SENDER')}/cb/start"
    body = command_body("START_SESSION", "2.2.1", "2.3.0", response_url, location_id="LOC1")
    url = f"{emsp.hub_url('commands', 'RECEIVER')}/START_SESSION"
    status, answer, _ = await emsp.request("POST", url, json=body)
    assert status == 200 and answer["data"]["result"] == "ACCEPTED", answer
    (command,) = cpo.of("commands", "POST")
    callback = command.body["response_url"]
    posted = asyncio.create_task(cpo.request("POST", callback, json={"result": "ACCEPTED"}))
    try:
        await asyncio.wait_for(relaying.wait(), timeout=30)
        first.kill()
        acknowledged = False
        with contextlib.suppress(aiohttp.ClientError):
            status, ack, _ = await asyncio.wait_for(posted, timeout=30)
            acknowledged = status == 200 and ack["status_code"] == 1000
        second = await hubs(database_url, **SETTINGS)
        if not acknowledged:  # a CPO that got no answer posts again (same URL, new process)
            again = callback.replace(f":{first.port}/", f":{second.port}/")
            await cpo.request("POST", again, json={"result": "ACCEPTED"})

        deadline = asyncio.get_running_loop().time() + 30
        while len(callbacks(emsp, "start")) < 2:
            assert asyncio.get_running_loop().time() < deadline, "the result never came again"
            await asyncio.sleep(0.05)
    finally:
        test_over.set()
    results = callbacks(emsp, "start")
    assert {r.body["result"] for r in results} == {"ACCEPTED"}
    assert results[-1].header("ocpi-from-party-id") == CPO[1]
