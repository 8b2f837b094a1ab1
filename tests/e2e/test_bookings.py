"""Bookings through the hub: booking locations broadcast, requests relayed, changes both ways."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from ocpihub.ocpi.fields import parse
from ocpihub.ocpi.v2_3_0.bookings import Booking, BookingLocation
from ocpihub.testing import Peer, Received
from tests.e2e.conftest import RunningHub
from tests.examples import load_example
from tests.support.connect import connect

CPO_MODULES = [("locations", "SENDER"), ("bookings", "SENDER"), ("tokens", "RECEIVER")]
EMSP_MODULES = [("locations", "RECEIVER"), ("bookings", "RECEIVER"), ("tokens", "SENDER")]
TERMS = {
    "supported_access_methods": ["ACCESS_CODE", "TOKEN"],
    "change_until_minutes": 200,
    "cancel_until_minutes": 600,
}


def booking_location() -> dict[str, Any]:
    """The spec's BookingLocation example, owned by NL-INF, with its invalid times and URL fixed."""
    raw = load_example("2.3.0-bookings", "booking_location_example.json")
    doc: dict[str, Any] = json.loads(json.dumps(raw).replace(":99Z", ":59Z"))
    doc.update(country_code="NL", party_id="INF")
    doc["booking_terms"]["booking_terms"] = "https://server.com/booking-a-charger"
    return doc


def booking_request(**changes: Any) -> dict[str, Any]:
    """DE-MSP's request for an hour at the example's location."""
    request = {
        "country_code": "DE",
        "party_id": "MSP",
        "request_id": "RE1222",
        "location_id": "L0C1",
        "evse_uid": "6583",
        "period": {"start_from": "2025-03-23T12:00:00Z", "end_before": "2025-03-23T13:00:00Z"},
        "authorization_reference": "pp-100100-1948213567",
    }
    return {**request, **changes}


def booking_for(request: dict[str, Any], status: str, request_status: str) -> dict[str, Any]:
    """The CPO's Booking answering ``request``."""
    return {
        "id": "B1",
        "country_code": "NL",
        "party_id": "INF",
        "request_id": request["request_id"],
        "location_id": request["location_id"],
        "evse_uid": request.get("evse_uid", "#NA"),
        "period": request["period"],
        "reservation_status": status,
        "authorization_reference": request["authorization_reference"],
        "booking_terms": TERMS,
        "booking_requests": [
            {
                "request_status": request_status,
                "booking_request": request,
                "request_received": "2025-03-20T10:00:00Z",
            }
        ],
        "last_updated": "2025-03-20T10:00:00Z",
        **({"canceled": request["canceled"]} if "canceled" in request else {}),
    }


def cpo_answers(cpo: Peer, status: str, request_status: str) -> None:
    """Script the CPO to answer every BookingRequest with a Booking in ``status``."""

    def answer(item: Received) -> tuple[int, Any]:
        data = booking_for(item.body, status, request_status)
        return 200, {"status_code": 1000, "data": data, "timestamp": "2025-03-20T10:00:00Z"}

    cpo.on("POST", "bookings", answer)


async def wait_for(peer: Peer, count: int, timeout: float = 15) -> list[Received]:
    """Poll until ``peer`` accepted ``count`` bookings requests; returns them."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        got = peer.of("bookings")
        if len(got) >= count:
            return got
        assert asyncio.get_running_loop().time() < deadline, [(r.method, r.path) for r in got]
        await asyncio.sleep(0.05)


@pytest.fixture
async def market(hub: RunningHub, start_peer: Any) -> dict[str, Peer]:
    """A 2.3.0 CPO agreed with a 2.3.0 and a 2.2.1 eMSP; a 2.3.0 eMSP without agreement."""
    runtime = hub.app.state.runtime
    peers = {
        "cpo": await start_peer("2.3.0", [("CPO", "NL", "INF")], name="cpo", modules=CPO_MODULES),
        "emsp": await start_peer(
            "2.3.0", [("EMSP", "DE", "MSP")], name="emsp", modules=EMSP_MODULES
        ),
        "old": await start_peer("2.2.1", [("EMSP", "DE", "OLD")], name="old"),
        "out": await start_peer("2.3.0", [("EMSP", "FR", "OUT")], name="out", modules=EMSP_MODULES),
    }
    for peer in peers.values():
        await connect(runtime.db, peer, hub.versions_url)
    for other in ("DE-MSP", "DE-OLD"):
        status, body = await hub.admin("POST", "/agreements", {"parties": ["NL-INF", other]})
        assert status == 201, body
    return peers


async def publish_location(cpo: Peer) -> str:
    """The CPO PUTs the example BookingLocation; returns its hub URL."""
    doc = booking_location()
    url = f"{cpo.hub_url('bookings', 'RECEIVER')}/NL/INF/booking_locations/{doc['id']}"
    status, body, _ = await cpo.request("PUT", url, json=doc)
    assert status == 201, body
    return url


async def book(emsp: Peer, request: dict[str, Any], **kw: Any) -> tuple[int, Any]:
    """The eMSP POSTs a BookingRequest to the hub."""
    status, body, _ = await emsp.request(
        "POST", emsp.hub_url("bookings", "SENDER"), json=request, **kw
    )
    return status, body


async def test_booking_location_and_calendar_broadcast(market: dict[str, Peer]) -> None:
    """A BookingLocation PUT and a Calendar PATCH reach the agreed 2.3.0 eMSP only; both served."""
    cpo, emsp = market["cpo"], market["emsp"]
    url = await publish_location(cpo)
    calendar = load_example("2.3.0-bookings", "booking_location_patch_example_calendar.json")
    calendar = json.loads(json.dumps(calendar).replace(":99Z", ":59Z"))
    status, body, _ = await cpo.request("PATCH", f"{url}/CA112", json=calendar)
    assert status == 200, body
    got = await wait_for(emsp, 2)
    assert [(r.method, r.path) for r in got] == [
        ("PUT", "/ocpi/2.3.0/bookings/receiver/NL/INF/booking_locations/12345"),
        ("PATCH", "/ocpi/2.3.0/bookings/receiver/NL/INF/booking_locations/12345/CA112"),
    ]
    parse(BookingLocation, got[0].body)
    assert "calendars" in got[0].body  # written with the table's name
    sender = emsp.hub_url("bookings", "SENDER")
    status, body, _ = await emsp.request("GET", f"{sender}/booking_locations")
    assert [b["id"] for b in body["data"]] == ["12345"]
    assert body["data"][0]["last_updated"] == calendar["last_updated"]  # the parent follows
    status, one, _ = await emsp.request("GET", f"{sender}/booking_locations/12345/CA112")
    assert one["data"]["step_size"] == 1
    status, body, _ = await market["out"].request(
        "GET", f"{market['out'].hub_url('bookings', 'SENDER')}/booking_locations"
    )
    assert body["data"] == []
    await asyncio.sleep(0.3)
    assert market["out"].of("bookings") == [] and market["old"].of("bookings") == []


async def test_request_accepted_then_confirmed(market: dict[str, Peer]) -> None:
    """A request is routed by location_id to the CPO, its PENDING answer relayed, and the CPO's
    later RESERVED PATCH reaches the requesting eMSP."""
    cpo, emsp = market["cpo"], market["emsp"]
    await publish_location(cpo)
    cpo_answers(cpo, "PENDING", "PENDING")
    status, body = await book(emsp, booking_request())
    assert status == 200, body
    parse(Booking, body["data"])
    assert body["data"]["reservation_status"] == "PENDING"
    sent = cpo.of("bookings", "POST")[0]
    assert sent.path == "/ocpi/2.3.0/bookings/sender"
    assert sent.header("ocpi-from-party-id") == "MSP"
    assert sent.header("ocpi-to-party-id") == "INF"
    patch = load_example("2.3.0-bookings", "booking_patch_example_status_update.json")
    url = f"{cpo.hub_url('bookings', 'RECEIVER')}/NL/INF/B1"
    status, answer, _ = await cpo.request("PATCH", url, json=patch)
    assert status == 200, answer
    got = [r for r in await wait_for(emsp, 2) if r.method == "PATCH"]
    assert got[0].path == "/ocpi/2.3.0/bookings/receiver/NL/INF/B1"
    assert got[0].body == patch
    status, mine, _ = await emsp.request("GET", emsp.hub_url("bookings", "SENDER"))
    assert [(b["id"], b["reservation_status"]) for b in mine["data"]] == [("B1", "RESERVED")]
    status, theirs, _ = await market["out"].request(
        "GET", market["out"].hub_url("bookings", "SENDER")
    )
    assert theirs["data"] == []


async def test_request_rejected(market: dict[str, Peer]) -> None:
    """A CPO's REJECTED answer and its refusal reach the eMSP unchanged; a broken answer is 4000."""
    cpo, emsp = market["cpo"], market["emsp"]
    await publish_location(cpo)
    cpo_answers(cpo, "REJECTED", "DECLINED")
    status, body = await book(emsp, booking_request())
    assert body["data"]["reservation_status"] == "REJECTED"
    cpo.on(
        "POST",
        "bookings",
        lambda r: (400, {"status_code": 2001, "status_message": "period in the past"}),
    )
    status, body = await book(emsp, booking_request(request_id="RE2"))
    assert (status, body["status_code"]) == (400, 2001)
    assert body["status_message"] == "period in the past"
    cpo.on("POST", "bookings", lambda r: (200, {"status_code": 1000, "data": {"id": "B1"}}))
    status, body = await book(emsp, booking_request(request_id="RE3"))
    assert body["status_code"] == 4000  # no valid Booking: the hub says so, stores nothing
    assert "invalid Booking" in body["status_message"]


async def test_change_and_cancel_by_emsp(market: dict[str, Peer]) -> None:
    """A change (same request_id) and a cancellation (``canceled``) are relayed to the CPO."""
    cpo, emsp = market["cpo"], market["emsp"]
    await publish_location(cpo)
    cpo_answers(cpo, "RESERVED", "ACCEPTED")
    assert (await book(emsp, booking_request()))[0] == 200
    later = {"start_from": "2025-03-23T14:00:00Z", "end_before": "2025-03-23T15:00:00Z"}
    status, body = await book(emsp, booking_request(period=later))
    assert body["data"]["period"] == later
    cancel = {"cancellation_reason": "TRAFFIC", "who_canceled": "EMSP"}
    cpo_answers(cpo, "CANCELED", "ACCEPTED")
    status, body = await book(emsp, booking_request(canceled=cancel))
    assert status == 200
    assert body["data"]["reservation_status"] == "CANCELED"
    posts = cpo.of("bookings", "POST")
    assert [p.body["request_id"] for p in posts] == ["RE1222"] * 3
    assert posts[2].body["canceled"] == cancel
    _status, mine, _ = await emsp.request("GET", emsp.hub_url("bookings", "SENDER"))
    assert mine["data"][0]["reservation_status"] == "CANCELED"


async def test_cancel_by_cpo(market: dict[str, Peer]) -> None:
    """A CPO's PUT of a booking the hub has not seen, then its cancel PATCH, reach the eMSP."""
    cpo, emsp = market["cpo"], market["emsp"]
    booking = booking_for(booking_request(), "RESERVED", "ACCEPTED")
    url = f"{cpo.hub_url('bookings', 'RECEIVER')}/NL/INF/B1"
    status, body, _ = await cpo.request("PUT", url, json=booking)
    assert status == 201, body
    cancel = {
        "reservation_status": "CANCELED",
        "canceled": {"cancellation_reason": "POWER_OUTAGE", "who_canceled": "CPO"},
        "last_updated": "2025-03-21T08:00:00Z",
    }
    status, body, _ = await cpo.request("PATCH", url, json=cancel)
    assert status == 200, body
    got = await wait_for(emsp, 2)
    assert [r.method for r in got] == ["PUT", "PATCH"]
    assert got[0].body == booking
    assert got[1].body == cancel
    status, own, _ = await cpo.request("GET", url)
    assert own["data"]["reservation_status"] == "CANCELED"
    assert "_ocpihub" not in own["data"]


async def test_refusals(market: dict[str, Peer]) -> None:
    """Requests without agreement reach no CPO; foreign pushes and foreign requests are refused."""
    cpo, out, emsp = market["cpo"], market["out"], market["emsp"]
    await publish_location(cpo)
    request = booking_request(country_code="FR", party_id="OUT")
    status, body = await book(out, request)
    assert body["status_code"] == 2003, body  # no location it may book
    status, body = await book(
        out, request, headers={"OCPI-to-country-code": "NL", "OCPI-to-party-id": "INF"}
    )
    assert body["status_code"] == 4001
    status, body = await book(emsp, request)  # DE-MSP asking in FR-OUT's name
    assert status == 404
    assert cpo.of("bookings", "POST") == []
    url = f"{out.hub_url('bookings', 'RECEIVER')}/NL/INF/booking_locations/12345"
    status, body, _ = await out.request("PUT", url, json=booking_location())
    assert status == 404
    booking = booking_for(request, "RESERVED", "ACCEPTED")  # asked for by FR-OUT: no agreement
    booking["id"] = "B9"
    status, body, _ = await cpo.request(
        "PUT", f"{cpo.hub_url('bookings', 'RECEIVER')}/NL/INF/B9", json=booking
    )
    assert body["status_code"] == 4001
    status, body, _ = await cpo.request("GET", f"{cpo.hub_url('bookings', 'RECEIVER')}/NL/INF/B9")
    assert status == 404
    await asyncio.sleep(0.3)
    assert out.of("bookings") == [] and market["old"].of("bookings") == []


async def test_version_details_list_modules_in_230_only(market: dict[str, Peer]) -> None:
    """2.3.0 details list bookings and payments in both roles; 2.2.1 details list neither."""
    new, old = market["emsp"].hub_endpoints, market["old"].hub_endpoints
    for module in ("bookings", "payments"):
        assert {(module, "SENDER"), (module, "RECEIVER")} <= set(new)
        assert not any(ident == module for ident, _ in old)
