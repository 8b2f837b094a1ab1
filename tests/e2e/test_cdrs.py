"""CDRs through the hub: addressed to the token's eMSP in its version, a hub Location header
that GETs the CDR back, immutability, and GET all limited to the caller's own CDRs."""

from __future__ import annotations

import asyncio
from typing import Any

from ocpihub.ocpi.fields import parse
from ocpihub.ocpi.registry import model
from ocpihub.testing import Peer
from tests.e2e import test_sessions
from tests.e2e.test_sessions import EMSP_211, EMSP_230, OUTSIDER, wait_for
from tests.examples import load_example
from tests.unit.translate.test_v2_1_1_locations import location_211

roaming = test_sessions.roaming  # the same peers and agreements as the Sessions tests


def cdr_230(cdr_id: str, emsp: tuple[str, str, str], **changes: Any) -> dict[str, Any]:
    """The spec's CDR, of NL-C23 at LOC1/3256/1, for a token of ``emsp``."""
    body = load_example("2.3.0", "cdr_example.json")
    body.update(country_code="NL", party_id="C23", id=cdr_id)
    uid, contract = ("AB123", "DE-M23-C00001") if emsp == EMSP_230 else ("CD456", "DE-M21-C00002")
    body["cdr_token"].update(country_code=emsp[1], party_id=emsp[2], uid=uid, contract_id=contract)
    # the spec's example tariff lacks tax_included, required in 2.3.0
    body["tariffs"][0]["tax_included"] = "NO"
    body.update(changes)
    return dict(body)


def cdr_211(cdr_id: str, auth_id: str) -> dict[str, Any]:
    """A 2.1.1 CDR at LOC1/E1/1 for ``auth_id``."""
    return {
        "id": cdr_id,
        "start_date_time": "2024-01-01T10:00:00Z",
        "stop_date_time": "2024-01-01T11:00:00Z",
        "auth_id": auth_id,
        "auth_method": "WHITELIST",
        "location": location_211(),
        "currency": "EUR",
        "charging_periods": [
            {
                "start_date_time": "2024-01-01T10:00:00Z",
                "dimensions": [{"type": "ENERGY", "volume": 10}],
            }
        ],
        "total_cost": 3.0,
        "total_energy": 10,
        "total_time": 1,
        "last_updated": "2024-01-01T11:00:00Z",
    }


async def post(peer: Peer, body: dict[str, Any]) -> tuple[int, Any, Any]:
    """POST a CDR to the hub's cdrs receiver interface."""
    return await peer.request("POST", peer.hub_url("cdrs", "RECEIVER"), json=body)


async def test_211_cdr_reaches_230_emsp_and_location_gets_it_back(
    roaming: dict[str, Peer],
) -> None:
    """A 2.1.1 CPO's CDR reaches the 2.3.0 eMSP with the right cdr_token; the hub's Location
    header GETs it back."""
    cpo, emsp = roaming["cpo211"], roaming["emsp230"]
    cdr = cdr_211("CDR211", "DE-M23-C00001")
    status, body, headers = await post(cpo, cdr)
    assert status == 201, body
    assert body["status_code"] == 1000
    location = headers["Location"]
    assert location.startswith(cpo.hub_url("cdrs", "RECEIVER"))
    got = await wait_for(emsp, "cdrs", lambda r: len(r) >= 1)
    assert got[0].method == "POST"
    assert got[0].path == "/ocpi/2.3.0/cdrs/receiver"
    parse(model("2.3.0", "CDR"), got[0].body)
    assert got[0].body["cdr_token"] == {
        "country_code": "DE",
        "party_id": "M23",
        "uid": "AB123",
        "type": "RFID",
        "contract_id": "DE-M23-C00001",
    }
    assert got[0].body["cdr_location"]["id"] == "LOC1"
    assert got[0].header("ocpi-from-party-id") == "C21"
    status, again, _ = await cpo.request("GET", location)
    assert status == 200
    assert again["data"] == cdr


async def test_230_cdr_reaches_211_emsp(roaming: dict[str, Peer]) -> None:
    """A 2.3.0 CDR reaches a 2.1.1 eMSP as a valid 2.1.1 CDR built with the stored Location."""
    cpo, emsp = roaming["cpo230"], roaming["emsp211"]
    cdr = cdr_230("CDR230", EMSP_211)
    status, body, headers = await post(cpo, cdr)
    assert status == 201, body
    got = await wait_for(emsp, "cdrs", lambda r: len(r) >= 1)
    sent = got[0].body
    assert got[0].method == "POST"
    assert got[0].path == "/ocpi/2.1.1/cdrs"
    parse(model("2.1.1", "CDR"), sent)
    assert "country_code" not in sent
    assert sent["auth_id"] == "DE-M21-C00002"
    assert sent["stop_date_time"] == cdr["end_date_time"]
    assert sent["location"]["id"] == "LOC1"
    assert sent["location"]["type"] != "UNKNOWN"  # from the stored Location
    assert sent["total_cost"] == 4.0
    status, again, _ = await cpo.request("GET", headers["Location"])
    assert status == 200
    assert again["data"] == cdr
    await asyncio.sleep(0.2)
    assert roaming["emsp230"].of("cdrs") == []


async def test_cdrs_are_immutable(roaming: dict[str, Peer]) -> None:
    """The same CDR again is a harmless retry; other content under the same id is 2001."""
    cpo, emsp = roaming["cpo230"], roaming["emsp230"]
    cdr = cdr_230("CDR1", EMSP_230)
    status, _, first = await post(cpo, cdr)
    assert status == 201
    status, body, again = await post(cpo, cdr)
    assert status == 200, body
    assert again["Location"] == first["Location"]
    changed = cdr_230("CDR1", EMSP_230, total_energy=99.0)
    status, body, _ = await post(cpo, changed)
    assert status == 400
    assert body["status_code"] == 2001
    await wait_for(emsp, "cdrs", lambda r: len(r) >= 1)
    await asyncio.sleep(0.3)
    assert len(emsp.of("cdrs")) == 1
    assert emsp.of("cdrs")[0].body == cdr


async def test_get_all_lists_only_own_cdrs(roaming: dict[str, Peer]) -> None:
    """An eMSP's GET all lists only CDRs of its own tokens, paged and date-filtered."""
    cpo = roaming["cpo230"]
    for i in range(3):
        body = cdr_230(f"A{i}", EMSP_230, last_updated=f"2024-02-0{i + 1}T00:00:00Z")
        assert (await post(cpo, body))[0] == 201
    assert (await post(cpo, cdr_230("B0", EMSP_211)))[0] == 201
    emsp = roaming["emsp230"]
    sender = emsp.hub_url("cdrs", "SENDER")
    status, body, headers = await emsp.request("GET", sender, params={"limit": "2"})
    assert status == 200
    assert [c["id"] for c in body["data"]] == ["A0", "A1"]
    assert headers["X-Total-Count"] == "3"
    link = headers["Link"].split(";")[0].strip("<>")
    status, body, _ = await emsp.request("GET", link)
    assert [c["id"] for c in body["data"]] == ["A2"]
    status, body, _ = await emsp.request(
        "GET", sender, params={"date_from": "2024-02-02T00:00:00Z"}
    )
    assert [c["id"] for c in body["data"]] == ["A1", "A2"]
    emsp211 = roaming["emsp211"]
    status, body, _ = await emsp211.request("GET", emsp211.hub_url("cdrs", "SENDER"))
    assert [c["id"] for c in body["data"]] == ["B0"]
    parse(model("2.1.1", "CDR"), body["data"][0])
    outsider = roaming["outsider"]
    status, body, _ = await outsider.request("GET", outsider.hub_url("cdrs", "SENDER"))
    assert body["data"] == []


async def test_cdr_for_foreign_party_or_without_agreement_refused(
    roaming: dict[str, Peer],
) -> None:
    """A CDR of a party the CPO does not host, or for an eMSP without agreement, is refused;
    nothing is stored or sent."""
    cpo = roaming["cpo230"]
    status, body, _ = await post(cpo, cdr_230("F1", EMSP_230, party_id="XXX"))
    assert status == 404
    assert "NL-XXX" in body["status_message"]
    unagreed = cdr_230("F2", EMSP_230)
    unagreed["cdr_token"].update(country_code=OUTSIDER[1], party_id=OUTSIDER[2])
    status, body, headers = await post(cpo, unagreed)
    assert status == 200
    assert body["status_code"] == 4001
    assert "Location" not in headers
    status, _, _ = await cpo.request("GET", f"{cpo.hub_url('cdrs', 'RECEIVER')}/NL/C23/F2")
    assert status == 404
    emsp = roaming["emsp230"]
    status, body, _ = await emsp.request("GET", emsp.hub_url("cdrs", "SENDER"))
    assert body["data"] == []
    await asyncio.sleep(0.3)
    for name in ("emsp230", "emsp211", "outsider"):
        assert roaming[name].of("cdrs") == []
