"""OCPI-to is honoured on every functional request to a stored module (issue 15.6): a GET one
looks in the addressed party's objects only; a push addressed to one party goes to that party
only; a push addressed to a party without an agreement is refused (4001), nothing stored or
sent. Also the routing headers on the hub's own answers (issue 15.7)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from ocpihub.testing import Peer, Received
from tests.e2e.conftest import RunningHub
from tests.e2e.test_tokens import token_for
from tests.examples import load_example
from tests.support.connect import connect


def to(cc: str, pid: str, frm: tuple[str, str] | None = None) -> dict[str, str]:
    """OCPI-to headers naming one party (and OCPI-from, when given)."""
    out = {"OCPI-to-country-code": cc, "OCPI-to-party-id": pid}
    if frm is not None:
        out |= {"OCPI-from-country-code": frm[0], "OCPI-from-party-id": frm[1]}
    return out


def location(owner: tuple[str, str], name: str) -> dict[str, Any]:
    """The spec's destination-charger example as ``owner``'s, called ``name``."""
    loc = load_example("2.3.0", "location_example_uc2_destination_charger.json")
    loc.update(country_code=owner[0], party_id=owner[1], name=name)
    return dict(loc)


def tariff(owner: tuple[str, str], tariff_id: str) -> dict[str, Any]:
    """The spec's simple tariff as ``owner``'s."""
    out = load_example("2.3.0", "tariff_1_simple_2hour.json")
    out.update(country_code=owner[0], party_id=owner[1], id=tariff_id)
    return dict(out)


async def wait_for(
    peer: Peer, module: str, predicate: Callable[[list[Received]], bool], timeout: float = 15
) -> list[Received]:
    """Poll what ``peer`` accepted on ``module`` until ``predicate`` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        got = peer.of(module)
        if predicate(got):
            return got
        assert asyncio.get_running_loop().time() < deadline, [(r.method, r.path) for r in got]
        await asyncio.sleep(0.05)


@pytest.fixture
async def market(hub: RunningHub, start_peer: Any) -> dict[str, Peer]:
    """2.3.0 CPOs NL-CPA and NL-CPB, eMSPs DE-MS1 and DE-MS2, and FR-OUT (no agreement).
    Agreements: CPA with MS1 and MS2, CPB with MS1."""
    peers = {
        "cpa": await start_peer("2.3.0", [("CPO", "NL", "CPA")], name="cpa"),
        "cpb": await start_peer("2.3.0", [("CPO", "NL", "CPB")], name="cpb"),
        "ms1": await start_peer("2.3.0", [("EMSP", "DE", "MS1")], name="ms1"),
        "ms2": await start_peer("2.3.0", [("EMSP", "DE", "MS2")], name="ms2"),
        "out": await start_peer("2.3.0", [("EMSP", "FR", "OUT")], name="out"),
    }
    for peer in peers.values():
        await connect(hub.app.state.runtime.db, peer, hub.versions_url)
    for pair in (["NL-CPA", "DE-MS1"], ["NL-CPA", "DE-MS2"], ["NL-CPB", "DE-MS1"]):
        status, body = await hub.admin("POST", "/agreements", {"parties": pair})
        assert status == 201, body
    return peers


async def put_location(
    cpo: Peer, owner: tuple[str, str], loc: dict[str, Any], **headers: str
) -> Any:
    """The CPO PUTs ``loc`` at the hub; returns the parsed answer."""
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/{owner[0]}/{owner[1]}/{loc['id']}"
    status, answer, _ = await cpo.request("PUT", url, json=loc, headers=headers)
    assert status in (200, 201, 400, 404), answer
    return answer


async def test_get_one_looks_in_the_addressed_party(market: dict[str, Peer]) -> None:
    """Two CPOs hold a Location with the same id: OCPI-to picks whose one the eMSP gets, in a
    GET one and in a GET all."""
    a, b = location(("NL", "CPA"), "of A"), location(("NL", "CPB"), "of B")
    assert (await put_location(market["cpa"], ("NL", "CPA"), a))["status_code"] == 1000
    assert (await put_location(market["cpb"], ("NL", "CPB"), b))["status_code"] == 1000
    ms1 = market["ms1"]
    url = f"{ms1.hub_url('locations', 'SENDER')}/{a['id']}"
    for pid, name in (("CPB", "of B"), ("CPA", "of A")):
        status, body, _ = await ms1.request("GET", url, headers=to("NL", pid))
        assert status == 200 and body["data"]["name"] == name, body
        assert body["data"]["party_id"] == pid
    everything = ms1.hub_url("locations", "SENDER")
    for headers, names in ((to("NL", "CPB"), ["of B"]), (to("NL", "HUB"), ["of A", "of B"])):
        status, body, _ = await ms1.request("GET", everything, headers=headers)
        assert status == 200 and sorted(x["name"] for x in body["data"]) == names, body
    # MS2 has no agreement with CPB: addressing it is an unknown receiver
    ms2 = market["ms2"]
    status, body, _ = await ms2.request("GET", url, headers=to("NL", "CPB"))
    assert body["status_code"] == 4001, body
    assert market["cpb"].of("locations", "GET") == []


async def test_push_addressed_to_one_party_goes_to_it_only(market: dict[str, Peer]) -> None:
    """A Location and a Tariff pushed with OCPI-to DE-MS1 reach MS1 only, sent as the CPO's
    (OCPI-from the owner); a later broadcast reaches MS2, which never got the addressed ones."""
    cpa, ms1, ms2 = market["cpa"], market["ms1"], market["ms2"]
    one = location(("NL", "CPA"), "for MS1")
    assert (await put_location(cpa, ("NL", "CPA"), one, **to("DE", "MS1")))["status_code"] == 1000
    url = f"{cpa.hub_url('tariffs', 'RECEIVER')}/NL/CPA/T1"
    _, answer, _ = await cpa.request(
        "PUT", url, json=tariff(("NL", "CPA"), "T1"), headers=to("DE", "MS1")
    )
    assert answer["status_code"] == 1000, answer
    every = location(("NL", "CPA"), "for all") | {"id": "LOC-ALL"}
    assert (await put_location(cpa, ("NL", "CPA"), every, **to("NL", "HUB")))["status_code"] == 1000
    got = await wait_for(ms1, "locations", lambda r: len(r) == 2)
    assert {r.body["name"] for r in got} == {"for MS1", "for all"}
    addressed = next(r for r in got if r.body["name"] == "for MS1")
    assert addressed.header("ocpi-from-party-id") == "CPA"
    assert addressed.header("ocpi-to-party-id") == "MS1"
    await wait_for(ms1, "tariffs", lambda r: len(r) == 1)
    got = await wait_for(ms2, "locations", lambda r: len(r) >= 1)
    assert [r.body["name"] for r in got] == ["for all"]
    assert ms2.of("tariffs") == []


async def test_push_addressed_to_unagreed_party_is_refused(market: dict[str, Peer]) -> None:
    """Pushes of Locations, Tariffs and Tokens addressed to a party without an agreement with
    the sender are refused with 4001: nothing stored (GET own is 404), nothing delivered."""
    cpa, ms1 = market["cpa"], market["ms1"]
    loc = location(("NL", "CPA"), "nope")
    answer = await put_location(cpa, ("NL", "CPA"), loc, **to("FR", "OUT"))
    assert answer["status_code"] == 4001, answer
    assert "FR-OUT" in answer["status_message"]
    own = f"{cpa.hub_url('locations', 'RECEIVER')}/NL/CPA/{loc['id']}"
    status, _, _ = await cpa.request("GET", own)
    assert status == 404
    url = f"{cpa.hub_url('tariffs', 'RECEIVER')}/NL/CPA/T9"
    _, answer, _ = await cpa.request(
        "PUT", url, json=tariff(("NL", "CPA"), "T9"), headers=to("FR", "OUT")
    )
    assert answer["status_code"] == 4001, answer
    status, _, _ = await cpa.request("GET", url)
    assert status == 404
    token = token_for("2.3.0", ("DE", "MS1"), "TOK9")
    url = f"{ms1.hub_url('tokens', 'RECEIVER')}/DE/MS1/TOK9"
    _, answer, _ = await ms1.request("PUT", url, json=token, headers=to("NL", "CPB"))
    assert answer["status_code"] == 1000, answer  # CPB is agreed with MS1: addressed
    _, answer, _ = await ms1.request("PUT", url, json=token, headers=to("FR", "OUT"))
    assert answer["status_code"] == 4001, answer
    url8 = url.replace("TOK9", "TOK8")
    token8 = token_for("2.3.0", ("DE", "MS1"), "TOK8")
    _, answer, _ = await ms1.request("PUT", url8, json=token8)
    assert answer["status_code"] == 1000, answer  # no OCPI-to: broadcast
    got = await wait_for(market["cpb"], "tokens", lambda r: len(r) == 2)
    assert [r.body["uid"] for r in got] == ["TOK9", "TOK8"]
    assert got[0].header("ocpi-to-party-id") == "CPB"
    assert got[0].header("ocpi-from-party-id") == "MS1"
    got = await wait_for(market["cpa"], "tokens", lambda r: len(r) >= 1)
    assert [r.body["uid"] for r in got] == ["TOK8"]
    assert market["out"].of("locations") == market["out"].of("tariffs") == []


def routing(headers: Any) -> tuple[str | None, ...]:
    """(from cc, from pid, to cc, to pid) of a response's routing headers."""
    names = ("from-country-code", "from-party-id", "to-country-code", "to-party-id")
    return tuple(headers.get(f"OCPI-{n}") for n in names)


async def test_hub_answers_carry_routing_headers(
    hub: RunningHub, market: dict[str, Peer], start_peer: Any
) -> None:
    """The hub's own answers carry OCPI-from/-to as the spec's hub tables say (issue 15.7):
    broadcast push and GET all/one from the store: from the hub, to the requester; a GET one
    addressed to a party: from that party; 2.1.1 answers carry none."""
    cpa, ms1 = market["cpa"], market["ms1"]
    loc = location(("NL", "CPA"), "A")
    url = f"{cpa.hub_url('locations', 'RECEIVER')}/NL/CPA/{loc['id']}"
    for headers in ({}, to("NL", "HUB")):
        status, answer, got = await cpa.request("PUT", url, json=loc, headers=headers)
        assert answer["status_code"] == 1000, answer
        assert routing(got) == ("NL", "HUB", "NL", "CPA")
    everything = ms1.hub_url("locations", "SENDER")
    status, answer, got = await ms1.request("GET", everything, headers=to("NL", "HUB"))
    assert status == 200 and len(answer["data"]) == 1, answer
    assert routing(got) == ("NL", "HUB", "DE", "MS1")
    status, answer, got = await ms1.request("GET", f"{everything}/{loc['id']}")
    assert answer["status_code"] == 1000, answer
    assert routing(got) == ("NL", "HUB", "DE", "MS1")
    status, answer, got = await ms1.request(
        "GET", f"{everything}/{loc['id']}", headers=to("NL", "CPA")
    )
    assert answer["status_code"] == 1000, answer
    assert routing(got) == ("NL", "CPA", "DE", "MS1")
    status, answer, got = await ms1.request("GET", f"{everything}/NOPE")
    assert status == 404
    assert routing(got) == ("NL", "HUB", "DE", "MS1")
    old = await start_peer("2.1.1", [("EMSP", "DE", "M21")], name="old")
    await connect(hub.app.state.runtime.db, old, hub.versions_url)
    status, answer, got = await old.request("GET", old.hub_url("locations"))
    assert status == 200, answer
    assert routing(got) == (None, None, None, None)
