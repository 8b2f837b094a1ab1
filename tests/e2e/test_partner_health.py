"""Partner health outside the console: overview, `platform list/show`, per-partner metrics.

Real conditions: an eMSP's server is stopped, and the hub sees it go OFFLINE, its deliveries
wait (lag, pending by receiver), and a refused delivery counts as a failure of that receiver.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from ocpihub.testing import Peer
from tests.e2e.conftest import RunningHub
from tests.examples import load_example
from tests.support.cli import cli
from tests.support.connect import connect
from tests.support.databases import sqlite_url
from tests.support.servers import run_server
from tests.support.waiting import eventually

FAST: dict[str, Any] = {
    "outbox_poll_interval": 0.05,
    "outbox_retry_base_delay": 0.05,
    "outbox_retry_max_delay": 0.3,
    "request_timeout": 1.0,
    "liveness_interval_seconds": 0.2,
    "liveness_failure_threshold": 2,
}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: the aggregates behind these figures are tested on both backends in
    tests/store/test_health.py; this test is about what an operator sees."""
    return sqlite_url(tmp_path)


async def metrics(hub: RunningHub) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of ``GET /metrics`` by (name, sorted labels)."""
    async with aiohttp.ClientSession() as session, session.get(f"{hub.url}/metrics") as r:
        assert r.status == 200
        text = await r.text()
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def sample(found: dict[Any, float], name: str, **labels: str) -> float | None:
    """One sample's value, or None when the series is absent."""
    return found.get((name, tuple(sorted(labels.items()))))


async def push_location(cpo: Peer, loc_id: str) -> None:
    """The CPO pushes one Location to the hub (broadcast to agreed eMSPs)."""
    loc = dict(load_example("2.3.0", "location_example_uc2_destination_charger.json"), id=loc_id)
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/ALF/{loc_id}"
    status, body, _ = await cpo.request("PUT", url, json=loc)
    assert status in (200, 201), body


async def test_stopped_peer_goes_offline_everywhere(
    hub_factory: Any, start_peer: Any, database_url: str
) -> None:
    """A stopped eMSP is OFFLINE in the overview (first), the CLI and metrics; its deliveries
    wait with a growing lag; a refused delivery is counted as that receiver's failure."""
    hub: RunningHub = await hub_factory(**FAST)
    db = hub.app.state.runtime.db
    cpo = await start_peer("2.3.0", [("CPO", "NL", "ALF")], name="cpo")
    emsp = Peer(version="2.3.0", parties=[("EMSP", "DE", "MSP")], name="emsp")
    async with contextlib.AsyncExitStack() as emsp_server:
        emsp.base_url = await emsp_server.enter_async_context(run_server(emsp.app))
        await connect(db, cpo, hub.versions_url)
        await connect(db, emsp, hub.versions_url)
        status, body = await hub.admin("POST", "/agreements", {"parties": ["NL-ALF", "DE-MSP"]})
        assert status == 201, body

        emsp.on("PUT", "locations", lambda r: (200, {"status_code": 2001, "timestamp": "x"}))
        await push_location(cpo, "REFUSED")
        await eventually(
            lambda: hub.admin("GET", "/outbox?status=DEAD"), lambda r: len(r[1]) == 1, what="DEAD"
        )
        emsp.handlers.clear()
        await push_location(cpo, "LOC1")
        await eventually(
            lambda: hub.admin("GET", "/outbox?status=DONE&module=locations"),
            lambda r: len(r[1]) == 1,
            what="delivered",
        )
        found = await metrics(hub)
        assert sample(found, "ocpihub_deliveries_total", platform="emsp", module="locations") == 2
        failures = sample(
            found, "ocpihub_delivery_failures_total", platform="emsp", module="locations"
        )
        assert failures == 1
        accepted = sample(
            found, "ocpihub_inbound_requests_total", platform="cpo", ocpi_status="1000"
        )
        assert accepted is not None and accepted >= 2
        assert sample(found, "ocpihub_receiver_outbox_items", platform="emsp", status="DEAD") == 1
    # the eMSP's server is stopped now

    _, overview = await eventually(
        lambda: hub.admin("GET", "/overview"),
        lambda r: r[1][0]["name"] == "emsp" and r[1][0]["status"] == "OFFLINE",
        what="emsp OFFLINE first",
    )
    emsp_health = overview[0]
    assert emsp_health["problems"][0].startswith("offline")
    assert emsp_health["outbox"]["dead"] == 1
    assert emsp_health["last_success_out"] is not None
    assert overview[1]["name"] == "cpo" and overview[1]["status"] == "CONNECTED"
    assert overview[1]["last_success_in"] is not None

    await push_location(cpo, "LOC2")  # waits: its receiver is OFFLINE
    found = await eventually(
        lambda: metrics(hub),
        # the cpo's own queue (the HubClientInfo telling it the emsp went OFFLINE) drains
        lambda m: (
            (sample(m, "ocpihub_receiver_delivery_lag_seconds", platform="emsp") or 0) > 0
            and sample(m, "ocpihub_receiver_delivery_lag_seconds", platform="cpo") == 0
        ),
        what="lag for the emsp only",
    )
    assert sample(found, "ocpihub_receiver_outbox_items", platform="emsp", status="PENDING") == 1
    assert sample(found, "ocpihub_receiver_delivery_lag_seconds", platform="cpo") == 0

    (code, out, err), (code_show, shown_out, err_show) = await asyncio.gather(
        cli(database_url, "platform", "list"), cli(database_url, "platform", "show", "emsp")
    )
    assert code == 0, err
    rows = {line.split()[1]: line.split()[2] for line in out.splitlines()[1:]}
    assert rows == {"cpo": "CONNECTED", "emsp": "OFFLINE"}
    assert code_show == 0, err_show
    assert "OFFLINE" in shown_out and "1 pending" in shown_out
    assert "token encoding" in shown_out and emsp.versions_url in shown_out
