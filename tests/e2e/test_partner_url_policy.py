"""The partner-URL policy against real calls: with private addresses disallowed the hub calls
no loopback address, however it is spelt and whatever name leads to it.

Every URL here leads to 127.0.0.0/8 only (a name is used only if it resolves there alone), so a
failing policy sends traffic to the test's own peer and nowhere else.
"""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import pytest

from ocpihub.errors import ReceiverNotConnected
from ocpihub.outbound.client import PartnerClient
from ocpihub.testing import Peer

CPO = ("CPO", "NL", "CPO")
SPELLINGS = [
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "127.1",
    "127.0.0.1.",
    "0",
    "localhost.",
    "[::ffff:127.0.0.1]",
]


def loopback_name() -> str:
    """A host name (not 'localhost') that resolves to loopback addresses only, else skip."""
    for name in (socket.gethostname(), "vm", "runsc", "ip6-localhost"):
        try:
            found = {a[4][0] for a in socket.getaddrinfo(name, 80, type=socket.SOCK_STREAM)}
        except OSError:
            continue
        if found and all(a.startswith("127.") for a in found):
            return name
    pytest.skip("no host name here resolves to 127.0.0.0/8 only")


def at(peer: Peer, host: str) -> str:
    """The peer's versions URL with another spelling of its host."""
    port = urlsplit(peer.base_url).port
    return f"http://{host}:{port}/ocpi/versions"


async def test_loopback_spellings_refused_at_registration(
    hub_factory: Any, start_peer: Any
) -> None:
    """Hub-initiated registration refuses every spelling of loopback before calling it."""
    hub = await hub_factory(allow_private_addresses=False)
    peer = await start_peer("2.3.0", [CPO], name="cpo")
    created = await hub.add_platform("cpo")
    for host in SPELLINGS:
        status, body = await hub.admin(
            "POST",
            f"/platforms/{created['id']}/register",
            {"versions_url": at(peer, host), "token": peer.issue_token()},
        )
        assert status == 400, (host, body)
        assert "allow_private_addresses" in body["error"], (host, body)
    assert peer.received == []


async def test_name_resolving_to_loopback_refused_when_connecting(
    hub_factory: Any, start_peer: Any
) -> None:
    """A DNS name passes the URL check, but the hub does not connect to the loopback address
    it resolves to: registration fails and the partner never hears from the hub."""
    name = loopback_name()
    hub = await hub_factory(allow_private_addresses=False)
    peer = await start_peer("2.3.0", [CPO], name="cpo")
    created = await hub.add_platform("cpo")
    status, body = await hub.admin(
        "POST",
        f"/platforms/{created['id']}/register",
        {"versions_url": at(peer, name), "token": peer.issue_token()},
    )
    assert status == 502, body
    assert "allow_private_addresses" in body["error"]
    assert peer.received == []


async def test_partner_client_checks_every_call(start_peer: Any) -> None:
    """The partner client itself refuses loopback names and literals in any spelling (so
    URLs stored earlier, endpoints and redirect targets are covered); allowed, it calls them."""
    name = loopback_name()
    peer = await start_peer("2.3.0", [CPO], name="cpo")
    strict = PartnerClient(timeout=5, allow_private_addresses=False)
    try:
        for host in [name, "127.0.0.1", *SPELLINGS]:
            with pytest.raises(ReceiverNotConnected, match="allow_private_addresses"):
                await strict.request("GET", at(peer, host), auth=None)
    finally:
        await strict.close()
    assert peer.received == []
    lenient = PartnerClient(timeout=5)
    try:
        answer = await lenient.request("GET", at(peer, name), auth=None)
    finally:
        await lenient.close()
    assert answer.status == 401  # it reached the peer (which wants a token)
    assert len(peer.received) == 1
