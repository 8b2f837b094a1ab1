"""The README walkthrough, end to end: a CPO and an eMSP connect to a running hub and roam.

Start the hub first (``make run``), then, in another terminal::

    OCPIHUB_ADMIN_TOKEN=<the admin token make run printed> .venv/bin/python examples/walkthrough.py

Two small simulated partner platforms (``ocpihub.testing.Peer``) start on loopback ports: a
2.3.0 CPO (NL-CPO) and a 2.1.1 eMSP (DE-MSP). The script adds both platforms through the admin
API, lets each register with its token A exactly as a real platform would, agrees that the two
may exchange data, pushes a Location from the CPO, and shows what the eMSP received — translated
to OCPI 2.1.1 by the hub.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

import aiohttp
import uvicorn

from ocpihub.testing import Peer

HUB = os.environ.get("OCPIHUB_PUBLIC_URL", "http://127.0.0.1:8080")
ADMIN = os.environ.get("OCPIHUB_ADMIN_TOKEN")

LOCATION = {
    "country_code": "NL",
    "party_id": "CPO",
    "id": "LOC1",
    "publish": True,
    "name": "Gent Zuid",
    "address": "F.Rooseveltlaan 3A",
    "city": "Gent",
    "postal_code": "9000",
    "country": "BEL",
    "coordinates": {"latitude": "51.047599", "longitude": "3.729944"},
    "parking_type": "ON_STREET",
    "evses": [
        {
            "uid": "3256",
            "evse_id": "BE*BEC*E041503001",
            "status": "AVAILABLE",
            "connectors": [
                {
                    "id": "1",
                    "standard": "IEC_62196_T2",
                    "format": "SOCKET",
                    "power_type": "AC_3_PHASE",
                    "max_voltage": 220,
                    "max_amperage": 16,
                    "last_updated": "2024-01-01T10:00:00Z",
                }
            ],
            "last_updated": "2024-01-01T10:00:00Z",
        }
    ],
    "time_zone": "Europe/Brussels",
    "last_updated": "2024-01-01T10:00:00Z",
}


async def admin(method: str, path: str, body: object = None) -> object:
    headers = {"Authorization": f"Bearer {ADMIN}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, f"{HUB}/admin/api{path}", json=body, headers=headers) as response,
    ):
        payload = await response.json()
        if response.status >= 300:
            sys.exit(f"admin API {method} {path}: {response.status} {payload}")
        return payload


async def serve(peer: Peer, port: int) -> uvicorn.Server:
    server = uvicorn.Server(
        uvicorn.Config(peer.app, host="127.0.0.1", port=port, log_level="warning")
    )
    asyncio.get_running_loop().create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no started event
        await asyncio.sleep(0.05)
    peer.base_url = f"http://127.0.0.1:{port}"
    return server


async def main() -> None:
    if not ADMIN:
        sys.exit("set OCPIHUB_ADMIN_TOKEN to the admin token `make run` printed")
    cpo = Peer(version="2.3.0", parties=[("CPO", "NL", "CPO")], name="Demo CPO")
    emsp = Peer(version="2.1.1", parties=[("EMSP", "DE", "MSP")], name="Demo eMSP")
    servers = [await serve(cpo, 8181), await serve(emsp, 8182)]
    try:
        for peer, role in ((cpo, "CPO:NL:CPO"), (emsp, "EMSP:DE:MSP")):
            r, cc, pid = role.split(":")
            created = await admin(
                "POST",
                "/platforms",
                {"name": peer.name, "roles": [{"role": r, "country_code": cc, "party_id": pid}]},
            )
            assert isinstance(created, dict)
            print(f"1. platform {peer.name!r} added; token A {created['token_a'][:8]}...")
            status, body = await peer.register(created["versions_url"], created["token_a"])
            print(
                f"2. {peer.name} registered over OCPI {peer.version}: HTTP {status}, "
                f"OCPI {body['status_code']}"
            )
        await admin("POST", "/agreements", {"parties": ["NL-CPO", "DE-MSP"]})
        print("3. agreement NL-CPO <-> DE-MSP added")
        url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/CPO/LOC1"
        status, body, _ = await cpo.request("PUT", url, json=LOCATION)
        print(f"4. the CPO pushed Location LOC1 (OCPI 2.3.0): HTTP {status}")
        for _ in range(100):
            got = emsp.of("locations", "PUT")
            if got:
                print("5. the eMSP received, in OCPI 2.1.1:")
                print(json.dumps(got[0].body, indent=2))
                break
            await asyncio.sleep(0.1)
        else:
            print("5. nothing arrived at the eMSP; see `ocpihub outbox list`")
    finally:
        for server in servers:
            server.should_exit = True
        await asyncio.sleep(0.2)


if __name__ == "__main__":
    asyncio.run(main())
