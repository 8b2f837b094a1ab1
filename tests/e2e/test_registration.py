"""Registration end to end: real peers on loopback register with the hub, and the hub with them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ocpihub.testing import Peer

pytestmark = pytest.mark.e2e

CPO = ("CPO", "NL", "CPA")
EMSP = ("EMSP", "DE", "MSP")


def role(r: tuple[str, str, str]) -> dict[str, str]:
    """A declared role in admin API form."""
    return {"role": r[0], "country_code": r[1], "party_id": r[2]}


async def show(hub: Any, platform_id: int) -> dict[str, Any]:
    """The admin view of one platform."""
    status, body = await hub.admin("GET", f"/platforms/{platform_id}")
    assert status == 200, body
    return dict(body)


def hub_calls(peer: Peer) -> list[Any]:
    """Requests the hub made to the peer (versions, details, credentials)."""
    return [r for r in peer.received if r.module in ("versions", "credentials")]


@pytest.mark.parametrize(
    ("version", "encoded"), [("2.1.1", False), ("2.2.1", True), ("2.3.0", True)]
)
async def test_platform_initiated(hub, start_peer, version: str, encoded: bool) -> None:
    """A peer registers with token A; the hub calls back with token B in the version's encoding."""
    peer = await start_peer(version, [CPO], name="acme")
    created = await hub.add_platform("acme", roles=[role(CPO)])
    status, body = await peer.register(hub.versions_url, created["token_a"])
    assert status == 200, body
    assert body["status_code"] == 1000, body
    answer = body["data"]
    if version == "2.1.1":
        assert (answer["country_code"], answer["party_id"]) == ("NL", "HUB")
        assert answer["business_details"] == {"name": "ocpihub"}
    elif version == "2.2.1":
        assert [(r["role"], r["country_code"], r["party_id"]) for r in answer["roles"]] == [
            ("HUB", "NL", "HUB")
        ]
        assert "hub_party_id" not in answer
    else:
        assert answer["hub_party_id"] == "NLHUB"
        assert [r["role"] for r in answer["roles"]] == ["OTHER"]
    assert answer["url"] == hub.versions_url
    assert answer["token"] != created["token_a"]

    calls = hub_calls(peer)
    assert [c.path for c in calls] == ["/ocpi/versions", f"/ocpi/{version}"]
    assert all(c.accepted and c.token_was_base64 is encoded for c in calls)

    shown = await show(hub, created["id"])
    assert shown["status"] == "REGISTERED"
    assert shown["version"] == version
    assert shown["versions_url"] == peer.versions_url
    assert [
        (p["role"], p["country_code"], p["party_id"], p["status"]) for p in shown["parties"]
    ] == [(*CPO, "CONNECTED")]
    assert shown["parties"][0]["business_details"]["name"].startswith("acme")
    endpoints = {(e["identifier"], e["role"]) for e in shown["endpoints"]}
    assert ("credentials", "SENDER") in endpoints
    assert ("locations", "SENDER") in endpoints
    assert ("tokens", "RECEIVER") in endpoints

    # token A is dead; token C works everywhere
    status, _, _ = await peer.request("GET", hub.versions_url, token=created["token_a"])
    assert status == 401
    status, got, _ = await peer.request("GET", peer.hub_url("credentials"))
    assert status == 200
    assert got["data"]["token"] == answer["token"]


async def test_put_rotates_token(hub, start_peer) -> None:
    """PUT re-fetches endpoints and rotates the token: the old token C is refused afterwards."""
    peer = await start_peer("2.3.0", [CPO], name="rot")
    created = await hub.add_platform("rot")
    await peer.register(hub.versions_url, created["token_a"])
    old = peer.hub_token
    before = len(hub_calls(peer))
    status, body = await peer.update_credentials()
    assert status == 200, body
    assert body["status_code"] == 1000, body
    assert body["data"]["token"] not in (old, None)
    # the hub fetched versions and details again, with the peer's new token
    again = hub_calls(peer)[before:]
    assert [c.path for c in again] == ["/ocpi/versions", "/ocpi/2.3.0"]
    assert all(c.accepted for c in again)
    status, _, _ = await peer.request("GET", hub.versions_url, token=old)
    assert status == 401
    status, _, _ = await peer.request("GET", hub.versions_url)
    assert status == 200


async def test_put_switches_version(hub, start_peer) -> None:
    """A PUT on another version's credentials endpoint switches the platform to that version."""
    peer = await start_peer("2.2.1", [CPO], name="upgrader")
    created = await hub.add_platform("upgrader")
    await peer.register(hub.versions_url, created["token_a"])
    # the peer upgrades: it now speaks 2.3.0 and PUTs on the hub's 2.3.0 endpoint
    peer.version = "2.3.0"
    token_b = peer.issue_token()
    status, body, _ = await peer.request(
        "PUT", f"{hub.url}/ocpi/2.3.0/credentials", json=peer.credentials_body(token_b)
    )
    assert status == 200, body
    assert body["status_code"] == 1000, body
    assert body["data"]["hub_party_id"] == "NLHUB"
    shown = await show(hub, created["id"])
    assert shown["version"] == "2.3.0"
    assert any(e["url"].endswith("/ocpi/2.3.0/locations/sender") for e in shown["endpoints"])


async def test_delete_unregisters(hub, start_peer) -> None:
    """DELETE revokes the token, forgets endpoints, suspends parties; a new token A reconnects."""
    peer = await start_peer("2.2.1", [CPO], name="leaver")
    created = await hub.add_platform("leaver")
    await peer.register(hub.versions_url, created["token_a"])
    token_c = peer.hub_token
    status, body = await peer.unregister()
    assert status == 200, body
    assert body["status_code"] == 1000
    status, _, _ = await peer.request("GET", hub.versions_url, token=token_c)
    assert status == 401
    shown = await show(hub, created["id"])
    assert shown["status"] == "UNREGISTERED"
    assert shown["endpoints"] == []
    assert [p["status"] for p in shown["parties"]] == ["SUSPENDED"]

    status, issued = await hub.admin("POST", f"/platforms/{created['id']}/token")
    assert status == 201, issued
    peer.registered = False
    status, body = await peer.register(hub.versions_url, issued["token_a"])
    assert body["status_code"] == 1000, body
    shown = await show(hub, created["id"])
    assert shown["status"] == "REGISTERED"
    assert [p["status"] for p in shown["parties"]] == ["CONNECTED"]


async def test_three_parties(hub, start_peer) -> None:
    """A 2.3.0 platform hosting three parties has each recorded with role and business details."""
    parties = [CPO, ("EMSP", "NL", "CPA"), ("CPO", "BE", "BEC")]
    peer = await start_peer("2.3.0", parties, name="multi")
    created = await hub.add_platform("multi", roles=[role(p) for p in parties])
    _status, body = await peer.register(hub.versions_url, created["token_a"])
    assert body["status_code"] == 1000, body
    shown = await show(hub, created["id"])
    got = {(p["role"], p["country_code"], p["party_id"]): p for p in shown["parties"]}
    assert set(got) == set(parties)
    assert got[("CPO", "BE", "BEC")]["business_details"] == {"name": "multi BE-BEC"}


async def test_two_registrations_at_once(hub, start_peer) -> None:
    """Two platforms registering at the same moment both succeed."""
    one = await start_peer("2.3.0", [CPO], name="one")
    two = await start_peer("2.2.1", [EMSP], name="two")
    a = await hub.add_platform("one")
    b = await hub.add_platform("two")
    results = await asyncio.gather(
        one.register(hub.versions_url, a["token_a"]), two.register(hub.versions_url, b["token_a"])
    )
    assert [body["status_code"] for _, body in results] == [1000, 1000]
    assert (await show(hub, a["id"]))["status"] == "REGISTERED"
    assert (await show(hub, b["id"]))["status"] == "REGISTERED"


async def test_two_claims_of_one_party_at_once(hub, start_peer) -> None:
    """Two platforms claiming the same party at once: exactly one wins, the other gets 2001."""
    one = await start_peer("2.3.0", [CPO], name="one")
    two = await start_peer("2.3.0", [CPO], name="two")
    a = await hub.add_platform("one")
    b = await hub.add_platform("two")
    results = await asyncio.gather(
        one.register(hub.versions_url, a["token_a"]), two.register(hub.versions_url, b["token_a"])
    )
    codes = sorted(body["status_code"] for _, body in results)
    assert codes == [1000, 2001]
    loser = one if results[0][1]["status_code"] == 2001 else two
    assert loser.registered is False


async def test_230_credentials_list_agreed_parties(hub, start_peer) -> None:
    """A 2.3.0 partner's hub credentials list the parties it has an ACTIVE agreement with."""
    cpo = await start_peer("2.3.0", [CPO], name="cpo")
    emsp = await start_peer("2.2.1", [EMSP], name="emsp")
    a = await hub.add_platform("cpo")
    b = await hub.add_platform("emsp")
    assert (await cpo.register(hub.versions_url, a["token_a"]))[1]["status_code"] == 1000
    assert (await emsp.register(hub.versions_url, b["token_a"]))[1]["status_code"] == 1000
    status, made = await hub.admin("POST", "/agreements", {"parties": ["NL-CPA", "DE-MSP"]})
    assert status == 201, made
    _, got, _ = await cpo.request("GET", cpo.hub_url("credentials"))
    assert [(r["role"], r["country_code"], r["party_id"]) for r in got["data"]["roles"]] == [
        ("OTHER", "NL", "HUB"),
        EMSP,
    ]
    assert got["data"]["roles"][1]["business_details"] == {"name": "emsp DE-MSP"}
    # 2.2.1 still sees only the hub
    _, got, _ = await emsp.request("GET", emsp.hub_url("credentials"))
    assert [r["role"] for r in got["data"]["roles"]] == ["HUB"]
