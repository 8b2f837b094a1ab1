"""Commands through the hub: each command between eMSPs and CPOs of every version, relayed
synchronously with a hub response_url, the CPO's result relayed back translated; refusals."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ocpihub.store.objects import ObjectKey, put_object
from ocpihub.testing import Peer, Received
from tests.e2e.conftest import RunningHub
from tests.support.connect import connect

VERSIONS = ("2.1.1", "2.2.1", "2.3.0")
PAIRS = [(e, c) for e in VERSIONS for c in VERSIONS]
GRACE = 0.5
LAST = "2024-05-01T10:00:00Z"


def tag(version: str) -> str:
    """``2.2.1`` → ``22``: the party-id suffix of the peers of one version."""
    return version[0] + version[2]


def cpo_party(version: str) -> tuple[str, str]:
    """(country_code, party_id) of the CPO peer of ``version``."""
    return ("NL", "C" + tag(version))


def emsp_party(version: str) -> tuple[str, str]:
    """(country_code, party_id) of the eMSP peer of ``version``."""
    return ("DE", "M" + tag(version))


def token_for(version: str, owner: tuple[str, str], uid: str = "TOK1") -> dict[str, Any]:
    """A Token of ``owner`` in ``version``'s shape."""
    token: dict[str, Any] = {
        "uid": uid,
        "type": "RFID",
        "issuer": "Issuer",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": LAST,
    }
    if version == "2.1.1":
        return token | {"auth_id": f"{owner[0]}{owner[1]}C{uid}"}
    return {"country_code": owner[0], "party_id": owner[1]} | token | {"contract_id": "C" + uid}


def command_body(
    command: str, emsp_version: str, cpo_version: str, response_url: str, **changes: Any
) -> dict[str, Any]:
    """A ``command`` request in the eMSP's version aimed at the CPO of ``cpo_version``."""
    token = token_for(emsp_version, emsp_party(emsp_version))
    location = "LOC" + tag(cpo_version)
    reservation: Any = 42 if emsp_version == "2.1.1" else "R42"
    bodies: dict[str, dict[str, Any]] = {
        "START_SESSION": {"token": token, "location_id": location, "evse_uid": "E1"},
        "STOP_SESSION": {"session_id": "S" + tag(cpo_version)},
        "RESERVE_NOW": {
            "token": token,
            "location_id": location,
            "reservation_id": reservation,
            "expiry_date": (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "CANCEL_RESERVATION": {"reservation_id": reservation},
        "UNLOCK_CONNECTOR": {"location_id": location, "evse_uid": "E1", "connector_id": "1"},
    }
    return {"response_url": response_url, **bodies[command], **changes}


async def seed(hub: RunningHub, module: str, owner: tuple[str, str], object_id: str) -> None:
    """Put a stored object in the hub (as the CPO's earlier push leaves it): a routing fact."""
    async with hub.app.state.runtime.db.write() as conn:
        await put_object(
            conn,
            ObjectKey.of(module, owner[0], owner[1], object_id),
            document={"id": object_id, "country_code": owner[0], "party_id": owner[1]},
            last_updated=datetime.now(UTC),
            source_version="2.3.0",
        )


async def wait_for(
    peer: Peer, module: str, predicate: Callable[[list[Received]], bool], timeout: float = 10
) -> list[Received]:
    """Poll what ``peer`` accepted on ``module`` until ``predicate`` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        got = peer.of(module)
        if predicate(got):
            return got
        assert asyncio.get_running_loop().time() < deadline, [(r.method, r.path) for r in got]
        await asyncio.sleep(0.05)


def last(received: Received) -> str:
    """The last path segment of a request the peer received (the command)."""
    return received.rest.strip("/").rsplit("/", 1)[-1]


def callbacks(peer: Peer, name: str) -> list[Received]:
    """Results the eMSP ``peer`` received on its response_url ``.../{name}``."""
    return [r for r in peer.of("commands", "POST") if r.rest.strip("/").endswith(f"cb/{name}")]


@pytest.fixture
async def roaming(hub_factory: Any, start_peer: Any) -> dict[str, Any]:
    """A hub with a tiny result grace; a CPO and an eMSP per version, all agreed; each CPO has
    a stored Location ``LOC{tag}`` and Session ``S{tag}``; and an eMSP with no agreement."""
    hub = await hub_factory(command_result_grace_seconds=GRACE)
    peers: dict[str, Any] = {"hub": hub}
    for v in VERSIONS:
        cpo, emsp = cpo_party(v), emsp_party(v)
        peers["cpo" + tag(v)] = await start_peer(v, [("CPO", *cpo)], name="cpo" + tag(v))
        peers["emsp" + tag(v)] = await start_peer(v, [("EMSP", *emsp)], name="emsp" + tag(v))
        await seed(hub, "locations", cpo, "LOC" + tag(v))
        await seed(hub, "sessions", cpo, "S" + tag(v))
    peers["outsider"] = await start_peer("2.3.0", [("EMSP", "FR", "OUT")], name="outsider")
    for name, peer in peers.items():
        if name != "hub":
            await connect(hub.app.state.runtime.db, peer, hub.versions_url)
    for c in VERSIONS:
        for e in VERSIONS:
            parties = ["-".join(cpo_party(c)), "-".join(emsp_party(e))]
            status, body = await hub.admin("POST", "/agreements", {"parties": parties})
            assert status == 201, body
    return peers


async def send(
    roaming: dict[str, Any],
    command: str,
    emsp_version: str,
    cpo_version: str,
    name: str,
    emsp: Peer | None = None,
    **changes: Any,
) -> tuple[int, Any]:
    """The eMSP of ``emsp_version`` sends ``command`` (response_url ``.../cb/{name}``)."""
    emsp = emsp or roaming["emsp" + tag(emsp_version)]
    url = f"{emsp.hub_url('commands', 'RECEIVER')}/{command}"
    response_url = f"{emsp.module_url('commands', 'SENDER')}/cb/{name}"
    body = command_body(command, emsp_version, cpo_version, response_url, **changes)
    status, answer, _ = await emsp.request("POST", url, json=body)
    return status, answer


async def post_result(cpo: Peer, received: Received, result: str) -> tuple[int, Any]:
    """The CPO posts ``result`` to the response_url the hub gave it."""
    status, answer, _ = await cpo.request(
        "POST", received.body["response_url"], json={"result": result}
    )
    return status, answer


@pytest.mark.parametrize(("emsp_v", "cpo_v"), PAIRS)
async def test_start_session_round_trip(roaming: dict[str, Any], emsp_v: str, cpo_v: str) -> None:
    """START_SESSION reaches the Location's CPO in its version with a hub response_url; the
    CommandResponse and the later CommandResult reach the eMSP in its version."""
    hub: RunningHub = roaming["hub"]
    cpo: Peer = roaming["cpo" + tag(cpo_v)]
    emsp: Peer = roaming["emsp" + tag(emsp_v)]
    status, answer = await send(roaming, "START_SESSION", emsp_v, cpo_v, "start")
    assert status == 200 and answer["status_code"] == 1000, answer
    assert answer["data"]["result"] == "ACCEPTED"
    cpo_timeout = 60 if cpo_v == "2.1.1" else 30  # 2.1.1 gives none: the hub assumes 60
    if emsp_v == "2.1.1":
        assert "timeout" not in answer["data"]
    else:
        assert answer["data"]["timeout"] == cpo_timeout + 1  # the CPO's + the grace, rounded up
    (got,) = cpo.of("commands", "POST")
    assert last(got) == "START_SESSION"
    assert got.body["response_url"].startswith(f"{hub.url}/ocpi/{cpo_v}/commands/sender/results/")
    assert got.body["location_id"] == "LOC" + tag(cpo_v)
    token = got.body["token"]
    assert ("auth_id" in token) == (cpo_v == "2.1.1")
    if cpo_v != "2.1.1":
        assert (token["country_code"], token["party_id"]) == emsp_party(emsp_v)
        assert got.header("ocpi-to-party-id") == cpo_party(cpo_v)[1]
        assert got.header("ocpi-from-party-id") == emsp_party(emsp_v)[1]
    status, ack = await post_result(cpo, got, "ACCEPTED")
    assert status == 200 and ack["status_code"] == 1000, ack
    (result,) = await wait_for(emsp, "commands", lambda r: len(callbacks(emsp, "start")) == 1)
    assert result.body == {"result": "ACCEPTED"}
    if emsp_v != "2.1.1":
        assert result.header("ocpi-from-party-id") == cpo_party(cpo_v)[1]


@pytest.mark.parametrize(
    ("command", "emsp_v", "cpo_v", "routed_by"),
    [
        ("STOP_SESSION", "2.1.1", "2.3.0", "session_id"),
        ("STOP_SESSION", "2.3.0", "2.1.1", "session_id"),
        ("UNLOCK_CONNECTOR", "2.2.1", "2.1.1", "location_id"),
        ("UNLOCK_CONNECTOR", "2.3.0", "2.2.1", "location_id"),
        ("RESERVE_NOW", "2.3.0", "2.1.1", "location_id"),
        ("RESERVE_NOW", "2.1.1", "2.2.1", "location_id"),
    ],
)
async def test_other_commands_between_versions(
    roaming: dict[str, Any], command: str, emsp_v: str, cpo_v: str, routed_by: str
) -> None:
    """STOP_SESSION, UNLOCK_CONNECTOR and RESERVE_NOW reach the right CPO in its version, and
    a result the CPO posts reaches the eMSP translated (2.1.1 results are CommandResponses)."""
    cpo: Peer = roaming["cpo" + tag(cpo_v)]
    emsp: Peer = roaming["emsp" + tag(emsp_v)]
    status, answer = await send(roaming, command, emsp_v, cpo_v, "cmd")
    assert status == 200 and answer["data"]["result"] == "ACCEPTED", answer
    (got,) = cpo.of("commands", "POST")
    assert last(got) == command
    assert routed_by in got.body
    if command == "RESERVE_NOW":
        assert isinstance(got.body["reservation_id"], int if cpo_v == "2.1.1" else str)
    await post_result(cpo, got, "REJECTED")
    (result,) = await wait_for(emsp, "commands", lambda r: len(callbacks(emsp, "cmd")) == 1)
    assert result.body == {"result": "REJECTED"}


async def test_cancel_reservation_routed_by_reservation(roaming: dict[str, Any]) -> None:
    """CANCEL_RESERVATION without OCPI-to reaches the CPO that took the RESERVE_NOW."""
    cpo: Peer = roaming["cpo22"]
    status, answer = await send(roaming, "RESERVE_NOW", "2.3.0", "2.2.1", "reserve")
    assert answer["data"]["result"] == "ACCEPTED", answer
    status, answer = await send(roaming, "CANCEL_RESERVATION", "2.3.0", "2.2.1", "cancel")
    assert status == 200 and answer["data"]["result"] == "ACCEPTED", answer
    sent = cpo.of("commands", "POST")
    assert [last(r) for r in sent] == ["RESERVE_NOW", "CANCEL_RESERVATION"]
    assert sent[1].body["reservation_id"] == "R42"


async def test_cancel_reservation_to_211_cpo_is_not_supported(roaming: dict[str, Any]) -> None:
    """A CANCEL_RESERVATION for a 2.1.1 CPO is answered NOT_SUPPORTED by the hub, not sent."""
    cpo: Peer = roaming["cpo21"]
    await send(roaming, "RESERVE_NOW", "2.3.0", "2.1.1", "reserve")
    status, answer = await send(roaming, "CANCEL_RESERVATION", "2.3.0", "2.1.1", "cancel")
    assert status == 200 and answer["data"]["result"] == "NOT_SUPPORTED", answer
    assert [last(r) for r in cpo.of("commands", "POST")] == ["RESERVE_NOW"]


async def test_cpo_rejects(roaming: dict[str, Any]) -> None:
    """A CPO's REJECTED answer is relayed; its mapping is gone, so a result for it is refused."""
    cpo: Peer = roaming["cpo23"]
    cpo.on(
        "POST",
        "commands",
        lambda r: (
            200,
            {"status_code": 1000, "timestamp": LAST, "data": {"result": "REJECTED", "timeout": 5}},
        ),
    )
    status, answer = await send(roaming, "START_SESSION", "2.1.1", "2.3.0", "rej")
    assert status == 200 and answer["data"] == {"result": "REJECTED"}, answer
    (got,) = cpo.of("commands", "POST")
    status, ack = await post_result(cpo, got, "ACCEPTED")
    assert status == 404 and ack["status_code"] == 2000, ack
    assert callbacks(roaming["emsp21"], "rej") == []


async def test_cpo_error_status_is_relayed(roaming: dict[str, Any]) -> None:
    """A CPO's OCPI error (2003 unknown location) reaches a 2.3.0 eMSP unchanged."""
    cpo: Peer = roaming["cpo22"]
    cpo.on(
        "POST",
        "commands",
        lambda r: (404, {"status_code": 2003, "timestamp": LAST, "status_message": "no LOC"}),
    )
    status, answer = await send(roaming, "START_SESSION", "2.3.0", "2.2.1", "err")
    assert status == 404 and answer["status_code"] == 2003, answer


async def test_without_agreement_nothing_is_forwarded(roaming: dict[str, Any]) -> None:
    """An eMSP without an agreement with the CPO is refused (4001); the CPO receives nothing,
    whether it names the CPO with OCPI-to or lets the hub look the Location up."""
    outsider: Peer = roaming["outsider"]
    _, answer = await send(roaming, "START_SESSION", "2.3.0", "2.3.0", "x", emsp=outsider)
    assert answer["status_code"] == 4001, answer
    url = f"{outsider.hub_url('commands', 'RECEIVER')}/STOP_SESSION"
    headers = {"OCPI-to-country-code": "NL", "OCPI-to-party-id": "C23"}
    body = {
        "response_url": f"{outsider.module_url('commands', 'SENDER')}/cb/y",
        "session_id": "S23",
    }
    _status, answer, _ = await outsider.request("POST", url, json=body, headers=headers)
    assert answer["status_code"] == 4001, answer
    assert roaming["cpo23"].of("commands") == []


async def test_unknown_location_and_unknown_command(roaming: dict[str, Any]) -> None:
    """A location no agreed CPO has is refused (4001, 2.1.1: 3000); an unknown command is 404."""
    status, answer = await send(roaming, "START_SESSION", "2.3.0", "2.3.0", "u", location_id="NOPE")
    assert answer["status_code"] == 4001, answer
    status, answer = await send(roaming, "START_SESSION", "2.1.1", "2.3.0", "u", location_id="NOPE")
    assert answer["status_code"] == 3000 and "4001" in answer["status_message"], answer
    emsp: Peer = roaming["emsp21"]
    url = f"{emsp.hub_url('commands', 'RECEIVER')}/CANCEL_RESERVATION"
    status, answer, _ = await emsp.request("POST", url, json={"response_url": "http://x/y"})
    assert status == 404, answer


async def test_version_details_list_commands_and_chargingprofiles(roaming: dict[str, Any]) -> None:
    """2.2+ details list commands and chargingprofiles in both roles; 2.1.1 only commands."""
    for v in ("2.2.1", "2.3.0"):
        endpoints = roaming["emsp" + tag(v)].hub_endpoints
        for module in ("commands", "chargingprofiles"):
            assert {(module, "SENDER"), (module, "RECEIVER")} <= set(endpoints)
    assert {ident for ident, _ in roaming["emsp21"].hub_endpoints} >= {"commands"}
    assert "chargingprofiles" not in {ident for ident, _ in roaming["cpo21"].hub_endpoints}
