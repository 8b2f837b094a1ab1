"""Locations through the hub: a CPO's pushes reach every agreed eMSP in its own version."""

from __future__ import annotations

import asyncio
import json
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


def location() -> dict[str, Any]:
    """The spec's destination-charger example, owned by our CPO."""
    return load_example("2.3.0", "location_example_uc2_destination_charger.json")


async def wait_for(
    peer: Peer, predicate: Callable[[list[Received]], bool], timeout: float = 15
) -> list[Received]:
    """Poll what ``peer`` received until ``predicate`` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        got = [r for r in peer.received if r.accepted and r.module == "locations"]
        if predicate(got):
            return got
        assert asyncio.get_running_loop().time() < deadline, [(r.method, r.path) for r in got]
        await asyncio.sleep(0.05)


@pytest.fixture
async def roaming(hub: RunningHub, start_peer: Any) -> dict[str, Any]:
    """A 2.3.0 CPO and eMSPs on 2.3.0, 2.2.1 and 2.1.1 with agreements; one eMSP without."""
    runtime = hub.app.state.runtime
    cpo = await start_peer("2.3.0", [CPO], name="cpo")
    emsps = {
        v: await start_peer(v, [("EMSP", "DE", f"M{v[0]}{v[2]}")], name=f"emsp-{v}")
        for v in ("2.3.0", "2.2.1", "2.1.1")
    }
    outsider = await start_peer("2.3.0", [("EMSP", "FR", "OUT")], name="outsider")
    for peer in (cpo, *emsps.values(), outsider):
        await connect(runtime.db, peer, hub.versions_url)
    for peer in emsps.values():
        _, cc, pid = peer.parties[0]
        status, body = await hub.admin(
            "POST", "/agreements", {"parties": ["NL-ALF", f"{cc}-{pid}"]}
        )
        assert status == 201, body
    return {"cpo": cpo, "emsps": emsps, "outsider": outsider}


async def test_location_reaches_every_version(roaming: dict[str, Any]) -> None:
    """A 2.3.0 Location PUT reaches 2.3.0, 2.2.1 and 2.1.1 eMSPs, valid for each version."""
    cpo: Peer = roaming["cpo"]
    loc = location()
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/ALF/{loc['id']}"
    status, body, _ = await cpo.request("PUT", url, json=loc)
    assert status == 201, body
    assert body["status_code"] == 1000
    for version, peer in roaming["emsps"].items():
        got = await wait_for(peer, lambda r: len(r) >= 1)
        put = got[0]
        assert put.method == "PUT"
        assert put.path.endswith(f"/NL/ALF/{loc['id']}")
        parse(model(version, "Location"), put.body)
        if version == "2.1.1":
            assert "country_code" not in put.body
            assert put.token_was_base64 is False
        else:
            assert put.header("ocpi-from-country-code") == "NL"
            assert put.header("ocpi-to-party-id") == peer.parties[0][2]
            assert put.token_was_base64 is True
        if version == "2.3.0":
            assert put.body == loc
    await asyncio.sleep(0.3)
    assert roaming["outsider"].of("locations") == []


async def test_evse_patches_arrive_in_order(roaming: dict[str, Any]) -> None:
    """EVSE status PATCHes reach every receiver in the order the CPO sent them."""
    cpo: Peer = roaming["cpo"]
    loc = location()
    evse = loc["evses"][0]["uid"]
    base = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/ALF/{loc['id']}"
    assert (await cpo.request("PUT", base, json=loc))[0] == 201
    statuses = ["CHARGING", "AVAILABLE", "BLOCKED", "CHARGING", "OUTOFORDER", "AVAILABLE"]
    for i, st in enumerate(statuses):
        patch = {"status": st, "last_updated": f"2024-05-01T10:00:{i:02d}Z"}
        status, body, _ = await cpo.request("PATCH", f"{base}/{evse}", json=patch)
        assert status == 200, body
    for peer in roaming["emsps"].values():
        got = await wait_for(peer, lambda r: len(r) >= 1 + len(statuses))
        patches = [r for r in got if r.method == "PATCH"]
        assert [r.body["status"] for r in patches] == statuses
        assert all(r.path.endswith(f"/{evse}") for r in patches)


async def test_push_for_foreign_party_refused(roaming: dict[str, Any], hub: RunningHub) -> None:
    """A CPO cannot push a Location of a party it does not host; nothing is stored or sent."""
    cpo: Peer = roaming["cpo"]
    loc = location()
    loc["party_id"] = "XXX"
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/XXX/{loc['id']}"
    status, body, _ = await cpo.request("PUT", url, json=loc)
    assert status == 404
    assert "NL-XXX" in body["status_message"]
    emsp: Peer = roaming["emsps"]["2.3.0"]
    status, body, _ = await emsp.request("GET", emsp.hub_url("locations", "SENDER"))
    assert body["data"] == []


async def test_bad_location_is_2001_and_not_stored(roaming: dict[str, Any]) -> None:
    """An invalid Location is refused with 2001 naming field and value; nothing stored."""
    cpo: Peer = roaming["cpo"]
    loc = location()
    loc["evses"][0]["status"] = "SLEEPING"
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/ALF/{loc['id']}"
    status, body, _ = await cpo.request("PUT", url, json=loc)
    assert status == 400
    assert body["status_code"] == 2001
    assert "evses[0].status" in body["status_message"]
    assert "SLEEPING" in body["status_message"]
    status, body, _ = await cpo.request("GET", url)
    assert status == 404


async def test_get_all_in_callers_version(roaming: dict[str, Any]) -> None:
    """eMSPs GET the stored Location in their own version; an outsider sees nothing."""
    cpo: Peer = roaming["cpo"]
    loc = location()
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/ALF/{loc['id']}"
    assert (await cpo.request("PUT", url, json=loc))[0] == 201
    for version, peer in roaming["emsps"].items():
        status, body, headers = await peer.request("GET", peer.hub_url("locations", "SENDER"))
        assert status == 200
        assert len(body["data"]) == 1
        assert headers["X-Total-Count"] == "1"
        parse(model(version, "Location"), body["data"][0])
        status, one, _ = await peer.request(
            "GET", f"{peer.hub_url('locations', 'SENDER')}/{loc['id']}"
        )
        assert status == 200
        assert one["data"]["id"] == loc["id"]
    outsider: Peer = roaming["outsider"]
    status, body, _ = await outsider.request("GET", outsider.hub_url("locations", "SENDER"))
    assert body["data"] == []


async def test_get_one_addressed_to_owner_is_forwarded(roaming: dict[str, Any]) -> None:
    """A GET one the hub lacks, addressed with OCPI-to, is asked of the CPO and relayed in the
    caller's version; without OCPI-to it is a 404."""
    cpo: Peer = roaming["cpo"]
    loc = location()

    def answer(received: Received) -> tuple[int, Any]:
        if received.rest.endswith(loc["id"]):
            return 200, {"data": loc, "status_code": 1000, "timestamp": "2024-01-01T00:00:00Z"}
        return 404, {"status_code": 2003, "timestamp": "2024-01-01T00:00:00Z"}

    cpo.on("GET", "locations", answer)
    emsp: Peer = roaming["emsps"]["2.2.1"]
    url = f"{emsp.hub_url('locations', 'SENDER')}/{loc['id']}"
    status, body, _ = await emsp.request("GET", url)
    assert status == 404
    headers = {
        "OCPI-from-country-code": "DE",
        "OCPI-from-party-id": emsp.parties[0][2],
        "OCPI-to-country-code": "NL",
        "OCPI-to-party-id": "ALF",
    }
    status, body, _ = await emsp.request("GET", url, headers=headers)
    assert status == 200, body
    parse(model("2.2.1", "Location"), body["data"])
    (asked,) = cpo.of("locations", "GET")
    assert asked.header("ocpi-from-party-id") == emsp.parties[0][2]
    outsider: Peer = roaming["outsider"]
    status, body, _ = await outsider.request(
        "GET",
        f"{outsider.hub_url('locations', 'SENDER')}/{loc['id']}",
        headers={**headers, "OCPI-from-country-code": "FR", "OCPI-from-party-id": "OUT"},
    )
    assert body["status_code"] == 4001


async def test_get_all_pages_exact_originals_and_translations(roaming: dict[str, Any]) -> None:
    """GET all over HTTP: the same-version caller gets each pushed Location exactly as pushed
    (or, once a PATCH changed it, the current document); the others get it translated, never
    with the hub-private key; pages follow Link with steady X-Total-Count; dates filter."""
    cpo: Peer = roaming["cpo"]
    pushed = []
    for n in range(3):
        loc = location()
        loc["id"] = f"LOC-{n}"
        loc["last_updated"] = f"2024-05-0{n + 1}T10:00:00Z"
        loc["x_extension"] = {"n": n, "ratio": 0.1}
        url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/ALF/{loc['id']}"
        assert (await cpo.request("PUT", url, json=loc))[0] == 201
        pushed.append(loc)
    evse = pushed[1]["evses"][0]["uid"]
    patch = {"status": "CHARGING", "last_updated": "2024-05-02T11:00:00Z"}
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/ALF/LOC-1/{evse}"
    assert (await cpo.request("PATCH", url, json=patch))[0] == 200

    for version, peer in roaming["emsps"].items():
        next_url: str | None = f"{peer.hub_url('locations', 'SENDER')}?limit=2"
        data: list[dict[str, Any]] = []
        pages = []
        while next_url is not None:
            status, body, headers = await peer.request("GET", next_url)
            assert status == 200 and body["status_code"] == 1000
            assert headers["X-Total-Count"] == "3"
            assert "_ocpihub" not in json.dumps(body)
            data.extend(body["data"])
            pages.append(len(body["data"]))
            link = headers.get("Link")
            next_url = link[1 : link.index(">")] if link else None
            if link:
                assert "cursor=" in link and "limit=2" in link
        assert pages == [2, 1], version
        assert [d["id"] for d in data] == ["LOC-0", "LOC-1", "LOC-2"]
        for item in data:
            parse(model(version, "Location"), item)
        patched = next(e for e in data[1]["evses"] if e["uid"] == evse)
        assert patched["status"] == "CHARGING"
        if version == "2.3.0":
            assert data[0] == pushed[0] and data[2] == pushed[2]
            expected = json.loads(json.dumps(pushed[1]))
            expected["evses"][0].update(patch)
            expected["last_updated"] = data[1]["last_updated"]
            assert data[1] == expected

    peer = roaming["emsps"]["2.2.1"]
    query = "date_from=2024-05-02T00:00:00Z&date_to=2024-05-03T00:00:00Z"
    status, body, headers = await peer.request(
        "GET", f"{peer.hub_url('locations', 'SENDER')}?{query}"
    )
    assert [d["id"] for d in body["data"]] == ["LOC-1"]
    assert headers["X-Total-Count"] == "1" and "Link" not in headers
