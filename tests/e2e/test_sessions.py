"""Sessions through the hub: addressed to the token's eMSP in its version, PATCHes in order,
charging preferences relayed, GET all limited to the caller's own sessions."""

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
from tests.unit.translate.test_v2_1_1_locations import location_211

CPO_230 = ("CPO", "NL", "C23")
CPO_211 = ("CPO", "NL", "C21")
EMSP_230 = ("EMSP", "DE", "M23")
EMSP_211 = ("EMSP", "DE", "M21")
OUTSIDER = ("EMSP", "FR", "OUT")


def token_230(uid: str, contract_id: str) -> dict[str, Any]:
    """A 2.3.0 RFID Token of DE-M23."""
    body = load_example("2.3.0", "token_example_2_full_rfid.json")
    body.update(country_code="DE", party_id="M23", uid=uid, contract_id=contract_id)
    return dict(body)


def token_211(uid: str, auth_id: str) -> dict[str, Any]:
    """A 2.1.1 RFID Token (of whoever's URL it is pushed to)."""
    return {
        "uid": uid,
        "type": "RFID",
        "auth_id": auth_id,
        "issuer": "M21",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": "2024-01-01T00:00:00Z",
    }


async def push_token(peer: Peer, cc: str, pid: str, body: dict[str, Any]) -> None:
    """The eMSP pushes its Token to the hub, which keeps it in its token cache."""
    url = f"{peer.hub_url('tokens', 'RECEIVER')}/{cc}/{pid}/{body['uid']}"
    status, answer, _ = await peer.request("PUT", url, json=body)
    assert status in (200, 201), answer


def location_230() -> dict[str, Any]:
    """The spec's destination charger as NL-C23's LOC1 with EVSE 3256 and connector 1."""
    loc = load_example("2.3.0", "location_example_uc2_destination_charger.json")
    loc.update(country_code="NL", party_id="C23", id="LOC1")
    loc["evses"][0]["uid"] = "3256"
    return dict(loc)


def session_230(session_id: str, emsp: tuple[str, str, str], **changes: Any) -> dict[str, Any]:
    """The spec's simple session, of NL-C23 at LOC1, for a token of ``emsp``."""
    body = load_example("2.3.0", "session_example_1_simple_start.json")
    body.update(country_code="NL", party_id="C23", id=session_id)
    body["cdr_token"].update(country_code=emsp[1], party_id=emsp[2])
    body.update(changes)
    return dict(body)


def session_211(session_id: str, auth_id: str) -> dict[str, Any]:
    """A 2.1.1 session at LOC1/E1/1 for ``auth_id``."""
    return {
        "id": session_id,
        "start_datetime": "2024-01-01T10:00:00Z",
        "kwh": 12.5,
        "auth_id": auth_id,
        "auth_method": "WHITELIST",
        "location": location_211(),
        "currency": "EUR",
        "charging_periods": [
            {
                "start_date_time": "2024-01-01T10:00:00Z",
                "dimensions": [{"type": "ENERGY", "volume": 12.5}],
            }
        ],
        "total_cost": 4.5,
        "status": "ACTIVE",
        "last_updated": "2024-01-01T11:00:00Z",
    }


async def wait_for(
    peer: Peer, module: str, predicate: Callable[[list[Received]], bool], timeout: float = 15
) -> list[Received]:
    """Poll what ``peer`` accepted on ``module`` until ``predicate`` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        got = peer.of(module)
        if predicate(got):
            return got
        assert asyncio.get_running_loop().time() < deadline, [(r.method, r.path) for r in got]
        await asyncio.sleep(0.05)


@pytest.fixture
async def roaming(hub: RunningHub, start_peer: Any) -> dict[str, Peer]:
    """CPOs on 2.3.0 and 2.1.1, eMSPs on 2.3.0 and 2.1.1 (all agreed), and an outsider."""
    peers = {
        "cpo230": await start_peer("2.3.0", [CPO_230], name="cpo230"),
        "cpo211": await start_peer("2.1.1", [CPO_211], name="cpo211"),
        "emsp230": await start_peer("2.3.0", [EMSP_230], name="emsp230"),
        "emsp211": await start_peer("2.1.1", [EMSP_211], name="emsp211"),
        "outsider": await start_peer("2.3.0", [OUTSIDER], name="outsider"),
    }
    for peer in peers.values():
        await connect(hub.app.state.runtime.db, peer, hub.versions_url)
    for cpo in ("NL-C23", "NL-C21"):
        for emsp in ("DE-M23", "DE-M21"):
            status, body = await hub.admin("POST", "/agreements", {"parties": [cpo, emsp]})
            assert status == 201, body
    await push_token(peers["emsp230"], "DE", "M23", token_230("AB123", "DE-M23-C00001"))
    await push_token(peers["emsp211"], "DE", "M21", token_211("CD456", "DE-M21-C00002"))
    cpo = peers["cpo230"]
    loc = location_230()
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/C23/LOC1"
    assert (await cpo.request("PUT", url, json=loc))[0] == 201
    return peers


def own_url(peer: Peer, cc: str, pid: str, session_id: str) -> str:
    """The hub's receiver URL of one of ``peer``'s sessions."""
    return f"{peer.hub_url('sessions', 'RECEIVER')}/{cc}/{pid}/{session_id}"


async def test_211_session_reaches_230_emsp_with_cdr_token(roaming: dict[str, Peer]) -> None:
    """A 2.1.1 CPO's Session reaches the 2.3.0 eMSP with the cdr_token of its stored Token."""
    cpo, emsp = roaming["cpo211"], roaming["emsp230"]
    status, body, _ = await cpo.request(
        "PUT", own_url(cpo, "NL", "C21", "S211"), json=session_211("S211", "DE-M23-C00001")
    )
    assert status == 201, body
    got = await wait_for(emsp, "sessions", lambda r: len(r) >= 1)
    put = got[0]
    assert put.method == "PUT"
    assert put.path.endswith("/NL/C21/S211")
    parse(model("2.3.0", "Session"), put.body)
    assert put.body["cdr_token"] == {
        "country_code": "DE",
        "party_id": "M23",
        "uid": "AB123",
        "type": "RFID",
        "contract_id": "DE-M23-C00001",
    }
    assert (put.body["country_code"], put.body["party_id"]) == ("NL", "C21")
    assert put.header("ocpi-from-party-id") == "C21"
    assert put.header("ocpi-to-party-id") == "M23"
    status, own, _ = await cpo.request("GET", own_url(cpo, "NL", "C21", "S211"))
    assert status == 200
    assert own["data"] == session_211("S211", "DE-M23-C00001")
    await asyncio.sleep(0.2)
    assert roaming["emsp211"].of("sessions") == []


async def test_patches_arrive_in_order_and_periods_append(roaming: dict[str, Peer]) -> None:
    """Session PATCHes reach the eMSP in order; the stored session appends charging_periods."""
    cpo, emsp = roaming["cpo230"], roaming["emsp230"]
    url = own_url(cpo, "NL", "C23", "S1")
    assert (await cpo.request("PUT", url, json=session_230("S1", EMSP_230)))[0] == 201
    for i in range(4):
        patch = {
            "kwh": float(i + 1),
            "charging_periods": [
                {
                    "start_date_time": f"2020-03-09T10:{20 + i}:00Z",
                    "dimensions": [{"type": "ENERGY", "volume": float(i + 1)}],
                }
            ],
            "last_updated": f"2020-03-09T10:{20 + i}:00Z",
        }
        status, body, _ = await cpo.request("PATCH", url, json=patch)
        assert status == 200, body
    got = await wait_for(emsp, "sessions", lambda r: len(r) >= 5)
    assert [r.method for r in got] == ["PUT"] + ["PATCH"] * 4
    assert [r.body["kwh"] for r in got[1:]] == [1.0, 2.0, 3.0, 4.0]
    assert all(len(r.body["charging_periods"]) == 1 for r in got[1:])
    status, own, _ = await cpo.request("GET", url)
    assert status == 200
    assert [p["dimensions"][0]["volume"] for p in own["data"]["charging_periods"]] == [
        1.0,
        2.0,
        3.0,
        4.0,
    ]
    assert own["data"]["kwh"] == 4.0
    assert own["data"]["last_updated"] == "2020-03-09T10:23:00Z"


async def test_patch_to_211_emsp_carries_every_period(roaming: dict[str, Peer]) -> None:
    """A 2.1.1 eMSP gets the Session with its Location, and PATCHes with all periods so far."""
    cpo, emsp = roaming["cpo230"], roaming["emsp211"]
    url = own_url(cpo, "NL", "C23", "S2")
    session = session_230("S2", EMSP_211)
    session["cdr_token"].update(uid="CD456", contract_id="DE-M21-C00002")
    assert (await cpo.request("PUT", url, json=session))[0] == 201
    for i in range(2):
        patch = {
            "charging_periods": [
                {
                    "start_date_time": f"2020-03-09T10:{20 + i}:00Z",
                    "dimensions": [{"type": "ENERGY", "volume": float(i + 1)}],
                }
            ],
            "last_updated": f"2020-03-09T10:{20 + i}:00Z",
        }
        assert (await cpo.request("PATCH", url, json=patch))[0] == 200
    got = await wait_for(emsp, "sessions", lambda r: len(r) >= 3)
    put = got[0]
    parse(model("2.1.1", "Session"), put.body)
    assert put.body["auth_id"] == "DE-M21-C00002"
    assert put.body["location"]["id"] == "LOC1"
    assert put.body["location"]["evses"][0]["uid"] == "3256"
    assert "country_code" not in put.body
    assert [len(r.body["charging_periods"]) for r in got[1:]] == [1, 2]
    for r in got[1:]:
        parse(model("2.1.1", "SessionPatch"), r.body)


async def test_charging_preferences_round_trip(roaming: dict[str, Peer]) -> None:
    """Charging preferences go eMSP → hub → CPO, and the CPO's answer comes back."""
    cpo, emsp = roaming["cpo230"], roaming["emsp230"]
    assert (
        await cpo.request("PUT", own_url(cpo, "NL", "C23", "S3"), json=session_230("S3", EMSP_230))
    )[0] == 201
    cpo.on(
        "PUT",
        "sessions",
        lambda r: (
            200,
            {
                "data": "DEPARTURE_REQUIRED",
                "status_code": 1000,
                "timestamp": "2024-01-01T00:00:00Z",
            },
        ),
    )
    prefs = {"profile_type": "FAST", "energy_need": 20.0}
    url = f"{emsp.hub_url('sessions', 'SENDER')}/S3/charging_preferences"
    status, body, headers = await emsp.request("PUT", url, json=prefs)
    assert status == 200, body
    assert body["status_code"] == 1000
    assert body["data"] == "DEPARTURE_REQUIRED"
    assert headers["OCPI-from-party-id"] == "C23"
    sent = cpo.of("sessions", "PUT")
    assert len(sent) == 1
    assert sent[0].path.endswith("/S3/charging_preferences")
    assert sent[0].body == prefs
    assert sent[0].header("ocpi-from-party-id") == "M23"
    assert sent[0].header("ocpi-to-party-id") == "C23"
    status, body, _ = await emsp.request(
        "PUT", f"{emsp.hub_url('sessions', 'SENDER')}/NOPE/charging_preferences", json=prefs
    )
    assert status == 404


async def test_get_all_lists_only_own_sessions(roaming: dict[str, Peer]) -> None:
    """An eMSP's GET all lists only sessions of its own tokens, with date filters and pages."""
    cpo = roaming["cpo230"]
    for i in range(3):
        body = session_230(f"A{i}", EMSP_230, last_updated=f"2024-02-0{i + 1}T00:00:00Z")
        assert (await cpo.request("PUT", own_url(cpo, "NL", "C23", f"A{i}"), json=body))[0] == 201
    other = session_230("B0", EMSP_211)
    other["cdr_token"].update(uid="CD456", contract_id="DE-M21-C00002")
    assert (await cpo.request("PUT", own_url(cpo, "NL", "C23", "B0"), json=other))[0] == 201
    emsp = roaming["emsp230"]
    sender = emsp.hub_url("sessions", "SENDER")
    status, body, _ = await emsp.request("GET", sender)
    assert status == 400
    assert body["status_code"] == 2001
    assert "date_from" in body["status_message"]
    params = {"date_from": "2024-01-01T00:00:00Z", "limit": "2"}
    status, body, headers = await emsp.request("GET", sender, params=params)
    assert status == 200
    assert [s["id"] for s in body["data"]] == ["A0", "A1"]
    assert headers["X-Total-Count"] == "3"
    link = headers["Link"].split(";")[0].strip("<>")
    status, body, headers = await emsp.request("GET", link)
    assert [s["id"] for s in body["data"]] == ["A2"]
    assert "Link" not in headers
    params = {"date_from": "2024-02-02T00:00:00Z", "date_to": "2024-02-03T00:00:00Z"}
    status, body, _ = await emsp.request("GET", sender, params=params)
    assert [s["id"] for s in body["data"]] == ["A1"]
    emsp211 = roaming["emsp211"]
    status, body, _ = await emsp211.request(
        "GET", emsp211.hub_url("sessions", "SENDER"), params={"date_from": "2020-01-01T00:00:00Z"}
    )
    assert status == 200, body
    assert [s["id"] for s in body["data"]] == ["B0"]
    parse(model("2.1.1", "Session"), body["data"][0])
    outsider = roaming["outsider"]
    status, body, _ = await outsider.request(
        "GET", outsider.hub_url("sessions", "SENDER"), params={"date_from": "2020-01-01T00:00:00Z"}
    )
    assert body["data"] == []


async def test_push_for_foreign_party_or_without_agreement_refused(
    roaming: dict[str, Peer],
) -> None:
    """A session of a party the CPO does not host, or for an eMSP without agreement, is
    refused and nothing is stored or sent."""
    cpo = roaming["cpo230"]
    foreign = session_230("F1", EMSP_230, party_id="XXX")
    status, body, _ = await cpo.request("PUT", own_url(cpo, "NL", "XXX", "F1"), json=foreign)
    assert status == 404
    assert "NL-XXX" in body["status_message"]
    unagreed = session_230("F2", OUTSIDER)
    status, body, _ = await cpo.request("PUT", own_url(cpo, "NL", "C23", "F2"), json=unagreed)
    assert status == 200
    assert body["status_code"] == 4001
    status, _, _ = await cpo.request("GET", own_url(cpo, "NL", "C23", "F2"))
    assert status == 404
    mismatch = session_230("F3", EMSP_230)
    status, body, _ = await cpo.request("PUT", own_url(cpo, "NL", "C23", "OTHER"), json=mismatch)
    assert status == 400
    assert body["status_code"] == 2001
    emsp = roaming["emsp230"]
    params = {"date_from": "2000-01-01T00:00:00Z"}
    status, body, _ = await emsp.request("GET", emsp.hub_url("sessions", "SENDER"), params=params)
    assert body["data"] == []
    await asyncio.sleep(0.3)
    for name in ("emsp230", "emsp211", "outsider"):
        assert roaming[name].of("sessions") == []


async def test_211_patch_reaches_230_emsp_with_append_semantics(roaming: dict[str, Peer]) -> None:
    """A 2.1.1 PATCH's replacing period list reaches a 2.3.0 eMSP as the periods it adds, or
    as a PUT of the whole session when it rewrites earlier periods."""
    cpo, emsp = roaming["cpo211"], roaming["emsp230"]
    url = own_url(cpo, "NL", "C21", "S4")
    session = session_211("S4", "DE-M23-C00001")
    assert (await cpo.request("PUT", url, json=session))[0] == 201
    first = session["charging_periods"][0]
    second = {
        "start_date_time": "2024-01-01T10:30:00Z",
        "dimensions": [{"type": "TIME", "volume": 0.5}],
    }
    assert (await cpo.request("PATCH", url, json={"charging_periods": [first, second]}))[0] == 200
    rewrite = {
        "start_date_time": "2024-01-01T10:00:00Z",
        "dimensions": [{"type": "TIME", "volume": 1}],
    }
    assert (await cpo.request("PATCH", url, json={"charging_periods": [rewrite]}))[0] == 200
    got = await wait_for(emsp, "sessions", lambda r: len(r) >= 3)
    assert [r.method for r in got] == ["PUT", "PATCH", "PUT"]
    assert got[1].body["charging_periods"] == [second]
    assert "last_updated" in got[1].body
    parse(model("2.3.0", "Session"), got[2].body)
    assert got[2].body["charging_periods"] == [rewrite]
    status, own, _ = await cpo.request("GET", url)
    assert status == 200
    assert own["data"]["charging_periods"] == [rewrite]
