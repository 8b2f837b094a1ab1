"""The traffic log as operators read it: every OUT row names its platform; filters; follow."""

from __future__ import annotations

import asyncio
import csv
import io
import signal
from typing import Any

import aiohttp
import orjson
from sqlalchemy import select

from ocpihub.store.schema import traffic
from tests.e2e.conftest import RunningHub
from tests.examples import load_example
from tests.support.cli import cli, start_cli
from tests.support.connect import connect
from tests.support.waiting import eventually

EMSP = ("EMSP", "DE", "MSP")


async def test_every_outbound_row_names_its_platform(hub_factory: Any, start_peer: Any) -> None:
    """Registration, liveness checks, a credentials update and removal are logged as OUT
    exchanges of the platform concerned (they were logged without one)."""
    hub: RunningHub = await hub_factory(liveness_interval_seconds=0.1)
    peer = await start_peer("2.3.0", [EMSP], name="msp")
    created = await hub.add_platform(
        "msp", roles=[{"role": "EMSP", "country_code": "DE", "party_id": "MSP"}]
    )
    status, body = await hub.admin(
        "POST",
        f"/platforms/{created['id']}/register",
        {"versions_url": peer.versions_url, "token": peer.issue_token()},
    )
    assert status == 200, body
    await eventually(
        lambda: hub.admin("GET", "/traffic?module=versions&direction=OUT&platform=msp"),
        lambda r: len(r[1]) >= 3,  # discovery, then liveness checks
        what="liveness checks logged",
    )
    status, body = await hub.admin("POST", f"/platforms/{created['id']}/credentials")
    assert status == 200, body
    assert len(peer.of("credentials", "PUT")) == 1
    status, body = await hub.admin("DELETE", f"/platforms/{created['id']}")
    assert status == 200, body
    assert body["partner_notified"] is True

    await hub.app.state.traffic.flush()
    async with hub.app.state.runtime.db.read() as conn:
        rows = (
            await conn.execute(
                select(traffic.c.method, traffic.c.module, traffic.c.platform_id).where(
                    traffic.c.direction == "OUT"
                )
            )
        ).all()
    calls = {(method, module) for method, module, _ in rows}
    assert {("GET", "versions"), ("POST", "credentials"), ("PUT", "credentials")} <= calls
    assert ("DELETE", "credentials") in calls
    assert {platform_id for _, _, platform_id in rows} == {created["id"]}


async def test_filters_csv_and_follow(hub: RunningHub, start_peer: Any, database_url: str) -> None:
    """One correlation id is followed across hops (IN from the CPO, OUT to the eMSP) through
    the admin API, CSV and `ocpihub traffic`; `--follow` prints new entries until interrupted."""
    db = hub.app.state.runtime.db
    cpo = await start_peer("2.3.0", [("CPO", "NL", "ALF")], name="cpo")
    emsp = await start_peer("2.2.1", [EMSP], name="emsp")
    await connect(db, cpo, hub.versions_url)
    await connect(db, emsp, hub.versions_url)
    await hub.admin("POST", "/agreements", {"parties": ["NL-ALF", "DE-MSP"]})
    follower = await start_cli(
        database_url, "traffic", "--follow", "--json", "--party", "DE-MSP", "--interval", "0.2"
    )
    try:
        loc = load_example("2.3.0", "location_example_uc2_destination_charger.json")
        url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/ALF/{loc['id']}"
        status, _, headers = await cpo.request(
            "PUT", url, json=loc, headers={"X-Correlation-ID": "corr-follow-me"}
        )
        assert status in (200, 201)
        _, hops = await eventually(
            lambda: hub.admin("GET", "/traffic?correlation_id=corr-follow-me"),
            lambda r: {e["direction"] for e in r[1]} == {"IN", "OUT"},
            what="both hops logged",
        )
        assert {(e["direction"], e["platform"]) for e in hops} == {("IN", "cpo"), ("OUT", "emsp")}
        out_hop = next(e for e in hops if e["direction"] == "OUT")
        assert out_hop["to_party"] == "DE-MSP" and out_hop["request_id"] != headers["X-Request-ID"]

        status, by_request = await hub.admin("GET", f"/traffic?request_id={out_hop['request_id']}")
        assert [e["id"] for e in by_request] == [out_hop["id"]]
        status, refused = await hub.admin("GET", "/traffic?party=nonsense")
        assert status == 400
        assert "party 'nonsense'" in refused["error"]
        status, none = await hub.admin(
            "GET", "/traffic?correlation_id=corr-follow-me&until=2000-01-01"
        )
        assert (status, none) == (200, [])

        async with (
            aiohttp.ClientSession(headers={"Authorization": "Bearer admin-secret"}) as session,
            session.get(
                f"{hub.url}/admin/api/traffic?correlation_id=corr-follow-me&format=csv"
            ) as r,
        ):
            assert r.headers["content-type"].startswith("text/csv")
            rows = list(csv.DictReader(io.StringIO(await r.text())))
        assert sorted((row["direction"], row["platform"]) for row in rows) == [
            ("IN", "cpo"),
            ("OUT", "emsp"),
        ]

        code, out, err = await cli(
            database_url, "traffic", "--correlation-id", "corr-follow-me", "--json"
        )
        assert code == 0, err
        assert [e["id"] for e in orjson.loads(out)] == sorted(e["id"] for e in hops)

        assert follower.stdout is not None
        followed = []
        while not any(e["correlation_id"] == "corr-follow-me" for e in followed):
            line = await asyncio.wait_for(follower.stdout.readline(), timeout=30)
            followed.append(orjson.loads(line))
        assert all("DE-MSP" in (e["to_party"], e["from_party"]) for e in followed)
    finally:
        follower.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(follower.communicate(), timeout=30)
    assert follower.returncode == 0, err
