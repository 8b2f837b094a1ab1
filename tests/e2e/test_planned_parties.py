"""Declared roles make a party known as PLANNED: agreements before registration (issue 18.1)."""

from __future__ import annotations

from typing import Any

from ocpihub.testing import Peer
from tests.e2e.conftest import RunningHub
from tests.e2e.test_clientinfo import infos


def _role(spec: str) -> dict[str, str]:
    role, cc, pid = spec.split(":")
    return {"role": role, "country_code": cc, "party_id": pid}


async def test_agreement_before_registration_says_planned(hub: RunningHub, start_peer: Any) -> None:
    """An agreement with a declared, unregistered party works; its partner hears PLANNED, then
    CONNECTED once it registers."""
    cpo_platform = await hub.add_platform("Acme CPO", roles=[_role("CPO:NL:CPO")])
    emsp_platform = await hub.add_platform("Bolt eMSP", roles=[_role("EMSP:DE:MSP")])
    status, parties = await hub.admin("GET", f"/platforms/{emsp_platform['id']}")
    assert status == 200
    assert [(p["party_id"], p["status"]) for p in parties["parties"]] == [("MSP", "PLANNED")]

    cpo: Peer = await start_peer("2.3.0", [("CPO", "NL", "CPO")], name="cpo")
    status, body = await cpo.register(cpo_platform["versions_url"], cpo_platform["token_a"])
    assert (status, body["status_code"]) == (200, 1000)

    status, created = await hub.admin("POST", "/agreements", {"parties": ["NL-CPO", "DE-MSP"]})
    assert status == 201, created
    (first,) = await infos(cpo, 1)
    assert (first["country_code"], first["party_id"], first["status"]) == ("DE", "MSP", "PLANNED")

    emsp: Peer = await start_peer("2.2.1", [("EMSP", "DE", "MSP")], name="emsp")
    status, body = await emsp.register(emsp_platform["versions_url"], emsp_platform["token_a"])
    assert (status, body["status_code"]) == (200, 1000)
    assert (await infos(cpo, 2))[-1]["status"] == "CONNECTED"
    status, shown = await hub.admin("GET", f"/platforms/{emsp_platform['id']}")
    assert [(p["party_id"], p["status"]) for p in shown["parties"]] == [("MSP", "CONNECTED")]


async def test_declared_party_hosted_elsewhere_is_refused(hub: RunningHub) -> None:
    """Declaring a party another platform already declared is refused, naming it; nothing is
    stored."""
    await hub.add_platform("Acme CPO", roles=[_role("CPO:NL:CPO")])
    status, body = await hub.admin(
        "POST", "/platforms", {"name": "Copycat", "roles": [_role("CPO:NL:CPO")]}
    )
    assert status == 400, body
    assert "CPO NL-CPO" in str(body), body
    status, listed = await hub.admin("GET", "/platforms")
    assert [p["name"] for p in listed] == ["Acme CPO"]
