"""Synchronous relays through the hub (commands, charging profiles, a forwarded GET one, a
booking request): a partner's success without the object the request needs is never relayed as
a success (issue 15.4); the caller gets a hub error saying why, and a pending command stays
pending for the result the partner posts later."""

from __future__ import annotations

from typing import Any

import pytest

from ocpihub.testing import Peer, Received
from tests.e2e.test_commands import LAST, wait_for
from tests.support.connect import connect

GRACE = 0.5
PROFILE = {
    "charging_rate_unit": "W",
    "charging_profile_period": [{"start_period": 0, "limit": 11000.0}],
}
TO_CPO = {"OCPI-to-country-code": "NL", "OCPI-to-party-id": "CPO"}

EMPTY_SUCCESSES: dict[str, dict[str, Any]] = {
    "no data": {"status_code": 1000, "timestamp": LAST},
    "data null": {"status_code": 1000, "timestamp": LAST, "data": None},
    "one-element list": {
        "status_code": 1000,
        "timestamp": LAST,
        "data": [{"result": "ACCEPTED", "timeout": 30}],
    },
}


def answering(envelope: dict[str, Any]) -> Any:
    """A peer handler that answers every request with ``envelope``."""

    def handler(received: Received) -> tuple[int, Any]:
        return 200, envelope

    return handler


@pytest.fixture
async def pair(hub_factory: Any, start_peer: Any) -> dict[str, Any]:
    """A hub, a 2.3.0 CPO NL-CPO and a 2.3.0 eMSP DE-MSP with an agreement."""
    hub = await hub_factory(command_result_grace_seconds=GRACE)
    cpo = await start_peer("2.3.0", [("CPO", "NL", "CPO")], name="cpo")
    emsp = await start_peer("2.3.0", [("EMSP", "DE", "MSP")], name="emsp")
    for peer in (cpo, emsp):
        await connect(hub.app.state.runtime.db, peer, hub.versions_url)
    status, body = await hub.admin("POST", "/agreements", {"parties": ["NL-CPO", "DE-MSP"]})
    assert status == 201, body
    return {"hub": hub, "cpo": cpo, "emsp": emsp}


@pytest.mark.parametrize("shape", sorted(EMPTY_SUCCESSES))
async def test_command_success_without_response_is_a_hub_error(
    pair: dict[str, Any], shape: str
) -> None:
    """The CPO answers a START_SESSION 1000 without a CommandResponse object: the eMSP gets
    4000 naming why; the command stays pending, so the CPO's CommandResult still reaches it."""
    cpo: Peer = pair["cpo"]
    emsp: Peer = pair["emsp"]
    cpo.on("POST", "commands", answering(EMPTY_SUCCESSES[shape]))
    body = {
        "response_url": f"{emsp.module_url('commands', 'SENDER')}/cb/start",
        "token": {
            "country_code": "DE",
            "party_id": "MSP",
            "uid": "TOK1",
            "type": "RFID",
            "contract_id": "C1",
            "issuer": "I",
            "valid": True,
            "whitelist": "ALLOWED",
            "last_updated": LAST,
        },
        "location_id": "LOC1",
    }
    url = f"{emsp.hub_url('commands', 'RECEIVER')}/START_SESSION"
    status, answer, headers = await emsp.request("POST", url, json=body, headers=TO_CPO)
    assert answer["status_code"] == 4000, answer
    assert "data" not in answer
    assert "CommandResponse" in answer["status_message"]
    assert headers["OCPI-from-party-id"] == "CPO"
    (sent,) = cpo.of("commands", "POST")
    status, ack, _ = await cpo.request(
        "POST", sent.body["response_url"], json={"result": "ACCEPTED"}
    )
    assert status == 200 and ack["status_code"] == 1000, ack
    got = await wait_for(emsp, "commands", lambda r: len(r) == 1)
    assert got[0].body == {"result": "ACCEPTED"}
    assert got[0].rest.endswith("cb/start")


async def test_charging_profile_success_without_response_is_a_hub_error(
    pair: dict[str, Any],
) -> None:
    """A CPO's 1000 to a SetChargingProfile with ``data: null`` is answered 4000; the result it
    posts later still reaches the requester."""
    cpo: Peer = pair["cpo"]
    emsp: Peer = pair["emsp"]
    cpo.on("PUT", "chargingprofiles", answering(EMPTY_SUCCESSES["data null"]))
    url = f"{emsp.hub_url('chargingprofiles', 'RECEIVER')}/S1"
    own = f"{emsp.module_url('chargingprofiles', 'SENDER')}/cb/set"
    body = {"charging_profile": PROFILE, "response_url": own}
    status, answer, _ = await emsp.request("PUT", url, json=body, headers=TO_CPO)
    assert answer["status_code"] == 4000, answer
    assert "ChargingProfileResponse" in answer["status_message"]
    (sent,) = cpo.of("chargingprofiles", "PUT")
    status, ack, _ = await cpo.request(
        "POST", sent.body["response_url"], json={"result": "ACCEPTED"}
    )
    assert status == 200 and ack["status_code"] == 1000, ack
    got = await wait_for(emsp, "chargingprofiles", lambda r: len(r) == 1)
    assert got[0].body == {"result": "ACCEPTED"}


@pytest.mark.parametrize("shape", sorted(EMPTY_SUCCESSES))
async def test_forwarded_get_one_success_without_location_is_a_hub_error(
    pair: dict[str, Any], shape: str
) -> None:
    """A GET one Location the hub lacks, addressed to its CPO, is forwarded; the CPO's 1000
    without one Location object reaches the eMSP as 4000, never as a success."""
    cpo: Peer = pair["cpo"]
    emsp: Peer = pair["emsp"]
    cpo.on("GET", "locations", answering(EMPTY_SUCCESSES[shape]))
    url = f"{emsp.hub_url('locations', 'SENDER')}/LOC9"
    _, answer, headers = await emsp.request("GET", url, headers=TO_CPO)
    (asked,) = cpo.of("locations", "GET")
    assert asked.path == "/ocpi/2.3.0/locations/sender/LOC9"
    assert answer["status_code"] == 4000, answer
    assert "data" not in answer
    assert "Location" in answer["status_message"]
    assert headers["OCPI-from-party-id"] == "CPO"
    assert headers["OCPI-to-party-id"] == "MSP"


async def test_authorize_success_without_info_is_a_hub_error(pair: dict[str, Any]) -> None:
    """An eMSP's 1000 to a real-time authorize with a one-element list instead of one
    AuthorizationInfo reaches the CPO as 4000, never as an authorization."""
    cpo: Peer = pair["cpo"]
    emsp: Peer = pair["emsp"]
    listed = {"status_code": 1000, "timestamp": LAST, "data": [{"allowed": "ALLOWED"}]}
    emsp.on("POST", "tokens", answering(listed))
    url = f"{cpo.hub_url('tokens', 'SENDER')}/TOK1/authorize"
    headers = {"OCPI-to-country-code": "DE", "OCPI-to-party-id": "MSP"}
    _, answer, got = await cpo.request("POST", url, headers=headers)
    (asked,) = emsp.of("tokens", "POST")
    assert asked.path.endswith("/TOK1/authorize")
    assert answer["status_code"] == 4000, answer
    assert "AuthorizationInfo" in answer["status_message"]
    assert got["OCPI-from-party-id"] == "MSP"
