"""Payments through the hub: a PTP and CPOs exchange terminals and financial advice both ways."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ocpihub.testing import Peer, Received
from tests.e2e.conftest import RunningHub
from tests.examples import load_example
from tests.support.connect import connect

PTP = ("OTHER", "AT", "PTP")
CPO_MODULES = [("locations", "SENDER"), ("payments", "RECEIVER"), ("commands", "RECEIVER")]
PTP_MODULES = [
    ("payments", "SENDER"),
    ("locations", "RECEIVER"),
    ("tariffs", "RECEIVER"),
    ("sessions", "RECEIVER"),
    ("cdrs", "RECEIVER"),
    ("commands", "SENDER"),
]
TERMINAL = "452cf8a1-79aa-4a0e-9aee-dc788586053c"


def to(cc: str, pid: str) -> dict[str, str]:
    """OCPI-to headers naming one party."""
    return {"OCPI-to-country-code": cc, "OCPI-to-party-id": pid}


async def wait_for(peer: Peer, count: int, timeout: float = 15) -> list[Received]:
    """Poll until ``peer`` accepted ``count`` payments requests; returns them."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        got = peer.of("payments")
        if len(got) >= count:
            return got
        assert asyncio.get_running_loop().time() < deadline, [(r.method, r.path) for r in got]
        await asyncio.sleep(0.05)


@pytest.fixture
async def market(hub: RunningHub, start_peer: Any) -> dict[str, Peer]:
    """A 2.3.0 PTP agreed with two 2.3.0 CPOs and a 2.2.1 CPO; one 2.3.0 CPO without agreement."""
    runtime = hub.app.state.runtime
    peers = {
        "ptp": await start_peer("2.3.0", [PTP], name="ptp", modules=PTP_MODULES),
        "cpo": await start_peer("2.3.0", [("CPO", "NL", "CPO")], name="cpo", modules=CPO_MODULES),
        "two": await start_peer("2.3.0", [("CPO", "NL", "TWO")], name="two", modules=CPO_MODULES),
        "old": await start_peer("2.2.1", [("CPO", "DE", "OLD")], name="old"),
        "out": await start_peer("2.3.0", [("CPO", "FR", "OUT")], name="out", modules=CPO_MODULES),
    }
    for peer in peers.values():
        await connect(runtime.db, peer, hub.versions_url)
    for other in ("NL-CPO", "NL-TWO", "DE-OLD"):
        status, body = await hub.admin("POST", "/agreements", {"parties": ["AT-PTP", other]})
        assert status == 201, body
    return peers


async def create_terminal(ptp: Peer) -> None:
    """The PTP creates the spec's example terminal at NL-CPO."""
    url = f"{ptp.hub_url('payments', 'RECEIVER')}/terminals"
    body = load_example("2.3.0", "payment_terminal_create.json")
    status, answer, _ = await ptp.request("POST", url, json=body, headers=to("NL", "CPO"))
    assert status == 200, answer
    assert answer["status_code"] == 1000


async def test_ptp_registers_as_other(hub: RunningHub, start_peer: Any) -> None:
    """A PTP registers with role OTHER, sees both payments interfaces, and can be agreed."""
    ptp = await start_peer("2.3.0", [PTP], name="ptp", modules=PTP_MODULES)
    created = await hub.add_platform("ptp")
    status, body = await ptp.register(hub.versions_url, created["token_a"])
    assert status == 200, body
    assert ptp.hub_url("payments", "RECEIVER").endswith("/ocpi/2.3.0/payments/receiver")
    assert ptp.hub_url("payments", "SENDER").endswith("/ocpi/2.3.0/payments/sender")
    cpo = await start_peer("2.3.0", [("CPO", "NL", "CPO")], name="cpo", modules=CPO_MODULES)
    await connect(hub.app.state.runtime.db, cpo, hub.versions_url)
    status, body = await hub.admin("POST", "/agreements", {"parties": ["AT-PTP", "NL-CPO"]})
    assert status == 201, body


async def test_declared_ptp_registers_claiming_other(hub: RunningHub, start_peer: Any) -> None:
    """A platform declared PTP:AT:P01 registers with 2.3.0 credentials claiming OTHER (2.3.0 has
    no PTP role): admitted, hosted as a PTP, and its terminals reach the CPO (issue 15.2)."""
    ptp = await start_peer("2.3.0", [("OTHER", "AT", "P01")], name="ptp", modules=PTP_MODULES)
    created = await hub.add_platform(
        "ptp", roles=[{"role": "PTP", "country_code": "AT", "party_id": "P01"}]
    )
    status, body = await ptp.register(hub.versions_url, created["token_a"])
    assert status == 200, body
    assert body["status_code"] == 1000, body
    status, shown = await hub.admin("GET", f"/platforms/{created['id']}")
    assert [(p["role"], p["country_code"], p["party_id"]) for p in shown["parties"]] == [
        ("PTP", "AT", "P01")
    ]
    cpo = await start_peer("2.3.0", [("CPO", "NL", "CPO")], name="cpo", modules=CPO_MODULES)
    await connect(hub.app.state.runtime.db, cpo, hub.versions_url)
    status, agreed = await hub.admin("POST", "/agreements", {"parties": ["AT-P01", "NL-CPO"]})
    assert status == 201, agreed
    url = f"{ptp.hub_url('payments', 'RECEIVER')}/terminals"
    terminal = load_example("2.3.0", "payment_terminal_create.json")
    status, answer, _ = await ptp.request("POST", url, json=terminal, headers=to("NL", "CPO"))
    assert answer["status_code"] == 1000, answer
    got = (await wait_for(cpo, 1))[0]
    assert got.header("ocpi-from-party-id") == "P01"
    # the partner claimed OTHER: its credentials update still says OTHER, never PTP
    status, body = await ptp.update_credentials()
    assert body["status_code"] == 1000, body


async def test_terminal_create_reaches_cpo(market: dict[str, Peer]) -> None:
    """A PTP's Terminal POST reaches the named CPO as sent; that CPO (only) can GET it."""
    await create_terminal(market["ptp"])
    got = (await wait_for(market["cpo"], 1))[0]
    assert (got.method, got.path) == ("POST", "/ocpi/2.3.0/payments/receiver/terminals")
    assert got.body == load_example("2.3.0", "payment_terminal_create.json")
    assert got.header("ocpi-from-party-id") == "PTP"
    assert got.header("ocpi-to-party-id") == "CPO"
    cpo = market["cpo"]
    status, body, headers = await cpo.request(
        "GET", f"{cpo.hub_url('payments', 'SENDER')}/terminals"
    )
    assert status == 200
    assert [t["terminal_id"] for t in body["data"]] == [TERMINAL]
    assert "_ocpihub" not in body["data"][0]
    assert headers["X-Total-Count"] == "1"
    for name in ("two", "out"):
        peer = market[name]
        status, body, _ = await peer.request(
            "GET", f"{peer.hub_url('payments', 'SENDER')}/terminals"
        )
        assert body["data"] == []
    await asyncio.sleep(0.2)
    assert market["two"].of("payments") == []


async def test_cpo_assigns_locations_and_updates(market: dict[str, Peer]) -> None:
    """CPO PATCH (assignment) and PUT of a terminal reach the PTP's Sender interface in order."""
    ptp, cpo = market["ptp"], market["cpo"]
    await create_terminal(ptp)
    url = f"{cpo.hub_url('payments', 'SENDER')}/terminals/{TERMINAL}"
    assignment = load_example("2.3.0", "payment_terminal_location_assignment.json")
    status, body, _ = await cpo.request("PATCH", url, json=assignment)
    assert status == 200, body
    full = load_example("2.3.0", "payment_terminal_create.json")
    full["customer_reference"] = "OMV"
    status, body, _ = await cpo.request("PUT", url, json=full)
    assert status == 200, body
    got = await wait_for(ptp, 2)
    assert [(r.method, r.path) for r in got] == [
        ("PATCH", f"/ocpi/2.3.0/payments/sender/terminals/{TERMINAL}"),
        ("PUT", f"/ocpi/2.3.0/payments/sender/terminals/{TERMINAL}"),
    ]
    assert got[0].body == assignment
    assert got[0].header("ocpi-from-party-id") == "CPO"
    assert got[1].body["customer_reference"] == "OMV"
    status, own, _ = await ptp.request(
        "GET", f"{ptp.hub_url('payments', 'RECEIVER')}/terminals/{TERMINAL}"
    )
    assert own["data"]["customer_reference"] == "OMV"


async def test_activation_and_deactivation(market: dict[str, Peer]) -> None:
    """A CPO's activate and deactivate requests reach the PTP's Sender interface."""
    ptp, cpo = market["ptp"], market["cpo"]
    sender = cpo.hub_url("payments", "SENDER")
    activation = load_example("2.3.0", "payment_terminal_activate.json")
    del activation["terminal_id"]  # the PTP issues the id
    status, body, _ = await cpo.request(
        "POST", f"{sender}/terminals/activate", json=activation, headers=to("AT", "PTP")
    )
    assert status == 200, body
    got = (await wait_for(ptp, 1))[0]
    assert (got.method, got.path) == ("POST", "/ocpi/2.3.0/payments/sender/terminals/activate")
    assert got.body == activation
    await create_terminal(ptp)
    status, body, _ = await cpo.request("POST", f"{sender}/terminals/{TERMINAL}/deactivate")
    assert status == 200, body
    got = (await wait_for(ptp, 2))[1]
    assert got.path == f"/ocpi/2.3.0/payments/sender/terminals/{TERMINAL}/deactivate"
    assert got.body is None


async def test_financial_advice_reaches_cpo(market: dict[str, Peer]) -> None:
    """A FAC goes to the PTP's only 2.3.0-capable CPO as a 2.3.0 Price, and is served to it."""
    ptp, cpo = market["ptp"], market["cpo"]
    fac = load_example("2.3.0", "payment_financial_advice_confirmation_example_success.json")
    url = f"{ptp.hub_url('payments', 'RECEIVER')}/financial-advice-confirmations"
    status, body, _ = await ptp.request("POST", url, json=fac, headers=to("NL", "CPO"))
    assert status == 200, body
    got = (await wait_for(cpo, 1))[0]
    assert got.path == "/ocpi/2.3.0/payments/receiver/financial-advice-confirmations"
    assert got.body["total_costs"] == {
        "before_taxes": 4.0,
        "taxes": [{"name": "VAT", "amount": 0.4}],
    }
    sender = cpo.hub_url("payments", "SENDER")
    status, body, _ = await cpo.request("GET", f"{sender}/financial-advice-confirmations")
    assert [f["id"] for f in body["data"]] == [fac["id"]]
    status, one, _ = await cpo.request(
        "GET", f"{sender}/financial-advice-confirmations/{fac['id']}"
    )
    assert one["data"]["authorization_reference"] == fac["authorization_reference"]
    status, body, _ = await ptp.request("GET", f"{url}/{fac['id']}")
    assert body["data"]["capture_status_code"] == "SUCCESS"


async def test_refusals(market: dict[str, Peer]) -> None:
    """Writes without agreement, to a 2.2.1 CPO, or to another CPO's terminal are refused."""
    ptp = market["ptp"]
    url = f"{ptp.hub_url('payments', 'RECEIVER')}/terminals"
    body = load_example("2.3.0", "payment_terminal_create_minimal.json")
    status, answer, _ = await ptp.request("POST", url, json=body, headers=to("FR", "OUT"))
    assert answer["status_code"] == 4001, answer
    status, answer, _ = await ptp.request("POST", url, json=body, headers=to("DE", "OLD"))
    assert answer["status_code"] == 4001
    assert "cannot receive payments" in answer["status_message"]
    status, answer, _ = await ptp.request("POST", url, json=body)
    assert answer["status_code"] == 2001  # two 2.3.0 CPOs: the PTP must name one
    status, answer, _ = await ptp.request("GET", f"{url}/{TERMINAL}")
    assert status == 404  # nothing was stored
    await create_terminal(ptp)
    await wait_for(market["cpo"], 1)
    patch = load_example("2.3.0", "payment_terminal_location_assignment.json")
    for name in ("two", "out"):
        peer = market[name]
        terminal_url = f"{peer.hub_url('payments', 'SENDER')}/terminals/{TERMINAL}"
        status, answer, _ = await peer.request("PATCH", terminal_url, json=patch)
        assert status == 404, answer
        assert TERMINAL in answer["status_message"]
    cpo = market["cpo"]
    status, answer, _ = await cpo.request("POST", f"{url}", json=body, headers=to("NL", "TWO"))
    assert status == 404  # a CPO is no PTP: it cannot create terminals
    await asyncio.sleep(0.3)
    assert len(ptp.of("payments")) == 0
    assert market["two"].of("payments") == market["out"].of("payments") == []
    assert market["old"].of("payments") == []


async def test_requests_addressed_to_the_ptp_reach_it(market: dict[str, Peer]) -> None:
    """A CPO's PATCH of a terminal the hub never saw, and its GET of the terminals list, with
    OCPI-to naming the PTP, are forwarded to the PTP and its answers relayed (issue 15.3)."""
    ptp, cpo = market["ptp"], market["cpo"]
    known = load_example("2.3.0", "payment_terminal_example_assigned_locations.json")
    unseen = str(known["terminal_id"])

    def ptp_answers(received: Received) -> tuple[int, Any]:
        envelope: dict[str, Any] = {"status_code": 1000, "timestamp": "2024-01-01T00:00:00Z"}
        if received.rest.rstrip("/").endswith("terminals"):
            envelope["data"] = [known]
            return 200, envelope
        envelope["data"] = known
        return 200, envelope

    ptp.on("GET", "payments", ptp_answers)
    base = f"{cpo.hub_url('payments', 'SENDER')}/terminals"
    patch = load_example("2.3.0", "payment_terminal_location_assignment.json")
    status, answer, headers = await cpo.request(
        "PATCH", f"{base}/{unseen}", json=patch, headers=to("AT", "PTP")
    )
    assert status == 200 and answer["status_code"] == 1000, answer
    assert headers["OCPI-from-party-id"] == "PTP"
    (got,) = ptp.of("payments", "PATCH")
    assert got.path == f"/ocpi/2.3.0/payments/sender/terminals/{unseen}"
    assert got.body == patch
    assert got.header("ocpi-from-party-id") == "CPO"
    assert got.header("ocpi-to-party-id") == "PTP"
    status, answer, headers = await cpo.request(
        "GET", base, headers=to("AT", "PTP"), params={"limit": "10"}
    )
    assert status == 200 and answer["data"] == [known], answer
    (listed,) = [r for r in ptp.of("payments", "GET") if r.rest.rstrip("/").endswith("terminals")]
    assert listed.query.get("limit") == "10"
    status, answer, _ = await cpo.request("GET", f"{base}/{unseen}", headers=to("AT", "PTP"))
    assert status == 200 and answer["data"] == known, answer
    # without OCPI-to the hub answers from its registry, which has not seen the terminal
    status, answer, _ = await cpo.request("GET", base)
    assert answer["data"] == []
    # a PTP the CPO has no agreement with is an unknown receiver
    out = market["out"]
    status, answer, _ = await out.request(
        "GET", out.hub_url("payments", "SENDER") + "/terminals", headers=to("AT", "PTP")
    )
    assert answer["status_code"] == 4001, answer
