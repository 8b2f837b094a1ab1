"""2.3.0 partners get a credentials PUT listing the parties an agreement made reachable — from
the admin API and the CLI alike — without their token rotating; tokens rotate when the
operator asks."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from ocpihub.testing import Peer
from tests.e2e.conftest import RunningHub
from tests.e2e.test_registration_cli import cli


async def puts(peer: Peer, want: int, timeout: float = 15) -> list[Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(peer.of("credentials", "PUT")) < want:
        assert loop.time() < deadline, [(r.method, r.path) for r in peer.received]
        await asyncio.sleep(0.05)
    return peer.of("credentials", "PUT")


async def register(hub: RunningHub, peer: Peer, role: str) -> int:
    _, cc, pid = peer.parties[0]
    created = await hub.add_platform(
        peer.name, roles=[{"role": role, "country_code": cc, "party_id": pid}]
    )
    status, body = await peer.register(created["versions_url"], created["token_a"])
    assert status == 200, body
    return int(created["id"])


def roles_of(body: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(r["role"], r["country_code"], r["party_id"]) for r in body["roles"]}


async def works(hub: RunningHub, peer: Peer, token: str | None = None) -> bool:
    """Whether the hub accepts ``token`` (default: the peer's current one) from the peer."""
    status, _, _ = await peer.request("GET", hub.versions_url, token=token)
    return status == 200


async def test_agreement_changes_update_230_credentials_without_rotation(
    hub: RunningHub, start_peer: Any
) -> None:
    """Two quick agreements PUT the 2.3.0 CPO credentials naming both eMSPs, each with the
    CPO's current token (which keeps working); suspending one PUTs roles without it; the hub
    takes the new token the CPO answers each PUT with; a 2.2.1 partner gets no PUT."""
    cpo = await start_peer("2.3.0", [("CPO", "NL", "CPO")], name="cpo")
    emsp = await start_peer("2.2.1", [("EMSP", "DE", "MSP")], name="emsp")
    other = await start_peer("2.3.0", [("EMSP", "FR", "MSP")], name="other")
    for peer in (cpo, emsp, other):
        await register(hub, peer, peer.parties[0][0])
    assert ("EMSP", "DE", "MSP") not in roles_of(cpo.hub_credentials or {})
    token = cpo.hub_token
    assert token is not None

    made = await asyncio.gather(
        hub.admin("POST", "/agreements", {"parties": ["NL-CPO", "DE-MSP"]}),
        hub.admin("POST", "/agreements", {"parties": ["NL-CPO", "FR-MSP"]}),
    )
    assert [status for status, _ in made] == [201, 201]
    first = await puts(cpo, 2)
    assert [p.body["token"] for p in first] == [token, token]
    assert all(p.body["hub_party_id"] == "NLHUB" for p in first)
    assert {("EMSP", "DE", "MSP"), ("EMSP", "FR", "MSP")} <= roles_of(first[-1].body)
    assert cpo.hub_token == token and await works(hub, cpo)

    agreement = next(body for _, body in made if "DE-MSP" in body["parties"])
    status, _ = await hub.admin("PATCH", f"/agreements/{agreement['id']}", {"status": "SUSPENDED"})
    assert status == 200
    third = (await puts(cpo, 3))[-1]
    assert third.body["token"] == token
    assert ("EMSP", "DE", "MSP") not in roles_of(third.body)
    assert await works(hub, cpo, token)
    # the peer answers every PUT with a new token for the hub and drops the one the hub used:
    # every later call was accepted, so the hub took each new token from the answers
    assert all(r.accepted for r in cpo.received), [(r.method, r.path) for r in cpo.received]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while not cpo.of("hubclientinfo", "PUT"):
        assert loop.time() < deadline
        await asyncio.sleep(0.05)
    assert emsp.of("credentials", "PUT") == []


async def test_operator_rotates_a_token(hub: RunningHub, start_peer: Any) -> None:
    """The operator's credentials update PUTs a new token; the previous one works until the
    next rotation; a platform that is not registered is refused."""
    cpo = await start_peer("2.3.0", [("CPO", "NL", "CPO")], name="cpo")
    platform_id = await register(hub, cpo, "CPO")
    original = cpo.hub_token
    status, body = await hub.admin("POST", f"/platforms/{platform_id}/credentials")
    assert status == 200, body
    (put,) = await puts(cpo, 1)
    assert put.body["token"] == cpo.hub_token != original
    assert await works(hub, cpo) and await works(hub, cpo, original)
    status, body = await hub.admin("POST", f"/platforms/{platform_id}/credentials")
    assert status == 200, body
    assert not await works(hub, cpo, original)
    assert await works(hub, cpo)

    fresh = await hub.add_platform("fresh")
    status, body = await hub.admin("POST", f"/platforms/{fresh['id']}/credentials")
    assert status == 405, body
    assert "not registered" in body["error"]


async def test_cli_agreement_changes_push_credentials(hub: RunningHub, start_peer: Any) -> None:
    """`ocpihub agreement add|suspend` (another process) PUTs the 2.3.0 partner its reachable
    parties, as the admin API does; `platform credentials` rotates its token."""
    cpo = await start_peer("2.3.0", [("CPO", "NL", "CPO")], name="cpo")
    emsp = await start_peer("2.3.0", [("EMSP", "DE", "MSP")], name="emsp")
    await register(hub, cpo, "CPO")
    await register(hub, emsp, "EMSP")
    token = cpo.hub_token

    code, out, err = await cli(hub, "agreement", "add", "NL-CPO", "DE-MSP", "--json")
    assert code == 0, err
    (put,) = await puts(cpo, 1)
    assert ("EMSP", "DE", "MSP") in roles_of(put.body)
    assert put.body["token"] == token
    (other,) = await puts(emsp, 1)
    assert ("CPO", "NL", "CPO") in roles_of(other.body)

    agreement_id = json.loads(out)["id"]
    code, _, err = await cli(hub, "agreement", "suspend", str(agreement_id))
    assert code == 0, err
    second = (await puts(cpo, 2))[-1]
    assert ("EMSP", "DE", "MSP") not in roles_of(second.body)

    code, _, err = await cli(hub, "platform", "credentials", "cpo")
    assert code == 0, err
    rotated = (await puts(cpo, 3))[-1]
    assert rotated.body["token"] != token
    assert await works(hub, cpo, rotated.body["token"])
