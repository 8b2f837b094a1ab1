"""Tariffs through the hub: a CPO's pushes reach every agreed eMSP in its own version."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from ocpihub.ocpi.fields import parse
from ocpihub.ocpi.registry import model
from ocpihub.testing import Peer, Received
from tests.e2e.conftest import RunningHub
from tests.examples import load_example
from tests.support.connect import connect

CPO = ("CPO", "NL", "ALF")
OLD_CPO = ("CPO", "NL", "OLD")


def gross_tariff() -> dict[str, Any]:
    """The spec's simple tariff, owned by our CPO, with a gross (tax-included) price."""
    tariff = load_example("2.3.0", "tariff_1_simple_2hour.json")
    tariff.update(country_code="NL", party_id="ALF", tax_included="YES")
    tariff["elements"][0]["price_components"][0]["price"] = 2.20  # 2.00 net + 10 % VAT
    return dict(tariff)


def old_tariff() -> dict[str, Any]:
    """A 2.1.1 tariff (no owner fields, no tax_included): 0.25 per kWh."""
    return {
        "id": "T211",
        "currency": "EUR",
        "elements": [{"price_components": [{"type": "ENERGY", "price": 0.25, "step_size": 1}]}],
        "last_updated": "2024-05-01T10:00:00Z",
    }


async def wait_for(
    peer: Peer, predicate: Callable[[list[Received]], bool], timeout: float = 10
) -> list[Received]:
    """Poll what ``peer`` accepted on tariffs until ``predicate`` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        got = peer.of("tariffs")
        if predicate(got):
            return got
        assert asyncio.get_running_loop().time() < deadline, [(r.method, r.path) for r in got]
        await asyncio.sleep(0.05)


@pytest.fixture
async def roaming(start_peer: Any, hub: RunningHub) -> dict[str, Any]:
    """CPOs on 2.3.0 and 2.1.1, eMSPs on 2.3.0, 2.2.1 and 2.1.1 agreed with both; an outsider."""
    runtime = hub.app.state.runtime
    cpo = await start_peer("2.3.0", [CPO], name="cpo")
    old_cpo = await start_peer("2.1.1", [OLD_CPO], name="old-cpo")
    emsps = {
        v: await start_peer(v, [("EMSP", "DE", f"M{v[0]}{v[2]}")], name=f"emsp-{v}")
        for v in ("2.3.0", "2.2.1", "2.1.1")
    }
    outsider = await start_peer("2.3.0", [("EMSP", "FR", "OUT")], name="outsider")
    for peer in (cpo, old_cpo, *emsps.values(), outsider):
        await connect(runtime.db, peer, hub.versions_url)
    for peer in emsps.values():
        _, cc, pid = peer.parties[0]
        for owner in ("NL-ALF", "NL-OLD"):
            status, body = await hub.admin(
                "POST", "/agreements", {"parties": [owner, f"{cc}-{pid}"]}
            )
            assert status == 201, body
    return {"cpo": cpo, "old_cpo": old_cpo, "emsps": emsps, "outsider": outsider}


async def test_tariffs_reach_every_version_and_are_served(roaming: dict[str, Any]) -> None:
    """A 2.3.0 gross Tariff reaches every version valid (net below 2.3.0); eMSPs GET stored
    Tariffs of agreed CPOs in their version, an outsider none; the DELETE reaches them too."""
    cpo: Peer = roaming["cpo"]
    old: Peer = roaming["old_cpo"]
    tariff = gross_tariff()
    url = f"{cpo.hub_url('tariffs', 'RECEIVER')}/NL/ALF/{tariff['id']}"
    status, body, _ = await cpo.request("PUT", url, json=tariff)
    assert (status, body["status_code"]) == (201, 1000), body
    status, body, _ = await old.request(
        "PUT", f"{old.hub_url('tariffs')}/NL/OLD/T211", json=old_tariff()
    )
    assert status == 201, body
    for version, peer in roaming["emsps"].items():
        await wait_for(peer, lambda r: any("/NL/ALF/" in x.path for x in r))
        put = next(r for r in peer.of("tariffs") if "/NL/ALF/" in r.path)
        assert put.method == "PUT"
        assert put.path.endswith(f"/NL/ALF/{tariff['id']}")
        parse(model(version, "Tariff"), put.body)
        price = put.body["elements"][0]["price_components"][0]["price"]
        if version == "2.3.0":
            assert put.body == tariff
        else:
            assert "tax_included" not in put.body
            assert price == pytest.approx(2.00)
        if version == "2.1.1":
            assert "country_code" not in put.body
            assert "vat" not in put.body["elements"][0]["price_components"][0]
        else:
            assert put.header("ocpi-from-party-id") == "HUB"
            assert put.header("ocpi-to-party-id") == peer.parties[0][2]
        sender = peer.hub_url("tariffs", "SENDER")
        status, body, headers = await peer.request("GET", sender, params={"limit": "1"})
        assert status == 200
        assert headers["X-Total-Count"] == "2"
        assert len(body["data"]) == 1
        assert "Link" in headers
        parse(model(version, "Tariff"), body["data"][0])
        status, one, _ = await peer.request("GET", f"{sender}/T211")
        assert status == 200
        parse(model(version, "Tariff"), one["data"])
        if version == "2.1.1":
            assert one["data"] == old_tariff()
        else:
            assert (one["data"]["country_code"], one["data"]["party_id"]) == ("NL", "OLD")
        if version == "2.3.0":
            assert one["data"]["tax_included"] == "NO"  # 2.1.1 prices exclude VAT
    outsider: Peer = roaming["outsider"]
    status, body, _ = await outsider.request("GET", outsider.hub_url("tariffs", "SENDER"))
    assert body["data"] == []
    status, _, _ = await outsider.request("GET", f"{outsider.hub_url('tariffs', 'SENDER')}/T211")
    assert status == 404
    status, body, _ = await cpo.request("DELETE", url)
    assert status == 200, body
    for peer in roaming["emsps"].values():
        await wait_for(
            peer, lambda r: [x.method for x in r if "/NL/ALF/" in x.path] == ["PUT", "DELETE"]
        )
    status, body, _ = await cpo.request("GET", url)
    assert status == 404
    await asyncio.sleep(0.2)
    assert roaming["outsider"].of("tariffs") == []


async def test_211_patch_and_refusals(roaming: dict[str, Any]) -> None:
    """A 2.1.1 CPO's PATCH is applied: 2.1.1 eMSPs get the PATCH, 2.2+ eMSPs the whole tariff.
    Foreign owners (404), ids differing from the URL (2001), bad values (2001), PATCH in 2.2+
    (405) and PATCH of an unknown tariff (404) are refused and nothing of them is stored."""
    cpo: Peer = roaming["cpo"]
    base = cpo.hub_url("tariffs", "RECEIVER")
    foreign = gross_tariff() | {"party_id": "OLD"}
    status, body, _ = await cpo.request("PUT", f"{base}/NL/OLD/12", json=foreign)
    assert status == 404
    assert "NL-OLD" in body["status_message"]
    status, body, _ = await cpo.request("DELETE", f"{base}/NL/OLD/12")
    assert status == 404
    status, body, _ = await cpo.request("PUT", f"{base}/NL/ALF/OTHER", json=gross_tariff())
    assert (status, body["status_code"]) == (400, 2001)
    assert "id" in body["status_message"]
    bad = gross_tariff() | {"tax_included": "MAYBE"}
    status, body, _ = await cpo.request("PUT", f"{base}/NL/ALF/12", json=bad)
    assert (status, body["status_code"]) == (400, 2001)
    assert "tax_included" in body["status_message"]
    assert "MAYBE" in body["status_message"]
    status, body, _ = await cpo.request("PATCH", f"{base}/NL/ALF/12", json={"currency": "USD"})
    assert status == 405, body
    old: Peer = roaming["old_cpo"]
    url = f"{old.hub_url('tariffs')}/NL/OLD/T211"
    status, body, _ = await old.request("PATCH", url, json={"currency": "USD"})
    assert status == 404, body
    emsp: Peer = roaming["emsps"]["2.3.0"]
    status, body, _ = await emsp.request("GET", emsp.hub_url("tariffs", "SENDER"))
    assert body["data"] == []
    assert (await old.request("PUT", url, json=old_tariff()))[0] == 201
    patch = {"currency": "CHF"}
    status, body, _ = await old.request("PATCH", url, json=patch)
    assert status == 200, body
    for version, peer in roaming["emsps"].items():
        got = await wait_for(peer, lambda r: len(r) >= 2)
        assert len(got) == 2  # nothing of the refused pushes
        second = got[1]
        if version == "2.1.1":
            assert (second.method, second.body) == ("PATCH", patch)
        else:
            assert second.method == "PUT"
            parse(model(version, "Tariff"), second.body)
            assert second.body["currency"] == "CHF"
            assert second.body["elements"] == old_tariff()["elements"]
            assert (second.body["country_code"], second.body["party_id"]) == ("NL", "OLD")
    status, body, _ = await old.request("GET", url)
    assert body["data"]["currency"] == "CHF"


async def test_net_prices_have_at_most_four_decimals(roaming: dict[str, Any]) -> None:
    """A 2.3.0 gross price 0.30 at 21 % VAT reaches 2.2.1 and 2.1.1 eMSPs as the net 0.2479
    (half-even to 4 decimals), never 0.24793388429752067 (15.14)."""
    cpo: Peer = roaming["cpo"]
    tariff = gross_tariff()
    tariff["id"] = "GROSS21"
    component = tariff["elements"][0]["price_components"][0]
    component.update(price=0.30, vat=21.0)
    url = f"{cpo.hub_url('tariffs', 'RECEIVER')}/NL/ALF/GROSS21"
    status, body, _ = await cpo.request("PUT", url, json=tariff)
    assert (status, body["status_code"]) == (201, 1000), body
    for version in ("2.2.1", "2.1.1"):
        peer = roaming["emsps"][version]
        await wait_for(peer, lambda r: any(x.path.endswith("/GROSS21") for x in r))
        put = next(r for r in peer.of("tariffs") if r.path.endswith("/GROSS21"))
        assert put.body["elements"][0]["price_components"][0]["price"] == 0.2479, version
        status, body, _ = await peer.request("GET", f"{peer.hub_url('tariffs', 'SENDER')}/GROSS21")
        assert body["data"]["elements"][0]["price_components"][0]["price"] == 0.2479, version
