"""Registration refusals end to end: every error path leaves the platform as it was."""

from __future__ import annotations

from typing import Any

import pytest

from ocpihub.testing import Peer
from tests.support.servers import free_port

pytestmark = pytest.mark.e2e

CPO = ("CPO", "NL", "CPA")
EMSP = ("EMSP", "DE", "MSP")


def role(r: tuple[str, str, str]) -> dict[str, str]:
    """A declared role in admin API form."""
    return {"role": r[0], "country_code": r[1], "party_id": r[2]}


async def assert_unchanged(hub: Any, peer: Peer, created: dict[str, Any]) -> None:
    """The platform is still NEW (its declared parties PLANNED) and its token A still opens the
    versions endpoint."""
    status, shown = await hub.admin("GET", f"/platforms/{created['id']}")
    assert shown["status"] == "NEW"
    declared = [(r["role"], r["country_code"], r["party_id"]) for r in shown["declared_roles"]]
    assert [(p["role"], p["country_code"], p["party_id"]) for p in shown["parties"]] == declared
    assert {p["status"] for p in shown["parties"]} <= {"PLANNED"}
    assert shown["endpoints"] == []
    status, _, _ = await peer.request("GET", hub.versions_url, token=created["token_a"])
    assert status == 200


async def post_credentials(
    hub: Any, peer: Peer, token: str, version: str, body: Any
) -> tuple[int, Any]:
    """POST a credentials body to the hub's credentials endpoint of ``version``."""
    status, got, _ = await peer.request(
        "POST", f"{hub.url}/ocpi/{version}/credentials", json=body, token=token
    )
    return status, got


async def test_3001_partner_down_then_retry(hub, start_peer) -> None:
    """The peer's versions endpoint fails: 3001, nothing changes, and a retry then works."""
    peer = await start_peer("2.3.0", [CPO], name="flaky")
    created = await hub.add_platform("flaky")
    peer.down = True
    status, body = await peer.register(hub.versions_url, created["token_a"])
    assert status == 200
    assert body["status_code"] == 3001, body
    assert "503" in body["status_message"]
    await assert_unchanged(hub, peer, created)
    peer.down = False
    status, body = await peer.register(hub.versions_url, created["token_a"])
    assert body["status_code"] == 1000, body


async def test_3001_hub_initiated_unreachable(hub) -> None:
    """The hub cannot reach the partner's versions URL: admin API answers 502 with 3001."""
    created = await hub.add_platform("nowhere")
    status, body = await hub.admin(
        "POST",
        f"/platforms/{created['id']}/register",
        {"versions_url": f"http://127.0.0.1:{free_port()}/ocpi/versions", "token": "abc"},
    )
    assert status == 502
    assert body["status_code"] == 3001


async def test_3002_no_common_version(hub, start_peer) -> None:
    """3002 when the partner does not offer the version it registers on, or none the hub speaks."""
    peer = await start_peer("2.2.1", [CPO], name="old")
    created = await hub.add_platform("old")
    token_b = peer.issue_token()
    body = peer.credentials_body(token_b)
    status, got = await post_credentials(hub, peer, created["token_a"], "2.3.0", body)
    assert status == 200
    assert got["status_code"] == 3002, got
    await assert_unchanged(hub, peer, created)

    ancient = await start_peer("2.2", [CPO], name="ancient")
    made = await hub.add_platform("ancient")
    status, got = await hub.admin(
        "POST",
        f"/platforms/{made['id']}/register",
        {"versions_url": ancient.versions_url, "token": ancient.issue_token()},
    )
    assert got["status_code"] == 3002, got
    assert "2.2" in got["error"]
    assert ancient.of("credentials") == []


async def test_3003_no_usable_endpoints(hub, start_peer) -> None:
    """A partner publishing only credentials is refused with 3003, both ways."""
    peer = await start_peer("2.3.0", [CPO], name="bare", modules=[])
    created = await hub.add_platform("bare")
    _status, body = await peer.register(hub.versions_url, created["token_a"])
    assert body["status_code"] == 3003, body
    assert "CPO" in body["status_message"]
    await assert_unchanged(hub, peer, created)

    other = await start_peer("2.2.1", [EMSP], name="bare2", modules=[])
    made = await hub.add_platform("bare2", roles=[role(EMSP)])
    _status, got = await hub.admin(
        "POST",
        f"/platforms/{made['id']}/register",
        {"versions_url": other.versions_url, "token": other.issue_token()},
    )
    assert got["status_code"] == 3003, got
    assert other.of("credentials") == []


async def test_405s(hub, start_peer) -> None:
    """PUT and DELETE before registration, and POST after it, answer HTTP 405."""
    peer = await start_peer("2.2.1", [CPO], name="p405")
    created = await hub.add_platform("p405")
    url = f"{hub.url}/ocpi/2.2.1/credentials"
    token_a = created["token_a"]
    body = peer.credentials_body(peer.issue_token())
    status, got, _ = await peer.request("PUT", url, json=body, token=token_a)
    assert status == 405
    assert got["status_code"] == 2000
    status, got, _ = await peer.request("DELETE", url, token=token_a)
    assert status == 405
    await assert_unchanged(hub, peer, created)

    status, got = await peer.register(hub.versions_url, token_a)
    assert got["status_code"] == 1000
    status, got, _ = await peer.request("POST", url, json=body)
    assert status == 405
    assert "already registered" in got["status_message"]
    status, got, _ = await peer.request("PATCH", url, json=body)
    assert status == 405


async def test_2001_bad_body(hub, start_peer) -> None:
    """A credentials body missing fields is a 2001 naming them; the token A still works."""
    peer = await start_peer("2.3.0", [CPO], name="sloppy")
    created = await hub.add_platform("sloppy")
    status, got = await post_credentials(
        hub, peer, created["token_a"], "2.3.0", {"token": "x", "roles": []}
    )
    assert status == 400
    assert got["status_code"] == 2001
    assert "url: field required" in got["status_message"]
    assert "roles" in got["status_message"]
    await assert_unchanged(hub, peer, created)
    assert peer.of("versions") == []


async def test_claimed_party_not_declared(hub, start_peer) -> None:
    """Credentials claiming a party the operator did not declare are refused (2001)."""
    peer = await start_peer("2.3.0", [CPO, ("CPO", "NL", "XXX")], name="greedy")
    created = await hub.add_platform("greedy", roles=[role(CPO)])
    status, body = await peer.register(hub.versions_url, created["token_a"])
    assert status == 400
    assert body["status_code"] == 2001
    assert "NL-XXX" in body["status_message"]
    assert "declared" in body["status_message"]
    await assert_unchanged(hub, peer, created)


async def test_party_hosted_elsewhere(hub, start_peer) -> None:
    """A party already hosted by another platform cannot be claimed (2001)."""
    first = await start_peer("2.3.0", [CPO], name="first")
    a = await hub.add_platform("first")
    assert (await first.register(hub.versions_url, a["token_a"]))[1]["status_code"] == 1000
    second = await start_peer("2.2.1", [CPO], name="second")
    b = await hub.add_platform("second")
    _status, body = await second.register(hub.versions_url, b["token_a"])
    assert body["status_code"] == 2001, body
    assert "already hosted by another platform" in body["status_message"]
    await assert_unchanged(hub, second, b)
    assert [r for r in second.received if r.module == "versions"] == []


async def test_211_without_declared_role(hub, start_peer) -> None:
    """A 2.1.1 platform without a declared role is refused with a message saying why."""
    peer = await start_peer("2.1.1", [CPO], name="oldie")
    created = await hub.add_platform("oldie")
    status, body = await peer.register(hub.versions_url, created["token_a"])
    assert body["status_code"] == 2001, body
    assert "2.1.1 credentials carry no role" in body["status_message"]
    await assert_unchanged(hub, peer, created)

    other = await start_peer("2.1.1", [EMSP], name="oldie2")
    made = await hub.add_platform("oldie2")
    status, got = await hub.admin(
        "POST",
        f"/platforms/{made['id']}/register",
        {"versions_url": other.versions_url, "token": other.issue_token()},
    )
    assert status == 400
    assert "carry no role" in got["error"]
    assert other.of("credentials") == []


async def test_private_addresses_refused_when_configured(hub_factory, start_peer) -> None:
    """With allow_private_addresses off, a loopback versions URL is refused before any call."""
    hub = await hub_factory(allow_private_addresses=False)
    peer = await start_peer("2.3.0", [CPO], name="local")
    created = await hub.add_platform("local")
    _status, body = await peer.register(hub.versions_url, created["token_a"])
    assert body["status_code"] == 2001, body
    assert "allow_private_addresses" in body["status_message"]
    assert peer.of("versions") == []
