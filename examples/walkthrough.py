"""The README walkthrough, end to end: a CPO and an eMSP connect to a running hub and roam.

Start the hub first (``make run``), then, in another terminal::

    OCPIHUB_ADMIN_TOKEN=<the admin token make run printed> .venv/bin/python examples/walkthrough.py

Two small simulated partner platforms (``ocpihub.testing.Peer``) start on free loopback ports: a
2.3.0 CPO (party XX-WCP) and a 2.1.1 eMSP (XX-WMS). The script adds both platforms through the
admin API, lets each register with its token A exactly as a real platform would, agrees that the
two may exchange data, pushes a Location from the CPO, and shows what the eMSP received —
translated to OCPI 2.1.1 by the hub.

Its parties are its own: the README's NL-CPO and DE-MSP stay free for the operator's platforms.
The two platforms it adds stay on the hub afterwards, to be looked at (``ocpihub platform list``,
the console); the next run removes them first (as ``ocpihub platform remove --force`` would) and
adds them afresh, so it can be run any number of times.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

import aiohttp

from ocpihub.testing import Peer
from ocpihub.testing.serving import serve_app

HUB = os.environ.get("OCPIHUB_PUBLIC_URL", "http://127.0.0.1:8080").rstrip("/")
ADMIN = os.environ.get("OCPIHUB_ADMIN_TOKEN")

CPO = ("Walkthrough CPO", "2.3.0", ("CPO", "XX", "WCP"))
EMSP = ("Walkthrough eMSP", "2.1.1", ("EMSP", "XX", "WMS"))

LOCATION = {
    "country_code": "XX",
    "party_id": "WCP",
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


class Refused(Exception):
    """The hub's admin API refused a call; the message says what it answered."""


async def admin(method: str, path: str, body: object = None) -> Any:
    """Call the hub's admin API; its JSON answer, or :class:`Refused`."""
    headers = {"Authorization": f"Bearer {ADMIN}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, f"{HUB}/admin/api{path}", json=body, headers=headers) as response,
    ):
        payload = await response.json(content_type=None)
        if response.status >= 300:
            raise Refused(f"admin API {method} {path}: HTTP {response.status} {payload}")
        return payload


async def remove_earlier_run() -> None:
    """Remove the platforms an earlier run left (its partners are gone with that run)."""
    ours = {CPO[0], EMSP[0]}
    for platform in await admin("GET", "/platforms"):
        if platform["name"] in ours:
            done = await admin("DELETE", f"/platforms/{platform['id']}?force=true")
            print(
                f"0. removed {platform['name']!r} left by an earlier run "
                f"({done['dead_lettered']} queued deliveries moved to the dead-letter list)"
            )


async def add_and_register(peer: Peer, role: tuple[str, str, str]) -> None:
    """Steps 1 and 2: the operator adds the platform; the partner registers with its token A."""
    r, cc, pid = role
    created = await admin(
        "POST",
        "/platforms",
        {"name": peer.name, "roles": [{"role": r, "country_code": cc, "party_id": pid}]},
    )
    print(f"1. platform {peer.name!r} ({r} {cc}-{pid}) added; token A {created['token_a'][:8]}...")
    status, body = await peer.register(created["versions_url"], created["token_a"])
    if status != 200 or body.get("status_code") != 1000:
        raise Refused(f"{peer.name} could not register: HTTP {status} {body}")
    print(f"2. {peer.name} registered over OCPI {peer.version}: HTTP {status}, OCPI 1000")


async def walk(cpo: Peer, emsp: Peer) -> bool:
    """Steps 1 to 4 against the hub; whether the eMSP received the Location."""
    await remove_earlier_run()
    await add_and_register(cpo, CPO[2])
    await add_and_register(emsp, EMSP[2])
    codes = [f"{cc}-{pid}" for _, cc, pid in (CPO[2], EMSP[2])]
    await admin("POST", "/agreements", {"parties": codes})
    print(f"3. agreement {codes[0]} <-> {codes[1]} added")
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/XX/WCP/LOC1"
    status, _, _ = await cpo.request("PUT", url, json=LOCATION)
    print(f"4. the CPO pushed Location LOC1 (OCPI 2.3.0): HTTP {status}")
    for _ in range(100):
        got = emsp.of("locations", "PUT")
        if got:
            print("5. the eMSP received, in OCPI 2.1.1:")
            print(json.dumps(got[0].body, indent=2))
            return True
        await asyncio.sleep(0.1)
    print("5. nothing arrived at the eMSP; see `ocpihub outbox list`")
    return False


async def main() -> int:
    """Start the two partners, walk through the steps, stop the partners; the exit code."""
    cpo = Peer(version=CPO[1], parties=[CPO[2]], name=CPO[0])
    emsp = Peer(version=EMSP[1], parties=[EMSP[2]], name=EMSP[0])
    async with serve_app(cpo.app) as cpo.base_url, serve_app(emsp.app) as emsp.base_url:
        try:
            received = await walk(cpo, emsp)
        except (Refused, aiohttp.ClientError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print(
        f"The platforms {CPO[0]!r} and {EMSP[0]!r} stay on the hub (ocpihub platform list); "
        "the next run replaces them."
    )
    return 0 if received else 1


if __name__ == "__main__":
    if not ADMIN:
        sys.exit("set OCPIHUB_ADMIN_TOKEN to the admin token `make run` printed")
    sys.exit(asyncio.run(main()))
