"""A new agreement: each side receives, through the outbox, the stored objects it may now see."""

from __future__ import annotations

import asyncio
from typing import Any

from ocpihub.ocpi.fields import parse
from ocpihub.ocpi.registry import model
from ocpihub.testing import Peer
from tests.e2e.conftest import RunningHub
from tests.examples import load_example
from tests.support.connect import connect


async def received(peer: Peer, module: str, want: int, timeout: float = 15) -> list[Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(peer.of(module, "PUT")) < want:
        assert loop.time() < deadline, [r.path for r in peer.received]
        await asyncio.sleep(0.05)
    return peer.of(module, "PUT")


async def test_new_partner_receives_stored_objects(hub: RunningHub, start_peer: Any) -> None:
    """Locations and Tariffs pushed before the agreement reach the eMSP once it exists; the
    eMSP's Tokens reach the CPO; each in the receiver's version."""
    runtime = hub.app.state.runtime
    cpo = await start_peer("2.3.0", [("CPO", "NL", "ALF")], name="cpo")
    emsp = await start_peer("2.2.1", [("EMSP", "DE", "MSP")], name="emsp")
    for peer in (cpo, emsp):
        await connect(runtime.db, peer, hub.versions_url)
    location = load_example("2.3.0", "location_example_uc2_destination_charger.json")
    tariff = load_example("2.3.0", "tariff_1_simple_2hour.json")
    tariff.update(country_code="NL", party_id="ALF")
    token = load_example("2.2.1", "token_example_2_full_rfid.json")
    token.update(country_code="DE", party_id="MSP")
    loc_url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/ALF/{location['id']}"
    assert (await cpo.request("PUT", loc_url, json=location))[0] == 201
    tariff_url = f"{cpo.hub_url('tariffs', 'RECEIVER')}/NL/ALF/{tariff['id']}"
    status, body, _ = await cpo.request("PUT", tariff_url, json=tariff)
    assert status in (200, 201), body
    token_url = f"{emsp.hub_url('tokens', 'RECEIVER')}/DE/MSP/{token['uid']}"
    status, body, _ = await emsp.request("PUT", token_url, json=token, params={"type": "RFID"})
    assert status in (200, 201), body
    await asyncio.sleep(0.3)
    assert emsp.of("locations") == []
    assert cpo.of("tokens") == []

    status, _ = await hub.admin("POST", "/agreements", {"parties": ["NL-ALF", "DE-MSP"]})
    assert status == 201
    (loc_put,) = await received(emsp, "locations", 1)
    parse(model("2.2.1", "Location"), loc_put.body)
    assert loc_put.path.endswith(f"/NL/ALF/{location['id']}")
    (tariff_put,) = await received(emsp, "tariffs", 1)
    parse(model("2.2.1", "Tariff"), tariff_put.body)
    (token_put,) = await received(cpo, "tokens", 1)
    assert token_put.body["uid"] == token["uid"]
    assert token_put.query.get("type") == "RFID"


async def test_suspended_agreement_blocks_traffic_both_ways(
    hub: RunningHub, start_peer: Any
) -> None:
    """While the agreement is SUSPENDED neither side's pushes reach the other; resuming it
    delivers what each may see again."""
    runtime = hub.app.state.runtime
    cpo = await start_peer("2.2.1", [("CPO", "NL", "ALF")], name="cpo")
    emsp = await start_peer("2.3.0", [("EMSP", "DE", "MSP")], name="emsp")
    for peer in (cpo, emsp):
        await connect(runtime.db, peer, hub.versions_url)
    status, agreement = await hub.admin("POST", "/agreements", {"parties": ["NL-ALF", "DE-MSP"]})
    assert status == 201
    status, _ = await hub.admin("PATCH", f"/agreements/{agreement['id']}", {"status": "SUSPENDED"})
    assert status == 200
    location = load_example("2.2.1", "location_example_uc2_destination_charger.json")
    location.update(country_code="NL", party_id="ALF")
    loc_url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/ALF/{location['id']}"
    assert (await cpo.request("PUT", loc_url, json=location))[0] == 201
    token = load_example("2.2.1", "token_example_2_full_rfid.json")
    token.update(country_code="DE", party_id="MSP")
    token_url = f"{emsp.hub_url('tokens', 'RECEIVER')}/DE/MSP/{token['uid']}"
    status, body, _ = await emsp.request("PUT", token_url, json=token, params={"type": "RFID"})
    assert status in (200, 201), body
    status, body, _ = await emsp.request("GET", emsp.hub_url("locations", "SENDER"))
    assert body["data"] == []
    await asyncio.sleep(0.5)
    assert emsp.of("locations") == []
    assert cpo.of("tokens") == []

    status, _ = await hub.admin("PATCH", f"/agreements/{agreement['id']}", {"status": "ACTIVE"})
    assert status == 200
    (loc_put,) = await received(emsp, "locations", 1)
    assert loc_put.body["id"] == location["id"]
    (token_put,) = await received(cpo, "tokens", 1)
    assert token_put.body["uid"] == token["uid"]
