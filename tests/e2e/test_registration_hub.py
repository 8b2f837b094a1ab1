"""Hub-initiated registration end to end: the hub registers with real peers (admin API, CLI)."""

from __future__ import annotations

from typing import Any

import pytest

from ocpihub.testing import Peer

pytestmark = pytest.mark.e2e

CPO = ("CPO", "NL", "CPA")
EMSP = ("EMSP", "DE", "MSP")


def role(r: tuple[str, str, str]) -> dict[str, str]:
    """A declared role in admin API form."""
    return {"role": r[0], "country_code": r[1], "party_id": r[2]}


def hub_calls(peer: Peer) -> list[Any]:
    """Requests the hub made to the peer (versions, details, credentials)."""
    return [r for r in peer.received if r.module in ("versions", "credentials")]


@pytest.mark.parametrize(
    ("version", "encoded"), [("2.1.1", False), ("2.2.1", True), ("2.3.0", True)]
)
async def test_hub_initiated(hub, start_peer, version: str, encoded: bool) -> None:
    """The hub registers with a peer given its versions URL and token A, then uses its token C."""
    peer = await start_peer(version, [EMSP], name="msp")
    created = await hub.add_platform("msp", roles=[role(EMSP)])
    token_a = peer.issue_token()
    status, body = await hub.admin(
        "POST",
        f"/platforms/{created['id']}/register",
        {"versions_url": peer.versions_url, "token": token_a},
    )
    assert status == 200, body
    assert body["status"] == "REGISTERED"
    assert body["version"] == version
    assert [(p["role"], p["country_code"], p["party_id"]) for p in body["parties"]] == [EMSP]

    posted = peer.of("credentials", "POST")
    assert len(posted) == 1
    assert posted[0].token == token_a
    assert posted[0].token_was_base64 is encoded
    sent = posted[0].body
    assert sent["url"] == hub.versions_url
    if version == "2.1.1":
        assert sent["party_id"] == "HUB"
    elif version == "2.2.1":
        assert sent["roles"][0]["role"] == "HUB"
    else:
        assert sent["hub_party_id"] == "NLHUB"
    # the peer fetched the hub's versions with the token the hub gave it, before answering
    assert peer.hub_endpoints
    assert peer.hub_token == sent["token"]

    # from now on the hub sends the peer's token C: a DELETE on removal shows it
    status, removed = await hub.admin("DELETE", f"/platforms/{created['id']}")
    assert status == 200, removed
    assert removed["partner_notified"] is True
    deleted = peer.of("credentials", "DELETE")
    assert len(deleted) == 1
    assert deleted[0].token not in (None, token_a)
    assert deleted[0].token_was_base64 is encoded
    status, _ = await hub.admin("GET", f"/platforms/{created['id']}")
    assert status == 404
    status, _, _ = await peer.request("GET", hub.versions_url)
    assert status == 401


async def test_hub_initiated_creates_with_cli_style_defaults(hub, start_peer) -> None:
    """Hub-initiated 2.3.0 registration without declared roles takes the parties the peer lists."""
    peer = await start_peer("2.3.0", [CPO, ("EMSP", "NL", "CPA")], name="both")
    created = await hub.add_platform("both")
    status, body = await hub.admin(
        "POST",
        f"/platforms/{created['id']}/register",
        {"versions_url": peer.versions_url, "token": peer.issue_token()},
    )
    assert status == 200, body
    assert sorted(p["role"] for p in body["parties"]) == ["CPO", "EMSP"]


async def test_plain_token_for_a_221_peer_that_does_not_encode(hub, start_peer) -> None:
    """token_encoding=plain: the hub sends its 2.2.1 token unencoded, both ways of registering."""
    peer = await start_peer("2.2.1", [CPO], name="legacy", strict_encoding=False, send_base64=False)
    created = await hub.add_platform("legacy", roles=[role(CPO)], token_encoding="plain")
    status, body = await peer.register(hub.versions_url, created["token_a"])
    assert body["status_code"] == 1000, body
    calls = hub_calls(peer)
    assert calls
    assert all(c.token_was_base64 is False for c in calls)

    other = await start_peer(
        "2.2.1", [EMSP], name="legacy2", strict_encoding=False, send_base64=False
    )
    made = await hub.add_platform("legacy2", roles=[role(EMSP)], token_encoding="plain")
    status, shown = await hub.admin(
        "POST",
        f"/platforms/{made['id']}/register",
        {"versions_url": other.versions_url, "token": other.issue_token()},
    )
    assert status == 200, shown
    assert all(c.token_was_base64 is False for c in hub_calls(other))
