"""Back-ports (issue 19.1): a 2.3.0 CPO's Location reaches two 2.2.1 eMSPs; only the one whose
profile enables the back-ports receives the chosen 2.3.0 fields, and only its delivery leaves
them out of the loss report."""

from __future__ import annotations

from typing import Any

from ocpihub.testing import Peer, payloads
from tests.e2e.conftest import RunningHub
from tests.e2e.test_commands import wait_for
from tests.e2e.test_outbox import outbox_items, wait_until
from tests.e2e.test_partner_tolerances import set_profile
from tests.support.connect import connect


async def test_backports_only_to_the_partner_that_enabled_them(
    hub: RunningHub, start_peer: Any, database_url: str
) -> None:
    """help_phone and Connector.capabilities go to the 2.2.1 eMSP with those back-ports, not
    to the other 2.2.1 eMSP, whose delivery records them as lost (as without profiles); the
    hub's GET all shows each eMSP the Location the same way."""
    cpo: Peer = await start_peer("2.3.0", [("CPO", "NL", "CPO")], name="cpo")
    taking: Peer = await start_peer("2.2.1", [("EMSP", "DE", "NEW")], name="taking")
    plain: Peer = await start_peer("2.2.1", [("EMSP", "DE", "OLD")], name="plain")
    for peer in (cpo, taking, plain):
        await connect(hub.app.state.runtime.db, peer, hub.versions_url)
    for other in ("DE-NEW", "DE-OLD"):
        status, body = await hub.admin("POST", "/agreements", {"parties": ["NL-CPO", other]})
        assert status == 201, body
    await set_profile(hub, "taking", backports=["location.help_phone", "connector.capabilities"])
    loc = payloads.location("NL", "CPO", "LOC1", evses=1, tariff_id="T1")
    loc["help_phone"] = "+31201234567"
    loc["evses"][0]["connectors"][0]["capabilities"] = ["ISO_15118_2_PLUG_AND_CHARGE"]
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/CPO/LOC1"
    status, body, _ = await cpo.request("PUT", url, json=loc)
    assert body["status_code"] == 1000, body
    (got,) = await wait_for(taking, "locations", lambda r: len(r) == 1)
    (other,) = await wait_for(plain, "locations", lambda r: len(r) == 1)
    assert got.body["help_phone"] == "+31201234567"
    assert got.body["evses"][0]["connectors"][0]["capabilities"] == ["ISO_15118_2_PLUG_AND_CHARGE"]
    assert "help_phone" not in other.body
    assert "capabilities" not in other.body["evses"][0]["connectors"][0]

    async def recorded() -> bool:  # the outcomes (with their loss reports) are written
        items = [i for i in await outbox_items(database_url) if i.delivery.module == "locations"]
        return len(items) == 2 and all(i.status.value == "DONE" for i in items)

    await wait_until(recorded, what="both deliveries recorded")
    losses = {}
    for item in await outbox_items(database_url):
        if item.delivery.module == "locations":
            losses[item.delivery.receiver_party] = {loss["path"] for loss in item.loss_report or []}
    assert "help_phone" in losses[("DE", "OLD")]
    assert "evses[0].connectors[0].capabilities" in losses[("DE", "OLD")]
    assert not {"help_phone", "evses[0].connectors[0].capabilities"} & losses[("DE", "NEW")]

    # pulling from the hub: its GET all answers each in the same way
    for peer, has in ((taking, True), (plain, False)):
        status, listed, _ = await peer.request("GET", peer.hub_url("locations", "SENDER"))
        assert status == 200, listed
        (shown,) = listed["data"]
        assert ("help_phone" in shown) is has
        assert ("capabilities" in shown["evses"][0]["connectors"][0]) is has
        status, one, _ = await peer.request(
            "GET", peer.hub_url("locations", "SENDER") + "/LOC1/LOC1-E1/1"
        )
        assert status == 200, one
        assert ("capabilities" in one["data"]) is has
        status, one, _ = await peer.request("GET", peer.hub_url("locations", "SENDER") + "/LOC1")
        assert ("help_phone" in one["data"]) is has
