"""Charging Profiles through the hub (2.2.1, 2.3.0): set, get and clear relayed to the CPO of
the session with a hub response_url, results relayed back, and the CPO's ActiveChargingProfile
updates routed to the party that last set a profile."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ocpihub.testing import Peer, Received
from tests.e2e.conftest import RunningHub
from tests.e2e.test_commands import LAST, seed, wait_for
from tests.support.connect import connect

PROFILE = {
    "charging_rate_unit": "W",
    "charging_profile_period": [{"start_period": 0, "limit": 11000.0}],
}
ACTIVE = {"start_date_time": LAST, "charging_profile": PROFILE}
REQUESTER_MODULES = [("chargingprofiles", "SENDER"), ("sessions", "RECEIVER")]


def accepts(r: Received) -> tuple[int, Any]:
    """The CPO's ChargingProfileResponse: ACCEPTED, result within 10 s."""
    data = {"result": "ACCEPTED", "timeout": 10}
    return 200, {"status_code": 1000, "timestamp": LAST, "data": data}


@pytest.fixture
async def smart(hub: RunningHub, start_peer: Any) -> dict[str, Any]:
    """CPOs on 2.2.1 (session S22) and 2.3.0 (S23); an SCSP on 2.3.0 and an eMSP on 2.2.1,
    both agreed with both CPOs."""
    peers: dict[str, Any] = {
        "cpo22": await start_peer("2.2.1", [("CPO", "NL", "C22")], name="cpo22"),
        "cpo23": await start_peer("2.3.0", [("CPO", "NL", "C23")], name="cpo23"),
        "scsp23": await start_peer(
            "2.3.0", [("SCSP", "BE", "S23")], name="scsp23", modules=REQUESTER_MODULES
        ),
        "emsp22": await start_peer("2.2.1", [("EMSP", "DE", "M22")], name="emsp22"),
    }
    for peer in peers.values():
        await connect(hub.app.state.runtime.db, peer, hub.versions_url)
    for cpo in ("NL-C22", "NL-C23"):
        for other in ("BE-S23", "DE-M22"):
            status, body = await hub.admin("POST", "/agreements", {"parties": [cpo, other]})
            assert status == 201, body
    for cpo in ("cpo22", "cpo23"):
        for method in ("PUT", "GET", "DELETE"):
            peers[cpo].on(method, "chargingprofiles", accepts)
    await seed(hub, "sessions", ("NL", "C22"), "S22")
    await seed(hub, "sessions", ("NL", "C23"), "S23")
    peers["hub"] = hub
    return peers


def results(peer: Peer, name: str) -> list[Received]:
    """What the requester received on its response_url ``.../cb/{name}``."""
    return [
        r for r in peer.of("chargingprofiles", "POST") if r.rest.strip("/").endswith(f"cb/{name}")
    ]


async def ask(requester: Peer, kind: str, session_id: str) -> tuple[int, Any]:
    """The requester sets, gets or clears the profile of ``session_id`` (no OCPI-to)."""
    url = f"{requester.hub_url('chargingprofiles', 'RECEIVER')}/{session_id}"
    own = f"{requester.module_url('chargingprofiles', 'SENDER')}/cb/{kind}"
    if kind == "set":
        body = {"charging_profile": PROFILE, "response_url": own}
        status, answer, _ = await requester.request("PUT", url, json=body)
    elif kind == "get":
        params = {"duration": "900", "response_url": own}
        status, answer, _ = await requester.request("GET", url, params=params)
    else:
        status, answer, _ = await requester.request("DELETE", url, params={"response_url": own})
    return status, answer


def hub_response_url(received: Received) -> str:
    """The response_url the hub gave the CPO (body for PUT, query string otherwise)."""
    if received.method == "PUT":
        return str(received.body["response_url"])
    return received.query["response_url"]


@pytest.mark.parametrize(("requester_name", "cpo_name"), [("scsp23", "cpo22"), ("emsp22", "cpo23")])
async def test_set_get_clear_round_trips(
    smart: dict[str, Any], requester_name: str, cpo_name: str
) -> None:
    """Set, get and clear reach the session's CPO with a hub response_url; the answer and the
    matching result object (told apart by the callback URL) reach the requester."""
    hub: RunningHub = smart["hub"]
    requester: Peer = smart[requester_name]
    cpo: Peer = smart[cpo_name]
    session_id = "S" + cpo_name[-2:]
    version = cpo.version
    result_bodies = {
        "set": {"result": "ACCEPTED"},
        "get": {"result": "ACCEPTED", "profile": ACTIVE},
        "clear": {"result": "ACCEPTED"},
    }
    for n, (kind, method) in enumerate((("set", "PUT"), ("get", "GET"), ("clear", "DELETE"))):
        status, answer = await ask(requester, kind, session_id)
        assert status == 200 and answer["data"] == {"result": "ACCEPTED", "timeout": 10}, answer
        got = cpo.of("chargingprofiles")[n]
        assert got.method == method and got.rest.strip("/").endswith(session_id)
        callback = hub_response_url(got)
        assert callback.startswith(f"{hub.url}/ocpi/{version}/chargingprofiles/sender/results/")
        if kind == "get":
            assert got.query["duration"] == "900"
        assert got.header("ocpi-from-party-id") == requester.parties[0][2]
        status, ack, _ = await cpo.request("POST", callback, json=result_bodies[kind])
        assert status == 200 and ack["status_code"] == 1000, ack
        await wait_for(
            requester, "chargingprofiles", lambda r, k=kind: len(results(requester, k)) == 1
        )
        (result,) = results(requester, kind)
        assert result.body == result_bodies[kind]


async def test_result_of_the_wrong_kind_is_refused_and_duplicates_dropped(
    smart: dict[str, Any],
) -> None:
    """A GET's callback takes only an ActiveChargingProfileResult; a second result is not
    relayed; another platform cannot post to the CPO's callback URL."""
    requester: Peer = smart["scsp23"]
    cpo: Peer = smart["cpo23"]
    await ask(requester, "get", "S23")
    (got,) = cpo.of("chargingprofiles")
    callback = hub_response_url(got)
    status, ack, _ = await smart["cpo22"].request("POST", callback, json={"result": "ACCEPTED"})
    assert status == 404, ack
    status, ack, _ = await cpo.request("POST", callback, json={"result": "MAYBE"})
    assert ack["status_code"] == 2001, ack
    for _ in range(2):
        status, ack, _ = await cpo.request("POST", callback, json={"result": "UNKNOWN"})
        assert ack["status_code"] == 1000, ack
    await wait_for(requester, "chargingprofiles", lambda r: len(results(requester, "get")) >= 1)
    await asyncio.sleep(0.3)
    assert [r.body for r in results(requester, "get")] == [{"result": "UNKNOWN"}]


async def test_active_profile_reaches_the_last_setter(smart: dict[str, Any]) -> None:
    """The CPO's ActiveChargingProfile goes to the party whose set was last ACCEPTED; with no
    setter the hub refuses it (4001) and nobody receives it."""
    cpo: Peer = smart["cpo22"]
    scsp: Peer = smart["scsp23"]
    emsp: Peer = smart["emsp22"]
    url = f"{cpo.hub_url('chargingprofiles', 'SENDER')}/S22"
    status, answer, _ = await cpo.request("PUT", url, json=ACTIVE)
    assert answer["status_code"] == 4001, answer
    for setter in (scsp, emsp):
        await ask(setter, "set", "S22")
        callback = hub_response_url(cpo.of("chargingprofiles", "PUT")[-1])
        await cpo.request("POST", callback, json={"result": "ACCEPTED"})
        await wait_for(setter, "chargingprofiles", lambda r, s=setter: len(results(s, "set")) == 1)
        status, answer, _ = await cpo.request("PUT", url, json=ACTIVE)
        assert status == 200 and answer["status_code"] == 1000, answer
        (put,) = setter.of("chargingprofiles", "PUT")
        assert put.rest.strip("/").endswith("S22") and put.body == ACTIVE
        assert put.header("ocpi-from-party-id") == "C22"
    assert len(scsp.of("chargingprofiles", "PUT")) == 1  # the second update went to the eMSP


async def test_unknown_session_is_refused(smart: dict[str, Any]) -> None:
    """A session no agreed CPO has is refused (4001) and nothing is forwarded."""
    _status, answer = await ask(smart["scsp23"], "set", "NOPE")
    assert answer["status_code"] == 4001, answer
    assert smart["cpo22"].of("chargingprofiles") == smart["cpo23"].of("chargingprofiles") == []
