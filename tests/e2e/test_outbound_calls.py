"""What partners receive from the hub on every outbound call path: the token in the form of the
chosen version, request and correlation ids, and URLs exactly as the partner published them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from ocpihub.testing import Peer, Received
from tests.e2e.conftest import RunningHub
from tests.e2e.test_cdrs import cdr_230
from tests.e2e.test_sessions import location_230

pytestmark = pytest.mark.e2e

CPO = ("CPO", "NL", "C23")
EMSP = ("EMSP", "DE", "M23")
CONFIGURATION = ("versions", "credentials")


def role(r: tuple[str, str, str]) -> dict[str, str]:
    """A declared role in admin API form."""
    return {"role": r[0], "country_code": r[1], "party_id": r[2]}


async def until(
    peer: Peer, predicate: Callable[[list[Received]], bool], timeout: float = 15
) -> list[Received]:
    """Wait until what ``peer`` received satisfies ``predicate``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate(peer.received):
        assert loop.time() < deadline, [(r.method, r.path, r.accepted) for r in peer.received]
        await asyncio.sleep(0.05)
    return peer.received


async def register_with(hub: RunningHub, peer: Peer, **platform: Any) -> dict[str, Any]:
    """Hub-initiated registration with ``peer`` through the admin API; the platform."""
    created = await hub.add_platform(peer.name, roles=[role(peer.parties[0])], **platform)
    status, body = await hub.admin(
        "POST",
        f"/platforms/{created['id']}/register",
        {"versions_url": peer.versions_url, "token": peer.issue_token()},
    )
    assert status == 200, body
    return dict(body)


async def register_at(hub: RunningHub, peer: Peer) -> None:
    """Platform-initiated registration of ``peer`` with the hub."""
    created = await hub.add_platform(peer.name, roles=[role(peer.parties[0])])
    status, body = await peer.register(created["versions_url"], created["token_a"])
    assert status == 200, body


async def test_211_token_form_after_the_versions_get(hub_factory: Any, start_peer: Any) -> None:
    """token_encoding auto with a 2.1.1 partner that takes only plain tokens past its versions
    list: only the first versions GET may be Base64; details, credentials POST, liveness and
    deliveries all send the plain token."""
    hub = await hub_factory(liveness_interval_seconds=0.2)
    emsp = await start_peer("2.1.1", [EMSP], name="msp211", versions_any_encoding=True)
    cpo = await start_peer("2.3.0", [CPO], name="cpo230")
    body = await register_with(hub, emsp)
    assert body["version"] == "2.1.1"
    await register_at(hub, cpo)
    status, _ = await hub.admin("POST", "/agreements", {"parties": ["NL-C23", "DE-M23"]})
    assert status == 201
    status, answer, _ = await cpo.request(
        "PUT", f"{cpo.hub_url('locations', 'RECEIVER')}/NL/C23/LOC1", json=location_230()
    )
    assert status in (200, 201), answer
    # a later liveness GET and the delivery of the Location, as well as the handshake
    await until(emsp, lambda got: sum(r.module == "versions" for r in got) >= 3)
    await until(emsp, lambda got: any(r.module == "locations" for r in got))
    first, *rest = emsp.received
    assert first.path == "/ocpi/versions"
    assert rest and all(r.token_was_base64 is False and r.accepted for r in rest), [
        (r.method, r.path, r.token_was_base64) for r in rest
    ]
    assert {r.module for r in rest} >= {"versions", "credentials", "locations"}


async def test_ids_on_every_outbound_request(hub: RunningHub, start_peer: Any) -> None:
    """Versions, details, credentials POST and PUT, and deliveries all carry a fresh
    X-Request-ID and an X-Correlation-ID; one handshake is one correlation; routing headers
    only on functional modules."""
    emsp = await start_peer("2.3.0", [EMSP], name="msp230")
    cpo = await start_peer("2.3.0", [CPO], name="cpo230")
    await register_with(hub, emsp)
    await register_at(hub, cpo)
    status, _ = await hub.admin("POST", "/agreements", {"parties": ["NL-C23", "DE-M23"]})
    assert status == 201
    status, answer, _ = await cpo.request(
        "PUT", f"{cpo.hub_url('locations', 'RECEIVER')}/NL/C23/LOC1", json=location_230()
    )
    assert status in (200, 201), answer
    await until(emsp, lambda got: any(r.module == "locations" for r in got))
    got = emsp.received + cpo.received
    kinds = {(r.module, r.method) for r in got}
    assert {
        ("versions", "GET"),
        ("credentials", "POST"),
        ("credentials", "PUT"),
        ("locations", "PUT"),
    } <= kinds
    request_ids = [r.header("X-Request-ID") for r in got]
    assert all(request_ids) and len(set(request_ids)) == len(request_ids)
    assert all(r.header("X-Correlation-ID") for r in got)
    # the hub-initiated handshake (versions, details, POST) is one chain
    handshake = [r for r in emsp.received if r.module in CONFIGURATION][:3]
    assert [r.method for r in handshake] == ["GET", "GET", "POST"]
    assert len({r.header("X-Correlation-ID") for r in handshake}) == 1
    for r in got:
        routed = r.header("OCPI-to-party-id") is not None
        assert routed is (r.module not in (*CONFIGURATION, "hubclientinfo")), (r.method, r.path)
    (put,) = [r for r in emsp.received if r.module == "locations"]
    assert (put.header("OCPI-to-country-code"), put.header("OCPI-to-party-id")) == ("DE", "M23")


@pytest.mark.parametrize("published_slash", [True, False], ids=["slash", "bare"])
async def test_urls_as_published_and_307(
    hub: RunningHub, start_peer: Any, published_slash: bool
) -> None:
    """A receiver whose server answers 307 from the bare path to the one with a trailing slash:
    published with the slash, every request goes exactly there; published bare, the hub follows
    the 307 and the CDR is delivered, not dead."""
    emsp = await start_peer(
        "2.3.0",
        [EMSP],
        name="slashy",
        trailing_slash=published_slash,
        redirect_to_slash=True,
    )
    cpo = await start_peer("2.3.0", [CPO], name="cpo230")
    await register_at(hub, emsp)
    await register_at(hub, cpo)
    status, _ = await hub.admin("POST", "/agreements", {"parties": ["NL-C23", "DE-M23"]})
    assert status == 201
    status, answer, _ = await cpo.request(
        "PUT", f"{cpo.hub_url('locations', 'RECEIVER')}/NL/C23/LOC1", json=location_230()
    )
    assert status in (200, 201), answer
    status, answer, _ = await cpo.request(
        "POST", cpo.hub_url("cdrs", "RECEIVER"), json=cdr_230("CDR1", EMSP)
    )
    assert status == 201, answer
    await until(emsp, lambda got: bool(emsp.of("cdrs", "POST") and emsp.of("locations")))
    (cdr,) = emsp.of("cdrs", "POST")
    assert cdr.path == "/ocpi/2.3.0/cdrs/receiver/"
    assert cdr.body["id"] == "CDR1"
    (location,) = emsp.of("locations", "PUT")
    assert location.path == "/ocpi/2.3.0/locations/receiver/NL/C23/LOC1"
    assert not any("//" in r.path for r in emsp.received)
    redirected = [r for r in emsp.received if r.redirected]
    if published_slash:
        assert redirected == []
    else:
        # the CDR POST and the credentials update (both on a bare endpoint) were followed
        assert {(r.method, r.path) for r in redirected} == {
            ("POST", "/ocpi/2.3.0/cdrs/receiver"),
            ("PUT", "/ocpi/2.3.0/credentials"),
        }
        assert [r.path for r in emsp.of("credentials", "PUT")] == ["/ocpi/2.3.0/credentials/"]
    status, items = await hub.admin("GET", "/outbox?status=DEAD")
    assert status == 200
    assert items == [], items
