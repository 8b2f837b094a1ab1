"""Tokens through the hub: eMSPs' pushes reach CPOs in their version; real-time authorization
round trips between CPOs and eMSPs of every version pair."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from ocpihub.ocpi.fields import parse
from ocpihub.ocpi.registry import model
from ocpihub.testing import Peer, Received
from tests.e2e.conftest import RunningHub
from tests.support.connect import connect
from tests.support.servers import free_port

VERSIONS = ("2.1.1", "2.2.1", "2.3.0")
LAST = "2024-05-01T10:00:00Z"


def tag(version: str) -> str:
    """``2.2.1`` → ``22``: the party-id suffix of the peers of one version."""
    return version[0] + version[2]


def token_for(version: str, owner: tuple[str, str], uid: str, token_type: str = "RFID") -> Any:
    """A Token of ``owner`` in ``version``'s shape."""
    token: dict[str, Any] = {
        "uid": uid,
        "type": token_type,
        "issuer": "Issuer",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": LAST,
    }
    if version == "2.1.1":
        return token | {"auth_id": f"{owner[0]}{owner[1]}C{uid}"[:36]}
    return {"country_code": owner[0], "party_id": owner[1]} | token | {"contract_id": "C" + uid}


def references(version: str) -> dict[str, Any]:
    """A LocationReferences body in ``version``'s shape."""
    refs: dict[str, Any] = {"location_id": "LOC1", "evse_uids": ["EVSE1"]}
    return refs | {"connector_ids": ["1"]} if version == "2.1.1" else refs


def envelope(data: Any = None, status_code: int = 1000, message: str | None = None) -> Any:
    """An OCPI response envelope."""
    body = {"status_code": status_code, "timestamp": LAST, "status_message": message}
    return body | ({"data": data} if data is not None else {})


def emsp_answers(peer: Peer, known: dict[str, Any]) -> Callable[[Received], Any]:
    """The eMSP's authorize handler: ALLOWED for ``known`` uids, unknown otherwise."""

    async def answer(r: Received) -> tuple[int, Any]:
        uid = r.rest.strip("/").split("/")[-2]
        if uid == "SLOW":
            await asyncio.sleep(1.5)
        if uid not in known:
            if peer.version == "2.1.1":  # 2.1.1 has no 2004: HTTP 404 says it
                return 404, envelope(None, 2000, "unknown token")
            return 404, envelope(None, 2004, "unknown token")
        info: dict[str, Any] = {"allowed": "ALLOWED", "location": references(peer.version)}
        if peer.version != "2.1.1":
            info |= {"token": known[uid], "authorization_reference": "REF-" + uid}
        return 200, envelope(info)

    return answer


async def wait_for(
    peer: Peer, predicate: Callable[[list[Received]], bool], timeout: float = 10
) -> list[Received]:
    """Poll what ``peer`` accepted on tokens until ``predicate`` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        got = [r for r in peer.of("tokens") if r.method != "POST"]
        if predicate(got):
            return got
        assert asyncio.get_running_loop().time() < deadline, [(r.method, r.path) for r in got]
        await asyncio.sleep(0.05)


@pytest.fixture
async def hub(hub_factory: Any) -> RunningHub:
    """A hub that gives up on a partner after one second (timeout tests stay short)."""
    started: RunningHub = await hub_factory(request_timeout=1.0)
    return started


@pytest.fixture
async def roaming(hub: RunningHub, start_peer: Any) -> dict[str, Any]:
    """CPOs and eMSPs on every version, all agreed pairwise; an eMSP without agreements; an
    agreed eMSP that never answers (nothing listens on its port)."""
    runtime = hub.app.state.runtime
    cpos = {
        v: await start_peer(v, [("CPO", "NL", f"C{tag(v)}")], name=f"cpo-{v}") for v in VERSIONS
    }
    emsps = {
        v: await start_peer(v, [("EMSP", "DE", f"E{tag(v)}")], name=f"emsp-{v}") for v in VERSIONS
    }
    outsider = await start_peer("2.2.1", [("EMSP", "FR", "OUT")], name="outsider")
    down = Peer(version="2.2.1", parties=[("EMSP", "FR", "DWN")], name="down")
    down.base_url = f"http://127.0.0.1:{free_port()}"
    outsider_cpo = await start_peer("2.3.0", [("CPO", "FR", "OCP")], name="outsider-cpo")
    for peer in (*cpos.values(), *emsps.values(), outsider, down, outsider_cpo):
        await connect(runtime.db, peer, hub.versions_url)
    for cpo in cpos.values():
        for emsp in (*emsps.values(), down):
            parties = [f"NL-{cpo.parties[0][2]}", f"{emsp.parties[0][1]}-{emsp.parties[0][2]}"]
            status, body = await hub.admin("POST", "/agreements", {"parties": parties})
            assert status == 201, body
    known: dict[str, dict[str, Any]] = {}
    for version, emsp in (*emsps.items(), ("2.2.1", outsider)):
        owner = (emsp.parties[0][1], emsp.parties[0][2])
        known[owner[1]] = {}
        for uid in (f"TOK-{owner[1]}", f"GONE-{owner[1]}"):
            token = token_for(version, owner, uid)
            url = f"{emsp.hub_url('tokens', 'RECEIVER')}/{owner[0]}/{owner[1]}/{uid}"
            status, body, _ = await emsp.request("PUT", url, json=token)
            assert status == 201, body
            if uid.startswith("TOK"):  # the eMSP forgot its GONE token: it answers "unknown"
                known[owner[1]][uid] = token
        emsp.on("POST", "tokens", emsp_answers(emsp, known[owner[1]]))
    return {"cpos": cpos, "emsps": emsps, "outsider": outsider, "outsider_cpo": outsider_cpo}


async def test_token_push_patch_pull_and_refusals(roaming: dict[str, Any]) -> None:
    """A 2.2.1 eMSP's Token reaches 2.3.0, 2.2.1 and 2.1.1 CPOs in their shapes, its PATCH after;
    CPOs pull it in their version; an EMAID token is held back from 2.2.1 and 2.1.1 CPOs. Pushes
    for a foreign party (404), a type differing from the URL (2001), PATCHes of unknown tokens
    (404) and pushes by a CPO (404) are refused and store nothing; GET own honours ``type``."""
    emsp: Peer = roaming["emsps"]["2.2.1"]
    url = f"{emsp.hub_url('tokens', 'RECEIVER')}/DE/E22/TOK-E22"
    patch = {"valid": False, "last_updated": "2024-05-02T10:00:00Z"}
    status, body, _ = await emsp.request("PATCH", url, json=patch)
    assert status == 200, body
    for version, cpo in roaming["cpos"].items():
        got = await wait_for(cpo, lambda r: sum(x.rest.endswith("TOK-E22") for x in r) >= 2)
        mine = [r for r in got if r.path.endswith("/DE/E22/TOK-E22")]
        assert [r.method for r in mine] == ["PUT", "PATCH"]
        put, patched = mine
        parse(model(version, "Token"), put.body)
        assert patched.body["valid"] is False
        if version == "2.1.1":
            assert put.query == {}
            assert put.body["auth_id"] == "CTOK-E22"
            assert "country_code" not in put.body
        else:
            assert put.query == {"type": "RFID"}
            assert put.header("ocpi-from-party-id") == "HUB"
            assert patched.body == patch
        if version == "2.2.1":
            assert put.body == token_for("2.2.1", ("DE", "E22"), "TOK-E22")
        status, body, _ = await cpo.request("GET", cpo.hub_url("tokens", "SENDER"))
        assert status == 200
        assert len(body["data"]) == 6  # TOK and GONE of the three agreed eMSPs
        for item in body["data"]:
            parse(model(version, "Token"), item)
    assert roaming["outsider_cpo"].of("tokens") == []
    modern: Peer = roaming["emsps"]["2.3.0"]
    emaid = token_for("2.3.0", ("DE", "E23"), "EM-1", "EMAID")
    base = modern.hub_url("tokens", "RECEIVER")
    status, _, _ = await modern.request("PUT", f"{base}/DE/E23/EM-1?type=EMAID", json=emaid)
    assert status == 201
    got = await wait_for(roaming["cpos"]["2.3.0"], lambda r: any("EM-1" in x.rest for x in r))
    assert [r.query for r in got if "EM-1" in r.rest] == [{"type": "EMAID"}]
    await asyncio.sleep(0.3)
    for version in ("2.2.1", "2.1.1"):
        assert not any("EM-1" in r.rest for r in roaming["cpos"][version].of("tokens"))
    legacy: Peer = roaming["emsps"]["2.1.1"]
    url = f"{legacy.hub_url('tokens')}/DE/E21/TOK-E21"
    status, body, _ = await legacy.request("PATCH", url, json={"valid": False})
    assert status == 200, body  # 2.1.1: no type in the URL, no last_updated in the body
    for version, cpo in roaming["cpos"].items():
        got = await wait_for(
            cpo, lambda r: any(x.method == "PATCH" and x.path.endswith("E21/TOK-E21") for x in r)
        )
        patched = next(r for r in got if r.method == "PATCH" and r.path.endswith("E21/TOK-E21"))
        parse(model(version, "TokenPatch"), patched.body)
        assert patched.body["valid"] is False
        assert ("last_updated" in patched.body) is (version != "2.1.1")
        assert patched.query == ({} if version == "2.1.1" else {"type": "RFID"})

    emsp: Peer = roaming["emsps"]["2.3.0"]
    base = emsp.hub_url("tokens", "RECEIVER")
    foreign = token_for("2.3.0", ("DE", "E22"), "X1")
    status, body, _ = await emsp.request("PUT", f"{base}/DE/E22/X1", json=foreign)
    assert status == 404
    assert "DE-E22" in body["status_message"]
    app = token_for("2.3.0", ("DE", "E23"), "X1", "APP_USER")
    status, body, _ = await emsp.request("PUT", f"{base}/DE/E23/X1", json=app)
    assert (status, body["status_code"]) == (400, 2001)
    assert "type" in body["status_message"]
    status, body, _ = await emsp.request(
        "PATCH", f"{base}/DE/E23/NOPE", json={"last_updated": LAST}
    )
    assert status == 404
    status, body, _ = await emsp.request("PATCH", f"{base}/DE/E23/TOK-E23", json={"valid": False})
    assert (status, body["status_code"]) == (400, 2001)  # 2.2+ PATCH needs last_updated
    status, body, _ = await emsp.request("GET", f"{base}/DE/E23/TOK-E23")
    assert (status, body["data"]["uid"]) == (200, "TOK-E23")
    status, body, _ = await emsp.request("GET", f"{base}/DE/E23/TOK-E23?type=APP_USER")
    assert status == 404
    cpo: Peer = roaming["cpos"]["2.3.0"]
    status, body, _ = await cpo.request(
        "PUT",
        f"{cpo.hub_url('tokens', 'RECEIVER')}/NL/C23/X2",
        json=token_for("2.3.0", ("NL", "C23"), "X2"),
    )
    assert status == 404
    await asyncio.sleep(0.3)
    for other in roaming["cpos"].values():
        assert not any(x in r.rest for r in other.of("tokens") for x in ("X1", "X2"))


async def test_authorize_every_version_pair_and_refusals(roaming: dict[str, Any]) -> None:
    """Real-time authorize round trips between every CPO and eMSP version pair: LocationReferences
    passed on, AuthorizationInfo relayed in the CPO's version, ids and parties on every hop; a
    token the eMSP does not know is 404 + 2004 (2.1.1 CPOs: 404 + 2000). Unknown tokens are 404 +
    2004 from the hub; an eMSP without agreement is refused (2004 without OCPI-to, 4001 with it)
    and receives nothing; an unreachable eMSP is 4003, a slow one 4002; 2.1.1 CPOs get 2000/3000."""
    for cpo_version, cpo in roaming["cpos"].items():
        sender = cpo.hub_url("tokens", "SENDER")
        cpo_pid = cpo.parties[0][2]
        for emsp_version, emsp in roaming["emsps"].items():
            pid = emsp.parties[0][2]
            correlation = f"corr-{cpo_pid}-{pid}"
            status, body, headers = await cpo.request(
                "POST",
                f"{sender}/TOK-{pid}/authorize",
                json=references(cpo_version),
                headers={"X-Correlation-ID": correlation, "X-Request-ID": "req-cpo"},
            )
            pair = f"CPO {cpo_version} -> eMSP {emsp_version}"
            assert (status, body["status_code"]) == (200, 1000), (pair, body)
            info = body["data"]
            parse(model(cpo_version, "AuthorizationInfo"), info)
            assert info["allowed"] == "ALLOWED"
            assert info["location"]["location_id"] == "LOC1"
            if cpo_version == "2.1.1":
                assert "token" not in info
            else:
                assert (info["token"]["uid"], info["token"]["party_id"]) == (f"TOK-{pid}", pid)
                assert headers["OCPI-from-party-id"] == pid
                assert headers["OCPI-to-party-id"] == cpo_pid
            asked = emsp.of("tokens", "POST")[-1]
            assert asked.rest.endswith(f"TOK-{pid}/authorize")
            assert asked.query == {"type": "RFID"}
            parse(model(emsp_version, "LocationReferences"), asked.body)
            assert ("connector_ids" in asked.body) == (cpo_version == emsp_version == "2.1.1")
            assert asked.header("x-correlation-id") == correlation
            assert asked.header("x-request-id") not in (None, "req-cpo")
            assert asked.token_was_base64 is (emsp_version != "2.1.1")
            if emsp_version != "2.1.1":
                assert asked.header("ocpi-from-party-id") == cpo_pid
                assert asked.header("ocpi-to-party-id") == pid
            status, body, _ = await cpo.request("POST", f"{sender}/GONE-{pid}/authorize")
            expected = 2000 if cpo_version == "2.1.1" else 2004
            assert (status, body["status_code"]) == (404, expected), (pair, body)
            assert emsp.of("tokens", "POST")[-1].rest.endswith(f"GONE-{pid}/authorize")

    outsider: Peer = roaming["outsider"]
    for version, cpo in roaming["cpos"].items():
        legacy = version == "2.1.1"
        sender = cpo.hub_url("tokens", "SENDER")
        cases = [
            ("NOPE", None, 404, 2000 if legacy else 2004),
            ("TOK-OUT", None, 404, 2000 if legacy else 2004),
            ("TOK-OUT", ("FR", "OUT"), 200, 3000 if legacy else 4001),
            ("TOK-DWN", ("FR", "DWN"), 200, 3000 if legacy else 4003),
        ]
        if version != "2.2.1":  # each timeout costs a second: one legacy, one modern caller
            cases.append(("SLOW", ("DE", "E22"), 200, 3000 if legacy else 4002))
        for uid, to, http, code in cases:
            headers = {"OCPI-to-country-code": to[0], "OCPI-to-party-id": to[1]} if to else {}
            status, body, _ = await cpo.request(
                "POST", f"{sender}/{uid}/authorize?type=RFID", headers=headers
            )
            assert (status, body["status_code"]) == (http, code), (version, uid, body)
            assert body["status_message"]
    assert outsider.of("tokens", "POST") == []
