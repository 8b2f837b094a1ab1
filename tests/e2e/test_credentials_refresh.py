"""2.3.0 partners get a credentials PUT listing the parties an agreement made reachable."""

from __future__ import annotations

import asyncio
from typing import Any

from ocpihub.testing import Peer
from tests.e2e.conftest import RunningHub


async def puts(peer: Peer, want: int, timeout: float = 15) -> list[Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(peer.of("credentials", "PUT")) < want:
        assert loop.time() < deadline, [(r.method, r.path) for r in peer.received]
        await asyncio.sleep(0.05)
    return peer.of("credentials", "PUT")


async def register(hub: RunningHub, peer: Peer, role: str) -> None:
    _, cc, pid = peer.parties[0]
    created = await hub.add_platform(
        peer.name, roles=[{"role": role, "country_code": cc, "party_id": pid}]
    )
    status, body = await peer.register(created["versions_url"], created["token_a"])
    assert status == 200, body


async def test_agreement_refreshes_230_credentials(hub: RunningHub, start_peer: Any) -> None:
    """Adding an agreement PUTs the 2.3.0 CPO new credentials whose roles name the new eMSP;
    suspending it PUTs them again without; tokens rotate with one update of overlap; a 2.2.1
    partner gets no PUT (HUB role only)."""
    cpo = await start_peer("2.3.0", [("CPO", "NL", "CPO")], name="cpo")
    emsp = await start_peer("2.2.1", [("EMSP", "DE", "MSP")], name="emsp")
    await register(hub, cpo, "CPO")
    await register(hub, emsp, "EMSP")
    roles = [(r["role"], r["country_code"], r["party_id"]) for r in cpo.hub_credentials["roles"]]
    assert ("EMSP", "DE", "MSP") not in roles
    old_hub_token = cpo.hub_token

    status, agreement = await hub.admin("POST", "/agreements", {"parties": ["NL-CPO", "DE-MSP"]})
    assert status == 201
    (put,) = await puts(cpo, 1)
    assert put.body["hub_party_id"] == "NLHUB"
    roles = [(r["role"], r["country_code"], r["party_id"]) for r in put.body["roles"]]
    assert ("EMSP", "DE", "MSP") in roles
    assert cpo.hub_token == put.body["token"] != old_hub_token

    # the CPO's new token works; the previous one too, until the next update
    status, _, _ = await cpo.request("GET", hub.versions_url)
    assert status == 200
    status, _, _ = await cpo.request("GET", hub.versions_url, token=old_hub_token)
    assert status == 200
    status, _ = await hub.admin("PATCH", f"/agreements/{agreement['id']}", {"status": "SUSPENDED"})
    assert status == 200
    second = (await puts(cpo, 2))[-1]
    roles = [(r["role"], r["country_code"], r["party_id"]) for r in second.body["roles"]]
    assert ("EMSP", "DE", "MSP") not in roles
    status, _, _ = await cpo.request("GET", hub.versions_url, token=old_hub_token)
    assert status == 401
    status, _, _ = await cpo.request("GET", hub.versions_url)
    assert status == 200
    # the hub uses the CPO's new token to call it (ClientInfo arrives accepted)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while not cpo.of("hubclientinfo", "PUT"):
        assert loop.time() < deadline
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    assert emsp.of("credentials", "PUT") == []
