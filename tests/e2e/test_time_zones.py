"""A 2.1.1 Location without ``time_zone`` (valid 2.1.1) reaches newer partners with one: derived
offline from its coordinates, else the sending platform's default time zone (issue 15.13)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ocpihub.testing import Peer
from tests.e2e.conftest import RunningHub
from tests.e2e.test_locations import wait_for
from tests.e2e.test_registration_cli import cli
from tests.support.connect import connect

CPO = ("CPO", "NL", "TZC")


def location_211(location_id: str, latitude: str, longitude: str) -> dict[str, Any]:
    """A 2.1.1 Location with one EVSE and no ``time_zone``."""
    stamp = "2024-01-01T10:00:00Z"
    connector = {
        "id": "1",
        "standard": "IEC_62196_T2",
        "format": "SOCKET",
        "power_type": "AC_3_PHASE",
        "voltage": 230,
        "amperage": 32,
        "last_updated": stamp,
    }
    return {
        "id": location_id,
        "type": "ON_STREET",
        "address": "Main Street 1",
        "city": "Utrecht",
        "postal_code": "3500AA",
        "country": "NLD",
        "coordinates": {"latitude": latitude, "longitude": longitude},
        "evses": [
            {"uid": "E1", "status": "AVAILABLE", "connectors": [connector], "last_updated": stamp}
        ],
        "last_updated": stamp,
    }


@pytest.fixture
async def pair(hub: RunningHub, start_peer: Any) -> dict[str, Any]:
    runtime = hub.app.state.runtime
    cpo = await start_peer("2.1.1", [CPO], name="cpo211")
    emsp = await start_peer("2.3.0", [("EMSP", "DE", "TZE")], name="emsp230")
    ids = {}
    for peer in (cpo, emsp):
        ids[peer.name] = await connect(runtime.db, peer, hub.versions_url)
    status, body = await hub.admin("POST", "/agreements", {"parties": ["NL-TZC", "DE-TZE"]})
    assert status == 201, body
    return {"cpo": cpo, "emsp": emsp, "cpo_id": ids["cpo211"]}


async def put(cpo: Peer, loc: dict[str, Any]) -> tuple[int, Any]:
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/TZC/{loc['id']}"
    status, body, _ = await cpo.request("PUT", url, json=loc)
    return status, body


async def test_time_zone_from_the_coordinates(pair: dict[str, Any]) -> None:
    """Utrecht's coordinates give Europe/Amsterdam; the 2.3.0 eMSP receives it."""
    status, body = await put(pair["cpo"], location_211("TZ1", "52.090000", "5.120000"))
    assert status in (200, 201) and body["status_code"] == 1000, body
    (got,) = await wait_for(pair["emsp"], lambda r: len(r) >= 1)
    assert got.body["time_zone"] == "Europe/Amsterdam"


async def test_platform_default_when_the_coordinates_have_no_zone(
    pair: dict[str, Any], hub: RunningHub
) -> None:
    """At sea (no zone but a nautical one) the Location is refused (2002, nothing stored or
    sent) until the operator sets the platform's default time zone, which it then carries."""
    cpo: Peer = pair["cpo"]
    at_sea = location_211("TZ2", "0.000000", "-30.000000")
    status, body = await put(cpo, at_sea)
    assert body["status_code"] == 2002, body
    assert "time_zone" in body["status_message"]
    status, listed, _ = await pair["emsp"].request(
        "GET", pair["emsp"].hub_url("locations", "SENDER")
    )
    assert listed["data"] == []

    status, shown = await hub.admin(
        "PATCH", f"/platforms/{pair['cpo_id']}", {"default_time_zone": "Not/AZone"}
    )
    assert status == 400 and "Not/AZone" in json.dumps(shown), shown
    code, out, err = await cli(
        hub, "platform", "limits", "cpo211", "--default-time-zone", "Atlantic/Azores", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["default_time_zone"] == "Atlantic/Azores"
    status, shown = await hub.admin("GET", f"/platforms/{pair['cpo_id']}")
    assert shown["default_time_zone"] == "Atlantic/Azores"

    hub.app.state.runtime.directory.clear()  # the CLI changed it in another process
    status, body = await put(cpo, at_sea)
    assert status in (200, 201) and body["status_code"] == 1000, body
    (got,) = await wait_for(pair["emsp"], lambda r: len(r) >= 1)
    assert got.body["time_zone"] == "Atlantic/Azores"
