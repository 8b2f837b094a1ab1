"""Agreements and HubClientInfo: both sides learn of each other; OFFLINE and back; suspension."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ocpihub.ocpi.fields import parse
from ocpihub.ocpi.registry import model
from ocpihub.testing import Peer
from tests.e2e.conftest import RunningHub
from tests.support.connect import connect


async def infos(peer: Peer, want: int, timeout: float = 15) -> list[dict[str, Any]]:
    """The ClientInfo bodies ``peer`` received, once there are at least ``want``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        got = [r for r in peer.of("hubclientinfo", "PUT")]
        if len(got) >= want:
            for r in got:
                parse(model(peer.version, "ClientInfo"), r.body)
                assert "ocpi-to-country-code" not in r.headers  # configuration module
            return [dict(r.body, _path=r.path) for r in got]
        assert loop.time() < deadline, [r.body for r in got]
        await asyncio.sleep(0.05)


@pytest.fixture
async def pair(hub_factory: Any, start_peer: Any) -> dict[str, Any]:
    hub: RunningHub = await hub_factory(liveness_interval_seconds=0.2, liveness_failure_threshold=2)
    runtime = hub.app.state.runtime
    cpo = await start_peer("2.2.1", [("CPO", "NL", "CPO")], name="cpo")
    emsp = await start_peer("2.3.0", [("EMSP", "DE", "MSP")], name="emsp")
    old = await start_peer("2.1.1", [("EMSP", "BE", "OLD")], name="old")
    for peer in (cpo, emsp, old):
        await connect(runtime.db, peer, hub.versions_url)
    return {"hub": hub, "cpo": cpo, "emsp": emsp, "old": old}


async def test_agreement_tells_both_sides(pair: dict[str, Any]) -> None:
    """Adding an agreement pushes ClientInfo of each party to the other; 2.1.1 gets nothing."""
    hub: RunningHub = pair["hub"]
    status, created = await hub.admin("POST", "/agreements", {"parties": ["NL-CPO", "DE-MSP"]})
    assert status == 201
    (to_cpo,) = await infos(pair["cpo"], 1)
    assert (to_cpo["country_code"], to_cpo["party_id"], to_cpo["role"], to_cpo["status"]) == (
        "DE",
        "MSP",
        "EMSP",
        "CONNECTED",
    )
    assert to_cpo["_path"].endswith("/DE/MSP")
    (to_emsp,) = await infos(pair["emsp"], 1)
    assert (to_emsp["party_id"], to_emsp["status"]) == ("CPO", "CONNECTED")

    status, _ = await hub.admin("PATCH", f"/agreements/{created['id']}", {"status": "SUSPENDED"})
    assert status == 200
    assert (await infos(pair["cpo"], 2))[-1]["status"] == "SUSPENDED"
    assert (await infos(pair["emsp"], 2))[-1]["status"] == "SUSPENDED"

    status, _ = await hub.admin("POST", "/agreements", {"parties": ["NL-CPO", "BE-OLD"]})
    assert status == 201
    await asyncio.sleep(0.3)
    assert pair["old"].of("hubclientinfo") == []


async def test_sender_interface_lists_partners(pair: dict[str, Any]) -> None:
    """GET on the hub's hubclientinfo Sender lists the caller's partners only."""
    hub: RunningHub = pair["hub"]
    await hub.admin("POST", "/agreements", {"parties": ["NL-CPO", "DE-MSP"]})
    emsp: Peer = pair["emsp"]
    status, body, headers = await emsp.request("GET", emsp.hub_url("hubclientinfo", "SENDER"))
    assert status == 200
    assert [(i["country_code"], i["party_id"], i["status"]) for i in body["data"]] == [
        ("NL", "CPO", "CONNECTED")
    ]
    assert headers["X-Total-Count"] == "1"


async def test_offline_and_back(pair: dict[str, Any]) -> None:
    """A CPO that stops answering becomes OFFLINE for its partner, and CONNECTED when back."""
    hub: RunningHub = pair["hub"]
    await hub.admin("POST", "/agreements", {"parties": ["NL-CPO", "DE-MSP"]})
    emsp: Peer = pair["emsp"]
    await infos(emsp, 1)
    pair["cpo"].down = True
    assert (await infos(emsp, 2))[-1]["status"] == "OFFLINE"
    _status, parties = await hub.admin("GET", "/parties")
    assert {p["code"]: p["status"] for p in parties}["NL-CPO"] == "OFFLINE"
    pair["cpo"].down = False
    assert (await infos(emsp, 3))[-1]["status"] == "CONNECTED"


async def test_suspended_party_is_announced(pair: dict[str, Any]) -> None:
    """Suspending a party tells its partners SUSPENDED; resuming tells them CONNECTED."""
    hub: RunningHub = pair["hub"]
    await hub.admin("POST", "/agreements", {"parties": ["NL-CPO", "DE-MSP"]})
    cpo: Peer = pair["cpo"]
    await infos(cpo, 1)
    status, _ = await hub.admin("PATCH", "/parties/DE-MSP", {"status": "SUSPENDED"})
    assert status == 200
    assert (await infos(cpo, 2))[-1]["status"] == "SUSPENDED"
    await hub.admin("PATCH", "/parties/DE-MSP", {"status": "ACTIVE"})
    assert (await infos(cpo, 3))[-1]["status"] == "CONNECTED"
