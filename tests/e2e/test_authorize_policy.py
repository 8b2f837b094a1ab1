"""The real-time authorization policy of an agreement (issue 19.1): the eMSP that does not
answer a CPO's authorize within the agreement's timeout gets the spec's refusal (4002) by
default, or, with ALLOW, the hub's own ALLOWED answer, logged as a hub decision."""

from __future__ import annotations

import asyncio
import html
from typing import Any

from ocpihub.testing import Peer, Received
from tests.e2e.conftest import ADMIN_TOKEN, RunningHub
from tests.e2e.test_outbox import cli
from tests.e2e.test_relay import pair  # noqa: F401 - the fixture is used by name
from tests.support.console import ConsoleClient
from tests.support.waiting import eventually

TO_EMSP = {"OCPI-to-country-code": "DE", "OCPI-to-party-id": "MSP"}


async def _authorize(cpo: Peer) -> dict[str, Any]:
    url = f"{cpo.hub_url('tokens', 'SENDER')}/TOK1/authorize"
    _, answer, _ = await cpo.request("POST", url, params={"type": "RFID"}, headers=TO_EMSP)
    assert isinstance(answer, dict)
    return answer


async def test_silent_emsp_refused_or_allowed_by_policy(pair: dict[str, Any]) -> None:  # noqa: F811
    """Within the agreement's 0.3 s the eMSP says nothing: REFUSE gives the CPO 4002 naming
    the timeout; ALLOW gives 1000 with an ALLOWED AuthorizationInfo for the token, from the
    eMSP's party, and the traffic log's entry of the request says it was the hub's decision."""
    hub: RunningHub = pair["hub"]
    cpo: Peer = pair["cpo"]
    emsp: Peer = pair["emsp"]
    released = asyncio.Event()

    async def silent(received: Received) -> tuple[int, Any]:
        await released.wait()
        return 200, {"status_code": 1000, "timestamp": "2024-01-01T00:00:00Z"}

    emsp.on("POST", "tokens", silent)
    status, shown = await hub.admin("PATCH", "/agreements/1", {"authorize_timeout_seconds": 0.3})
    assert status == 200, shown
    assert (shown["authorize_timeout_seconds"], shown["authorize_on_timeout"]) == (0.3, "REFUSE")
    try:
        refused = await _authorize(cpo)
        status, shown = await hub.admin("PATCH", "/agreements/1", {"authorize_on_timeout": "ALLOW"})
        assert status == 200 and shown["authorize_timeout_seconds"] == 0.3, shown
        allowed = await _authorize(cpo)
    finally:
        released.set()
    assert refused["status_code"] == 4002, refused
    assert "timeout after 0.3s" in refused["status_message"]
    assert allowed["status_code"] == 1000, allowed
    assert allowed["data"]["allowed"] == "ALLOWED"
    assert allowed["data"]["token"]["uid"] == "TOK1"
    assert allowed["status_message"].startswith("hub decision: ALLOWED")
    assert len(emsp.of("tokens", "POST")) == 2  # the eMSP was asked both times

    async def decided() -> bool:
        _, entries = await hub.admin("GET", "/traffic?direction=IN&module=tokens")
        return any((e.get("error") or "").startswith("hub decision: ALLOWED") for e in entries)

    await eventually(decided, bool, what="the hub decision in the traffic log")


async def test_answering_emsp_is_relayed_under_allow(pair: dict[str, Any]) -> None:  # noqa: F811
    """ALLOW changes nothing when the eMSP answers in time: its BLOCKED goes to the CPO."""
    hub: RunningHub = pair["hub"]
    cpo: Peer = pair["cpo"]
    emsp: Peer = pair["emsp"]
    token = {
        "country_code": "DE",
        "party_id": "MSP",
        "uid": "TOK1",
        "type": "RFID",
        "contract_id": "C1",
        "issuer": "I",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": "2024-01-01T00:00:00Z",
    }
    emsp.on(
        "POST",
        "tokens",
        lambda r: (
            200,
            {
                "status_code": 1000,
                "timestamp": "2024-01-01T00:00:00Z",
                "data": {"allowed": "BLOCKED", "token": token},
            },
        ),
    )
    status, _ = await hub.admin(
        "PATCH", "/agreements/1", {"authorize_timeout_seconds": 5, "authorize_on_timeout": "ALLOW"}
    )
    assert status == 200
    answer = await _authorize(cpo)
    assert answer["status_code"] == 1000 and answer["data"]["allowed"] == "BLOCKED", answer


async def test_policy_through_cli_and_refusals(pair: dict[str, Any]) -> None:  # noqa: F811
    """``ocpihub agreement authorize`` sets and shows the policy; bad values are refused naming
    them (CLI exit 2, admin API 400) and change nothing."""
    hub: RunningHub = pair["hub"]
    url = hub.settings.database_url
    code, out, err = await cli(
        url, "agreement", "authorize", "1", "--timeout", "3", "--on-timeout", "allow"
    )
    assert code == 0, err
    assert "waits 3s, then ALLOW" in out
    code, out, err = await cli(url, "agreement", "authorize", "1", "--on-timeout", "maybe")
    assert code == 2 and "'maybe'" in err, err
    status, refused = await hub.admin(
        "PATCH", "/agreements/1", {"authorize_timeout_seconds": -1, "status": "SUSPENDED"}
    )
    assert status == 400 and "authorize_timeout_seconds" in refused["error"], refused
    _, listed = await hub.admin("GET", "/agreements")
    assert listed[0]["authorize_timeout_seconds"] == 3.0
    assert listed[0]["authorize_on_timeout"] == "ALLOW"
    assert listed[0]["status"] == "ACTIVE"
    code, out, err = await cli(url, "agreement", "authorize", "1", "--timeout", "default")
    assert code == 0 and "waits the default, then ALLOW" in out, out


async def test_policy_through_console(pair: dict[str, Any]) -> None:  # noqa: F811
    """The Agreements page's policy form sets the timeout and the answer; a blank timeout is
    the default; a bad one is refused naming it."""
    hub: RunningHub = pair["hub"]
    console = ConsoleClient(hub.url)
    try:
        await console.sign_in(ADMIN_TOKEN)
        page = "/admin/agreements"
        said = await console.act(
            page,
            f"{page}/1/authorize",
            authorize_timeout_seconds="2",
            authorize_on_timeout="ALLOW",
        )
        assert said == "ok: Authorization policy of agreement 1 saved."
        _, listed = await hub.admin("GET", "/agreements")
        assert (listed[0]["authorize_timeout_seconds"], listed[0]["authorize_on_timeout"]) == (
            2.0,
            "ALLOW",
        )
        said = await console.act(page, f"{page}/1/authorize", authorize_timeout_seconds="soon")
        assert "authorize_timeout_seconds 'soon'" in html.unescape(said)
        said = await console.act(page, f"{page}/1/authorize", authorize_timeout_seconds="")
        _, listed = await hub.admin("GET", "/agreements")
        assert listed[0]["authorize_timeout_seconds"] is None
        assert listed[0]["authorize_on_timeout"] == "REFUSE"
    finally:
        await console.close()
