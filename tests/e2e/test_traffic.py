"""The traffic log end to end: every exchange in and out is logged, never a credentials token."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest

from ocpihub.model.outbox import Status
from ocpihub.outbound.client import PartnerAuth
from tests.e2e.test_outbox import (
    FAST,
    all_in,
    connect_receiver,
    enqueue_all,
    location_puts,
    wait_until,
)


async def test_exchanges_are_logged_without_tokens(
    hub_factory: Any, start_peer: Any, database_url: str
) -> None:
    """Inbound calls, deliveries and a credentials exchange are logged; no token appears."""
    hub = await hub_factory(traffic_log_bodies=True, **FAST)
    peer = await start_peer("2.3.0", [("EMSP", "DE", "MSP")])
    pid = await connect_receiver(database_url, peer, "emsp")
    secrets = set(peer.accepted_tokens)

    created = await hub.add_platform("acme")
    token_a = created["token_a"]
    secrets.add(token_a)
    status, _, _ = await peer.request(
        "GET", hub.versions_url, token=token_a, headers={"X-Correlation-ID": "corr-in"}
    )
    assert status == 200
    status, _, _ = await peer.request("GET", hub.versions_url, token="wrong-token")
    assert status == 401

    await enqueue_all(database_url, location_puts(pid, "L1", range(2)))
    await wait_until(lambda: all_in(database_url, Status.DONE), what="deliveries DONE")

    client = hub.app.state.runtime.client
    token_b = "credentials-token-b-secret"
    secrets.add(token_b)
    peer_token = next(iter(peer.accepted_tokens))
    credentials_url = peer.module_url("credentials", "SENDER").rsplit("/", 1)[0]
    for method, body in (("GET", None), ("POST", {"token": token_b, "url": hub.versions_url})):
        await client.request(method, credentials_url, auth=PartnerAuth(peer_token, True), json=body)
    secrets |= set(peer.accepted_tokens)
    await hub.app.state.traffic.flush()

    status, entries = await hub.admin("GET", "/traffic?limit=1000")
    assert status == 200
    dumped = orjson.dumps(entries).decode()
    for secret in secrets | {"wrong-token"}:
        assert secret not in dumped
        assert base64.b64encode(secret.encode()).decode() not in dumped

    inbound = [e for e in entries if e["direction"] == "IN"]
    assert {(e["module"], e["http_status"]) for e in inbound} >= {
        ("versions", 200),
        ("versions", 401),
    }
    [ok_in] = [e for e in inbound if e["http_status"] == 200 and e["correlation_id"] == "corr-in"]
    assert ok_in["platform_id"] == created["id"]
    assert ok_in["ocpi_status"] == 1000
    assert ok_in["request_id"]

    status, puts = await hub.admin("GET", "/traffic?direction=OUT&module=locations")
    assert status == 200
    assert len(puts) == 2
    assert all(e["platform_id"] == pid and e["http_status"] == 200 for e in puts)
    assert all(e["ocpi_status"] == 1000 and e["outbox_id"] for e in puts)
    assert {(e["from_party"], e["to_party"]) for e in puts} == {("NL-CPO", "DE-MSP")}
    assert {e["correlation_id"] for e in puts} == {"corr-L1-0", "corr-L1-1"}
    assert all('"seq"' in e["request_body"] for e in puts)

    creds = {e["method"]: e for e in entries if e["module"] == "credentials"}
    assert {e["direction"] for e in creds.values()} == {"OUT"}
    assert '"token":"[redacted]"' in creds["GET"]["response_body"]
    assert '"token":"[redacted]"' in creds["POST"]["request_body"]


async def test_bodies_are_off_by_default(
    hub_factory: Any, start_peer: Any, database_url: str
) -> None:
    """Without traffic_log_bodies, entries carry statuses but no bodies."""
    hub = await hub_factory(**FAST)
    peer = await start_peer("2.3.0", [("EMSP", "DE", "MSP")])
    pid = await connect_receiver(database_url, peer, "emsp")
    await enqueue_all(database_url, location_puts(pid, "L1", [0]))
    await wait_until(lambda: all_in(database_url, Status.DONE), what="delivery DONE")
    await hub.app.state.traffic.flush()

    status, [entry] = await hub.admin("GET", "/traffic?direction=out")

    assert status == 200
    assert (entry["request_body"], entry["response_body"]) == (None, None)
    assert (entry["http_status"], entry["ocpi_status"]) == (200, 1000)


async def test_no_token_whatever_the_partners_credentials_url(
    hub_factory: Any, start_peer: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    """A hub-initiated registration with a partner whose credentials endpoint is not called
    ``credentials`` leaves no token in traffic bodies (kept) or in the logs."""
    hub = await hub_factory(traffic_log_bodies=True, log_level="debug")
    peer = await start_peer("2.3.0", [("EMSP", "DE", "MSP")], credentials_path="handshake/v2")
    created = await hub.add_platform(
        "msp", roles=[{"role": "EMSP", "country_code": "DE", "party_id": "MSP"}]
    )
    token_a = peer.issue_token()
    status, body = await hub.admin(
        "POST",
        f"/platforms/{created['id']}/register",
        {"versions_url": peer.versions_url, "token": token_a},
    )
    assert status == 200, body
    assert peer.hub_token
    secrets = {token_a, peer.hub_token, created["token_a"], *peer.accepted_tokens}
    await hub.app.state.traffic.flush()

    status, entries = await hub.admin("GET", "/traffic?limit=1000")
    assert status == 200
    handshake = [e for e in entries if "/handshake/v2" in e["url"]]
    assert [e["method"] for e in handshake] == ["POST"]
    assert '"token":"[redacted]"' in handshake[0]["request_body"]
    assert '"token":"[redacted]"' in handshake[0]["response_body"]
    dumped = orjson.dumps(entries).decode()
    logged = "".join(capfd.readouterr())
    for secret in secrets:
        for form in (secret, base64.b64encode(secret.encode()).decode()):
            assert form not in dumped
            assert form not in logged
