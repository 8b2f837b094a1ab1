"""Per-platform rate limits and body-size limits: a hub-wide default, a platform's own setting
(admin API and CLI), 429 with Retry-After in an OCPI envelope, counted in the metrics."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from ocpihub.testing import Peer
from tests.e2e.conftest import RunningHub
from tests.e2e.test_locations import location
from tests.e2e.test_registration_cli import cli
from tests.support.connect import connect

# refills one request per 1,000 s: within a test, the burst is all a platform gets
TRICKLE = 0.001


async def _two(hub: RunningHub, start_peer: Any) -> tuple[Peer, int, Peer, int]:
    runtime = hub.app.state.runtime
    slow = await start_peer("2.3.0", [("CPO", "NL", "SLO")], name="slow")
    free = await start_peer("2.3.0", [("CPO", "NL", "FRE")], name="free")
    return (
        slow,
        await connect(runtime.db, slow, hub.versions_url),
        free,
        await connect(runtime.db, free, hub.versions_url),
    )


async def _metrics(hub: RunningHub) -> str:
    async with aiohttp.ClientSession() as session, session.get(f"{hub.url}/metrics") as r:
        return await r.text()


async def test_platform_over_its_rate_limit_gets_429(hub: RunningHub, start_peer: Any) -> None:
    """A platform given a rate limit through the admin API is refused with 429, Retry-After
    and an OCPI envelope once its burst is spent; other platforms are not limited."""
    slow, slow_id, free, _ = await _two(hub, start_peer)
    status, shown = await hub.admin(
        "PATCH", f"/platforms/{slow_id}", {"rate_limit_per_second": TRICKLE}
    )
    assert status == 200, shown
    assert shown["rate_limit_per_second"] == TRICKLE
    url = slow.hub_url("locations", "SENDER")
    assert (await slow.request("GET", url))[0] == 200  # the burst: one request
    status, body, headers = await slow.request("GET", url)
    assert status == 429
    assert body["status_code"] == 2000
    assert "rate limit" in body["status_message"]
    assert int(headers["Retry-After"]) >= 1
    for _ in range(3):
        assert (await free.request("GET", free.hub_url("locations", "SENDER")))[0] == 200
    assert 'ocpihub_rate_limited_total{platform="slow"} 1.0' in await _metrics(hub)

    status, shown = await hub.admin("PATCH", f"/platforms/{slow_id}", {"rate_limit_per_second": 0})
    assert status == 200, shown
    assert (await slow.request("GET", url))[0] == 200  # 0: no limit for this platform


async def test_hub_wide_default_and_platform_override(hub_factory: Any, start_peer: Any) -> None:
    """The rate_limit_per_second setting limits every platform; a platform's own 0 lifts it."""
    hub = await hub_factory(rate_limit_per_second=TRICKLE, rate_limit_burst_seconds=4000)
    slow, _, free, free_id = await _two(hub, start_peer)
    status, _ = await hub.admin("PATCH", f"/platforms/{free_id}", {"rate_limit_per_second": 0})
    assert status == 200
    statuses = [(await slow.request("GET", hub.versions_url))[0] for _ in range(4)]
    # a burst of four (0.001/s x 4000 s), two of them spent by connecting (versions, details)
    assert statuses == [200, 200, 429, 429]
    assert [(await free.request("GET", hub.versions_url))[0] for _ in range(4)] == [200] * 4


async def test_platform_body_limit(hub: RunningHub, start_peer: Any) -> None:
    """A platform's own body limit refuses its larger pushes with 413; others may send them;
    ``null`` returns it to the hub-wide setting."""
    slow, slow_id, free, _ = await _two(hub, start_peer)
    status, _ = await hub.admin("PATCH", f"/platforms/{slow_id}", {"max_body_bytes": 300})
    assert status == 200
    for peer, party, expected in ((slow, "SLO", 413), (free, "FRE", 201)):
        loc = location()
        loc["party_id"] = party
        url = f"{peer.hub_url('locations', 'RECEIVER')}/NL/{party}/{loc['id']}"
        status, body, _ = await peer.request("PUT", url, json=loc)
        assert status == expected, body
        if expected == 413:
            assert body["status_code"] == 2001 and "300" in body["status_message"]
    status, shown = await hub.admin("PATCH", f"/platforms/{slow_id}", {"max_body_bytes": None})
    assert status == 200 and shown["max_body_bytes"] is None
    status, body = await hub.admin("PATCH", f"/platforms/{slow_id}", {"max_body_bytes": 0})
    assert status == 400, body


async def test_cli_sets_and_shows_limits(hub: RunningHub, start_peer: Any) -> None:
    """`ocpihub platform limits NAME` sets both limits, shows them, and 'default' clears them."""
    await _two(hub, start_peer)
    code, out, err = await cli(
        hub, "platform", "limits", "slow", "--rate-limit", "5", "--max-body-bytes", "4096", "--json"
    )
    assert code == 0, err
    assert json.loads(out) == {
        "name": "slow",
        "rate_limit_per_second": 5.0,
        "max_body_bytes": 4096,
        "default_time_zone": None,
    }
    code, out, err = await cli(hub, "platform", "limits", "slow", "--rate-limit", "default")
    assert code == 0, err
    assert "rate limit:     default" in out and "max body bytes: 4096" in out
    code, _, err = await cli(hub, "platform", "limits", "slow", "--max-body-bytes", "-3")
    assert code == 2 and "--max-body-bytes" in err
