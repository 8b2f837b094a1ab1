"""Operator actions are all-or-nothing and say what they do (issue 18.3), as the CLI meets them."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from ocpihub.testing import Peer
from tests.e2e.conftest import RunningHub
from tests.e2e.test_clientinfo import infos
from tests.e2e.test_registration_cli import cli
from tests.support.connect import connect

LOCATION = {
    "country_code": "NL",
    "party_id": "CPO",
    "id": "LOC1",
    "publish": True,
    "address": "Main street 1",
    "city": "Utrecht",
    "country": "NLD",
    "coordinates": {"latitude": "52.090000", "longitude": "5.120000"},
    "time_zone": "Europe/Amsterdam",
    "last_updated": "2026-01-01T10:00:00Z",
}


async def test_failed_registration_leaves_no_platform(hub: RunningHub, start_peer: Any) -> None:
    """A hub-initiated registration that fails exits 1 with the OCPI status code and reason, and
    the platform it created for the attempt is gone."""
    peer = await start_peer("2.3.0", [("CPO", "NL", "CPA")], name="bare", modules=[])
    code, _, err = await cli(
        hub,
        "platform",
        "register",
        "bare",
        "--versions-url",
        peer.versions_url,
        "--token",
        peer.issue_token(),
        "--role",
        "CPO:NL:CPA",
    )
    assert code == 1
    assert "OCPI 3003" in err and "no usable endpoints" in err, err
    code, out, err = await cli(hub, "platform", "list", "--json")
    assert code == 0, err
    assert json.loads(out) == []
    _status, parties = await hub.admin("GET", "/platforms")
    assert parties == []


async def _queued_for(hub: RunningHub, platform_id: int) -> list[dict[str, Any]]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while True:
        _, items = await hub.admin("GET", f"/outbox?platform={platform_id}")
        found = [i for i in items if i["module"] == "locations"]
        if found and all(i["attempts"] >= 1 for i in found):
            return [i for i in items if i["status"] != "DONE"]
        assert loop.time() < deadline, items
        await asyncio.sleep(0.05)


async def test_remove_with_queued_deliveries(hub: RunningHub, start_peer: Any) -> None:
    """Removing a platform with queued deliveries is refused (CLI exit 1, admin API 409) and
    changes nothing; forced, its items go DEAD with the reason, its agreement ends and the other
    side hears SUSPENDED."""
    db = hub.app.state.runtime.db
    cpo: Peer = await start_peer("2.2.1", [("CPO", "NL", "CPO")], name="cpo")
    emsp: Peer = await start_peer("2.3.0", [("EMSP", "DE", "MSP")], name="emsp")
    await connect(db, cpo, hub.versions_url)
    emsp_id = await connect(db, emsp, hub.versions_url)
    status, agreement = await hub.admin("POST", "/agreements", {"parties": ["NL-CPO", "DE-MSP"]})
    assert status == 201
    assert (await infos(cpo, 1))[-1]["status"] == "CONNECTED"
    emsp.down = True
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/CPO/LOC1"
    status, body, _ = await cpo.request("PUT", url, json=LOCATION)
    assert (status, body["status_code"]) == (201, 1000), body
    queued = await _queued_for(hub, emsp_id)

    code, out, err = await cli(hub, "platform", "remove", "emsp")
    assert code == 1, (out, err)
    assert "deliveries queued" in err and "--force" in err, err
    status, refused = await hub.admin("DELETE", f"/platforms/{emsp_id}")
    assert status == 409, refused
    assert "deliveries queued" in refused["error"], refused
    status, still = await hub.admin("GET", f"/platforms/{emsp_id}")
    assert (status, still["status"]) == (200, "REGISTERED")
    _, agreements = await hub.admin("GET", "/agreements")
    assert [a["id"] for a in agreements] == [agreement["id"]]

    code, out, err = await cli(hub, "platform", "remove", "emsp", "--force")
    assert code == 0, err
    assert "partner could not be told" in out
    assert f"agreement {agreement['id']} (DE-MSP <-> NL-CPO) ended" in out
    assert "moved to the dead-letter list" in out

    _, dead = await hub.admin("GET", "/outbox?status=DEAD")
    # the Location the peer that is down never took; another item queued for it (its
    # hubclientinfo) may have been delivered just before the peer went down, or be DEAD too
    assert {i["id"] for i in queued if i["module"] == "locations"} <= {i["id"] for i in dead}
    _, every = await hub.admin("GET", "/outbox")
    left = {i["id"]: i["status"] for i in every if i["receiver_party"] == "DE-MSP"}
    assert set(left.values()) <= {"DONE", "DEAD"}, left
    for item in dead:
        assert item["receiver_party"] == "DE-MSP"
        assert "'emsp' was removed by the operator" in item["last_error"]
    _, agreements = await hub.admin("GET", "/agreements")
    assert agreements == []
    told = await infos(cpo, 2)
    assert (told[-1]["party_id"], told[-1]["status"]) == ("MSP", "SUSPENDED")
    code, out, _ = await cli(hub, "outbox", "retry", "--all-dead")
    assert (code, out.strip()) == (0, "queued again: nothing")
    code, _, err = await cli(hub, "outbox", "retry", str(queued[0]["id"]))
    assert code == 1
    assert "receiver platform was removed" in err
