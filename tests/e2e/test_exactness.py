"""Exact to the spec with real partners (issue 15): paging, identifiers, instants.

A 2.3.0 CPO and a 2.3.0 eMSP with an agreement, both real peers on loopback; the tests assert
on what they get from the hub's interfaces and on what the eMSP receives.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from ocpihub.testing import Peer, Received
from tests.e2e.conftest import RunningHub
from tests.examples import load_example
from tests.support.connect import connect

CPO = ("CPO", "NL", "CIC")
EMSP = ("EMSP", "DE", "CIM")


def location(location_id: str, last_updated: str = "2024-05-01T08:00:00Z") -> dict[str, Any]:
    """The spec's destination-charger example, owned by our CPO, with this id."""
    loc = load_example("2.3.0", "location_example_uc2_destination_charger.json")
    loc.update(country_code=CPO[1], party_id=CPO[2], id=location_id, last_updated=last_updated)
    return loc


async def received(
    peer: Peer, predicate: Callable[[list[Received]], bool], timeout: float = 15
) -> list[Received]:
    """What ``peer`` accepted on locations, once ``predicate`` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        got = [r for r in peer.received if r.accepted and r.module == "locations"]
        if predicate(got):
            return got
        assert asyncio.get_running_loop().time() < deadline, [(r.method, r.path) for r in got]
        await asyncio.sleep(0.05)


@pytest.fixture
async def pair(hub: RunningHub, start_peer: Any) -> tuple[Peer, Peer]:
    """A CPO and an eMSP, both 2.3.0, registered and agreed."""
    cpo = await start_peer("2.3.0", [CPO], name="cpo")
    emsp = await start_peer("2.3.0", [EMSP], name="emsp")
    for peer in (cpo, emsp):
        await connect(hub.app.state.runtime.db, peer, hub.versions_url)
    status, body = await hub.admin(
        "POST", "/agreements", {"parties": [f"{CPO[1]}-{CPO[2]}", f"{EMSP[1]}-{EMSP[2]}"]}
    )
    assert status == 201, body
    return cpo, emsp


async def put_location(cpo: Peer, loc: dict[str, Any], url_id: str | None = None) -> int:
    """PUT a Location as the CPO; the HTTP status."""
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/{CPO[1]}/{CPO[2]}/{url_id or loc['id']}"
    status, body, _ = await cpo.request("PUT", url, json=loc)
    assert body["status_code"] == 1000, body
    return status


async def test_total_count_is_current_on_every_page(pair: tuple[Peer, Peer]) -> None:
    """An eMSP crawling with Link sees X-Total-Count rise on the very next page after the CPO
    adds a Location mid-crawl (15.9), and still reaches every Location."""
    cpo, emsp = pair
    for n in range(5):
        await put_location(cpo, location(f"TC-{n}"))
    next_url: str | None = f"{emsp.hub_url('locations', 'SENDER')}?limit=2"
    totals, ids = [], []
    while next_url is not None:
        status, body, headers = await emsp.request("GET", next_url)
        assert status == 200 and body["status_code"] == 1000, body
        totals.append(headers["X-Total-Count"])
        ids.extend(d["id"] for d in body["data"])
        if len(ids) == 2:
            await put_location(cpo, location("TC-5"))
        link = headers.get("Link")
        next_url = link[1 : link.index(">")] if link else None
    assert totals == ["5", "6", "6"]
    assert ids == [f"TC-{n}" for n in range(6)]


BAD_PAGING = [
    (f"offset={2**64}", "offset"),
    (f"offset={2**63}", "offset"),
    (f"limit={2**64}", "limit"),
    ("offset=-1", "offset"),
    ("limit=ten", "limit"),
    (f"cursor={2**64}", "cursor"),
    ("offset=1e3", "offset"),
]


async def test_out_of_range_paging_is_2001(pair: tuple[Peer, Peer]) -> None:
    """Paging parameters beyond 64 bits, negative or not numbers are a 400/2001 naming the
    parameter on every list a partner can GET (15.10), never a 500/3000."""
    cpo, emsp = pair
    lists = [
        (emsp, "locations", "SENDER"),
        (emsp, "tariffs", "SENDER"),
        (cpo, "tokens", "SENDER"),
        (emsp, "sessions", "SENDER"),
        (emsp, "cdrs", "SENDER"),
        (emsp, "hubclientinfo", "SENDER"),
    ]
    for query, named in BAD_PAGING:
        for peer, module, role in lists:
            url = f"{peer.hub_url(module, role)}?date_from=2024-01-01T00:00:00Z&{query}"
            status, body, _ = await peer.request("GET", url)
            assert (status, body["status_code"]) == (400, 2001), (module, query, body)
            assert f"query parameter {named}:" in body["status_message"], (module, body)


async def test_child_patch_with_fractions_moves_the_location(pair: tuple[Peer, Peer]) -> None:
    """An EVSE PATCH at 08:00:00.500Z moves its Location's last_updated from 08:00:00Z, so a
    date_from sync finds it; an earlier child instant written without fractions never moves it
    back (15.12: instants, not strings)."""
    cpo, emsp = pair
    loc = location("DT-1", "2024-05-01T08:00:00Z")
    await put_location(cpo, loc)
    evse = loc["evses"][0]["uid"]
    base = f"{cpo.hub_url('locations', 'RECEIVER')}/{CPO[1]}/{CPO[2]}/DT-1"
    patch = {"status": "CHARGING", "last_updated": "2024-05-01T08:00:00.500Z"}
    status, body, _ = await cpo.request("PATCH", f"{base}/{evse}", json=patch)
    assert status == 200, body
    sync = f"{emsp.hub_url('locations', 'SENDER')}?date_from=2024-05-01T08:00:00.250Z"
    status, body, _ = await emsp.request("GET", sync)
    assert [d["id"] for d in body["data"]] == ["DT-1"], body
    assert body["data"][0]["last_updated"] == "2024-05-01T08:00:00.500Z"
    older = {"status": "AVAILABLE", "last_updated": "2024-05-01T08:00:00Z"}
    status, body, _ = await cpo.request("PATCH", f"{base}/{evse}", json=older)
    assert status == 200, body
    status, body, _ = await emsp.request("GET", sync)
    assert [d["id"] for d in body["data"]] == ["DT-1"], body
    assert body["data"][0]["last_updated"] == "2024-05-01T08:00:00.500Z"


async def test_cistring_ids_compare_case_insensitively(pair: tuple[Peer, Peer]) -> None:
    """A Location PUT as `cil1` is PATCHed as `CIL1/EVSE1` (its EVSE `evse1`), a later PUT of
    `CIL1` replaces it (200, one Location), and a Tariff PUT as `T1` replaces `t1` (15.11)."""
    cpo, emsp = pair
    loc = location("cil1")
    loc["evses"][0]["uid"] = "evse1"
    assert await put_location(cpo, loc) == 201
    base = f"{cpo.hub_url('locations', 'RECEIVER')}/{CPO[1]}/{CPO[2]}"
    patch = {"status": "CHARGING", "last_updated": "2024-05-01T09:00:00Z"}
    status, body, _ = await cpo.request("PATCH", f"{base}/CIL1/EVSE1", json=patch)
    assert (status, body["status_code"]) == (200, 1000), body
    again = location("CIL1", "2024-05-01T10:00:00Z")
    assert await put_location(cpo, again) == 200
    status, body, headers = await emsp.request("GET", emsp.hub_url("locations", "SENDER"))
    assert headers["X-Total-Count"] == "1", body
    assert body["data"][0]["last_updated"] == "2024-05-01T10:00:00Z"
    status, body, _ = await emsp.request("GET", f"{emsp.hub_url('locations', 'SENDER')}/Cil1")
    assert body["status_code"] == 1000 and body["data"]["last_updated"] == "2024-05-01T10:00:00Z"

    tariff = load_example("2.3.0", "tariff_1_simple_2hour.json")
    tariff.update(country_code=CPO[1], party_id=CPO[2], id="t1")
    turl = f"{cpo.hub_url('tariffs', 'RECEIVER')}/{CPO[1]}/{CPO[2]}"
    assert (await cpo.request("PUT", f"{turl}/t1", json=tariff))[0] == 201
    tariff.update(id="T1", last_updated="2024-06-01T00:00:00Z")
    status, body, _ = await cpo.request("PUT", f"{turl}/T1", json=tariff)
    assert (status, body["status_code"]) == (200, 1000), body
    status, body, headers = await emsp.request("GET", emsp.hub_url("tariffs", "SENDER"))
    assert headers["X-Total-Count"] == "1", body
    got = await received(emsp, lambda r: sum(x.method == "PATCH" for x in r) >= 1)
    assert any(r.method == "PATCH" and r.body["status"] == "CHARGING" for r in got)


async def test_partner_data_is_never_coerced(pair: tuple[Peer, Peer], hub: RunningHub) -> None:
    """Booleans and numeric strings in number fields, a lower-case or empty currency and an
    empty country are refused with 400/2001 naming the field; nothing is stored or delivered
    (15.15)."""
    cpo, emsp = pair
    cdr = load_example("2.3.0", "cdr_example.json")
    cdr.update(country_code=CPO[1], party_id=CPO[2], id="STRICT-1", total_time=True)
    cdr["cdr_token"].update(country_code=EMSP[1], party_id=EMSP[2])
    cdr["tariffs"][0]["tax_included"] = "NO"
    status, body, _ = await cpo.request("POST", cpo.hub_url("cdrs", "RECEIVER"), json=cdr)
    assert (status, body["status_code"]) == (400, 2001), body
    assert "total_time" in body["status_message"] and "True" in body["status_message"]

    tariff = load_example("2.3.0", "tariff_1_simple_2hour.json")
    tariff.update(country_code=CPO[1], party_id=CPO[2])
    turl = f"{cpo.hub_url('tariffs', 'RECEIVER')}/{CPO[1]}/{CPO[2]}/{tariff['id']}"
    for currency in ("eur", ""):
        status, body, _ = await cpo.request("PUT", turl, json={**tariff, "currency": currency})
        assert (status, body["status_code"]) == (400, 2001), body
        assert body["status_message"].startswith("currency:"), body
    element = tariff["elements"][0]
    bad = {**element, "price_components": [{**element["price_components"][0], "price": "2.0"}]}
    status, body, _ = await cpo.request("PUT", turl, json={**tariff, "elements": [bad]})
    assert (status, body["status_code"]) == (400, 2001), body
    assert "elements[0].price_components[0].price" in body["status_message"], body

    loc = location("STRICT-L")
    loc["country"] = ""
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/{CPO[1]}/{CPO[2]}/STRICT-L"
    status, body, _ = await cpo.request("PUT", url, json=loc)
    assert (status, body["status_code"]) == (400, 2001), body
    assert body["status_message"].startswith("country:"), body

    for module in ("locations", "tariffs", "cdrs"):
        status, body, _ = await emsp.request("GET", emsp.hub_url(module, "SENDER"))
        assert body["data"] == [], (module, body)
    await asyncio.sleep(0.3)
    assert [r for r in emsp.received if r.module in ("locations", "tariffs", "cdrs")] == []
