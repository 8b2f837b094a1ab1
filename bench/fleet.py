"""The peers of a benchmark, in their own process: ``python -m bench.fleet`` (spec on stdin).

The spec is one JSON line: ``{"hub", "admin_token", "peers": [{"name", "version",
"parties": [[role, cc, pid]]}], "agreements": [["NL-CPO", "DE-M01"], ...]}``. The fleet serves
every peer (an :class:`ocpihub.testing.Peer`) on its own loopback port, adds each as a platform
through the admin API and lets it register over OCPI with its token A, adds the agreements, then
prints one JSON line: each peer's base URL, hub token, discovered hub endpoints and the token it
accepts from the hub, plus the URL of a small stats server. It serves until SIGTERM.

Peers answer real-time authorization with ALLOWED, commands with ACCEPTED, and remember when
each Location arrived (``GET /stats``: {peer: {location id: unix time}}; ``POST /reset``
forgets). What a Peer records of every request is cleared as it goes, so a long run does not
grow the fleet.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from collections import defaultdict
from typing import Any

import aiohttp
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.harness import free_port
from ocpihub.testing import Peer, Received

_OK = {"status_code": 1000, "timestamp": "2026-01-01T00:00:00Z"}
_ALLOWED = {**_OK, "data": {"allowed": "ALLOWED"}}
_TOKEN = {
    "type": "RFID",
    "issuer": "bench",
    "valid": True,
    "whitelist": "ALLOWED",
    "last_updated": "2026-01-01T00:00:00Z",
}
_ACCEPTED = {**_OK, "data": {"result": "ACCEPTED", "timeout": 30}}

arrivals: dict[str, dict[str, float]] = defaultdict(dict)


def _equip(peer: Peer) -> None:
    """Authorize answers and Location arrival times, without keeping every request."""

    def authorize(item: Received) -> tuple[int, Any]:
        peer.received.clear()
        if peer.version == "2.1.1":
            return 200, _ALLOWED
        # 2.2+ AuthorizationInfo names the token, as a spec-following eMSP's does
        uid = item.rest.strip("/").rsplit("/", 2)[-2]
        cc, pid = next((cc, pid) for role, cc, pid in peer.parties if role == "EMSP")
        token = {**_TOKEN, "country_code": cc, "party_id": pid, "uid": uid, "contract_id": uid}
        return 200, {**_OK, "data": {"allowed": "ALLOWED", "token": token}}

    def location(item: Received) -> tuple[int, Any]:
        peer.received.clear()
        # benchmarks push whole Locations only: the id is the last path segment
        loc_id = item.rest.strip("/").rsplit("/", 1)[-1]
        arrivals[peer.name].setdefault(loc_id, time.time())
        return 200, _OK

    def command(item: Received) -> tuple[int, Any]:
        peer.received.clear()
        return 200, _ACCEPTED

    peer.on("POST", "tokens", authorize)
    peer.on("POST", "commands", command)
    peer.on("PUT", "locations", location)
    peer.on("PATCH", "locations", location)


async def _stats(request: Request) -> Response:
    return Response(orjson.dumps(arrivals), media_type="application/json")


async def _reset(request: Request) -> Response:
    arrivals.clear()
    return Response(b"{}", media_type="application/json")


async def _serve(app: Any, port: int, servers: list[uvicorn.Server]) -> None:
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    servers.append(server)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)


async def _register(
    session: aiohttp.ClientSession, hub: str, token: str, peer: Peer
) -> dict[str, Any]:
    roles = [{"role": r, "country_code": cc, "party_id": pid} for r, cc, pid in peer.parties]
    headers = {"Authorization": f"Bearer {token}"}
    async with session.post(
        f"{hub}/admin/api/platforms", json={"name": peer.name, "roles": roles}, headers=headers
    ) as response:
        created = orjson.loads(await response.read())
        if response.status != 201:
            raise RuntimeError(f"adding {peer.name}: {response.status} {created}")
    status, body = await peer.register(created["versions_url"], created["token_a"])
    if status != 200:
        raise RuntimeError(f"{peer.name} could not register: {status} {body}")
    return {"platform_id": created.get("id")}


def _describe(peer: Peer, platform_id: Any) -> dict[str, Any]:
    """What the benchmark needs of a peer, read after the agreements: adding an agreement makes
    the hub update a 2.3.0 peer's credentials, so the tokens are only final then."""
    return {
        "base_url": peer.base_url,
        "hub_token": peer.hub_token,
        "accepted_token": sorted(peer.accepted_tokens)[-1],
        "accepted_tokens": sorted(peer.accepted_tokens),
        "hub_endpoints": {f"{m}|{r}": url for (m, r), url in peer.hub_endpoints.items()},
        "platform_id": platform_id,
    }


async def main() -> None:
    """Read the spec, serve and register the peers, print the ready line, serve until told."""
    spec = orjson.loads(sys.stdin.readline())
    hub, token = spec["hub"], spec["admin_token"]
    servers: list[uvicorn.Server] = []
    peers: list[Peer] = []
    for item in spec["peers"]:
        peer = Peer(
            version=item["version"],
            parties=[(r, cc, pid) for r, cc, pid in item["parties"]],
            name=item["name"],
        )
        port = free_port()
        peer.base_url = f"http://127.0.0.1:{port}"
        _equip(peer)
        await _serve(peer.app, port, servers)
        peers.append(peer)
    stats_port = free_port()
    stats = Starlette(routes=[Route("/stats", _stats), Route("/reset", _reset, methods=["POST"])])
    await _serve(stats, stats_port, servers)
    created: dict[str, dict[str, Any]] = {}
    async with aiohttp.ClientSession() as session:
        for peer in peers:
            created[peer.name] = await _register(session, hub, token, peer)
        for parties in spec["agreements"]:
            async with session.post(
                f"{hub}/admin/api/agreements",
                json={"parties": parties},
                headers={"Authorization": f"Bearer {token}"},
            ) as response:
                if response.status != 201:
                    raise RuntimeError(f"agreement {parties}: {await response.text()}")
    out = {peer.name: _describe(peer, created[peer.name]["platform_id"]) for peer in peers}
    for peer in peers:
        peer.received.clear()
    print(orjson.dumps({"stats_url": f"http://127.0.0.1:{stats_port}", "peers": out}).decode())
    sys.stdout.flush()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for server in servers:
        server.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.sleep(0.3)


if __name__ == "__main__":
    asyncio.run(main())
