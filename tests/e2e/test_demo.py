"""``ocpihub demo``: the hub with simulated partners that register over OCPI and keep trading
in every version pair; ``ocpihub.testing.Sandbox`` as a library; ``--partner`` against a
partner's own platform (a test Peer) without a hub."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ocpihub.ocpi.fields import parse
from ocpihub.ocpi.registry import model
from ocpihub.testing import Peer, Received
from ocpihub.testing.sandbox import Sandbox, hub_services
from tests.e2e.conftest import RunningHub
from tests.support.databases import sqlite_url
from tests.support.processes import OcpihubProcess
from tests.support.servers import free_port

ADMIN = "admin-secret"


def exists(path: str) -> bool:
    """Whether a file is there (the demo's temporary database)."""
    return os.path.exists(path)


async def eventually(check: Callable[[], Any], what: str, timeout: float = 90) -> Any:
    """Poll ``check`` (sync or async) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if asyncio.iscoroutine(got):
            got = await got
        if got:
            return got
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


async def admin(url: str, path: str) -> Any:
    """GET from the admin API of the demo's hub."""
    headers = {"Authorization": f"Bearer {ADMIN}"}
    async with aiohttp.ClientSession() as session, session.get(url + path, headers=headers) as r:
        assert r.status == 200, await r.text()
        return await r.json()


async def test_demo_registers_partners_trades_in_every_version_pair_and_stops_on_sigint(
    tmp_path: Path,
) -> None:
    """`ocpihub demo --with-ptp` as a process: four partners register over OCPI with their own
    parties and are agreed; the admin API's traffic log shows Locations, Tariffs, Sessions, CDRs
    and command results reaching the 2.2.1 and the 2.1.1 eMSP, their Tokens and commands
    reaching the 2.3.0 CPO, the PTP's Terminal reaching the CPO and the CPO's assignment the
    PTP; SIGINT stops everything, exit 0, and the temporary database is gone."""
    port = free_port()
    env = {"OCPIHUB_ADMIN_TOKEN": ADMIN, "OCPIHUB_LOG_FORMAT": "json"}
    args = ["demo", "--port", str(port), "--seed", "7", "--rate", "20", "--with-ptp"]
    demo = OcpihubProcess(args, env, tmp_path / "demo.log")
    try:
        await eventually(lambda: "partners registered and agreed" in demo.tail(100_000), "start")
        api = f"http://127.0.0.1:{port}/admin/api"
        platforms = {p["name"]: p for p in await admin(api, "/platforms")}
        roles = {
            f"{r['role']}:{r['country_code']}-{r['party_id']}": (p["status"], p["version"])
            for p in platforms.values()
            for r in p["declared_roles"]
        }
        assert roles == {
            "CPO:XX-CPO": ("REGISTERED", "2.3.0"),
            "EMSP:XX-EM2": ("REGISTERED", "2.2.1"),
            "EMSP:XX-EM1": ("REGISTERED", "2.1.1"),
            "OTHER:XX-PTP": ("REGISTERED", "2.3.0"),
        }
        agreements = await admin(api, "/agreements")
        assert sorted(sorted(a["parties"]) for a in agreements) == [
            ["XX-CPO", "XX-EM1"],
            ["XX-CPO", "XX-EM2"],
            ["XX-CPO", "XX-PTP"],
        ]
        ids = {r["party_id"]: p["id"] for p in platforms.values() for r in p["declared_roles"]}
        ids |= {"2.3.0": ids["CPO"], "2.2.1": ids["EM2"], "2.1.1": ids["EM1"]}

        async def exchanged(who: str, module: str, direction: str) -> bool:
            path = f"/traffic?platform={ids[who]}&module={module}&direction={direction}"
            return any(
                # an entry still in progress (its write committed, its answer not yet) has no status
                200 <= (e["http_status"] or 0) < 300
                for e in await admin(api, path + "&limit=1000")
            )

        for emsp in ("2.2.1", "2.1.1"):
            for module in ("locations", "tariffs", "sessions", "cdrs", "commands"):
                await eventually(
                    lambda e=emsp, m=module: exchanged(e, m, "OUT"), f"{module} to {emsp}"
                )
            for module in ("tokens", "commands", "locations"):  # pushes, commands, GET all
                await eventually(
                    lambda e=emsp, m=module: exchanged(e, m, "IN"), f"{module} from {emsp}"
                )
        for party, module, direction in (("PTP", "payments", "IN"), ("PTP", "payments", "OUT")):
            await eventually(
                lambda p=party, m=module, d=direction: exchanged(p, m, d), f"{module} {party}"
            )
        await eventually(lambda: exchanged("CPO", "payments", "OUT"), "a terminal to the CPO")
        for module in ("tokens", "commands"):
            await eventually(lambda m=module: exchanged("2.3.0", m, "OUT"), f"{module} to the CPO")
        database = re.search(r"database (sqlite\+aiosqlite:///(\S+))", demo.tail(100_000))
        assert database is not None and exists(database[2])
        # the operator's CLI sees the same traffic, on the database the demo printed
        cli_env = {k: v for k, v in os.environ.items() if not k.startswith("OCPIHUB_")}
        cli_env["OCPIHUB_DATABASE_URL"] = database[1]
        args = ["traffic", "--party", "XX-EM1", "--module", "cdrs", "--json"]
        listed = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "ocpihub", *args],
            env=cli_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert listed.returncode == 0, listed.stderr
        assert any(e["direction"] == "OUT" for e in json.loads(listed.stdout)), listed.stdout
        assert await demo.stop(signal.SIGINT) == 0, demo.tail()
        assert "ocpihub demo: stopped" in demo.tail()
        assert not exists(database[2])
    finally:
        demo.close()


async def traded(hub_factory: Any, folder: Path, seed: int) -> Sandbox:
    """The standard sandbox joined to a fresh hub, 30 actions, then every session stopped;
    every Session and CDR an eMSP received is valid in its version."""
    os.mkdir(folder)
    hub: RunningHub = await hub_factory(database_url=sqlite_url(folder))
    sandbox = Sandbox.standard(seed=seed)
    async with contextlib.AsyncExitStack() as stack:
        await sandbox.serve(stack)
        await sandbox.join_hub(*hub_services(hub.app.state.runtime, hub.url))
        await sandbox.run(asyncio.Event(), rate=100, steps=30)
        for emsp in sandbox.emsps:
            await emsp.stop_all()
        stopped = [e for e in sandbox.emsps if any("STOP_SESSION" in a for a in e.actions)]
        assert stopped, "no session was stopped"
        for emsp in stopped:  # each session stopped ends in a priced CDR
            got = await eventually(lambda e=emsp: e.peer.of("cdrs", "POST"), "a CDR", 60)
            assert got[0].body["total_cost"]  # priced with the CPO's tariff
        for emsp in sandbox.emsps:
            for r in emsp.peer.of("sessions", "PUT") + emsp.peer.of("cdrs", "POST"):
                name = {"sessions": "Session", "cdrs": "CDR"}[str(r.module)]
                parse(model(emsp.peer.version, name), r.body)
    return sandbox


async def test_sandbox_same_seed_same_actions(
    hub_factory: Any, tmp_path: Path, database_url: str
) -> None:
    """`ocpihub.testing.Sandbox` as a library: with one seed two runs take the same actions
    (start/stop sessions, pulls, EVSE changes, CDRs...), another seed takes others; both
    eMSPs received Sessions and priced CDRs valid in their version."""
    if not database_url.startswith("sqlite"):
        pytest.skip("each run needs a database of its own: SQLite files")
    first = await traded(hub_factory, tmp_path / "a", seed=5)
    second = await traded(hub_factory, tmp_path / "b", seed=5)
    other = await traded(hub_factory, tmp_path / "c", seed=6)
    assert first.actions() == second.actions()
    assert first.actions() != other.actions()
    for kind in ("START_SESSION", "STOP_SESSION", "GET all", "EVSE", "PUT token"):
        assert any(kind in a for a in first.actions()), kind


async def test_partner_mode_trades_with_a_partner_platform_directly(
    tmp_path: Path, start_peer: Callable[..., Any]
) -> None:
    """`ocpihub demo --partner URL --token A` against a partner's own 2.2.1 CPO (a test Peer),
    no hub: a simulated eMSP registers with the token A, pushes Tokens, pulls Locations, sends
    START_SESSION to the Location it pulled (OCPI-to naming the partner), and unregisters on
    SIGINT."""
    from ocpihub.testing import payloads
    from ocpihub.translate import from_canonical

    partner: Peer = await start_peer("2.2.1", [("CPO", "NL", "PAR")], name="partner")
    location, _ = from_canonical(
        "2.2.1", "Location", payloads.location("NL", "PAR", "P1", evses=1, tariff_id="T1")
    )

    def locations(r: Received) -> tuple[int, Any]:
        return 200, {"status_code": 1000, "timestamp": payloads.now(), "data": [location]}

    partner.on("GET", "locations", locations)
    token_a = partner.issue_token()
    args = ["demo", "--partner", partner.versions_url, "--token", token_a]
    args += ["--port", str(free_port()), "--seed", "1", "--rate", "20"]
    demo = OcpihubProcess(args, {"OCPIHUB_LOG_FORMAT": "json"}, tmp_path / "partner.log")
    try:
        await eventually(lambda: partner.registered, "the registration", 60)
        assert partner.of("credentials", "POST")[0].token == token_a
        await eventually(lambda: partner.of("tokens", "PUT"), "Tokens")
        await eventually(lambda: partner.of("locations", "GET"), "a pull")
        (start, *_) = await eventually(lambda: partner.of("commands", "POST"), "a command")
        assert start.rest.endswith("START_SESSION")
        assert start.body["location_id"] == "P1"
        parse(model("2.2.1", "StartSession"), start.body)
        assert (start.header("ocpi-to-party-id"), start.header("ocpi-from-party-id")) == (
            "PAR",
            "EMP",
        )
        assert await demo.stop(signal.SIGINT) == 0, demo.tail()
        assert partner.of("credentials", "DELETE"), "the counterpart did not unregister"
        assert not partner.registered
    finally:
        demo.close()


async def test_partner_mode_plays_a_cpo_for_a_211_emsp(
    tmp_path: Path, start_peer: Callable[..., Any]
) -> None:
    """`ocpihub demo --partner URL --token A --as cpo` against a partner's 2.1.1 eMSP: the
    simulated CPO pushes Tariffs and Locations in 2.1.1, and answers the partner's
    START_SESSION with a result and a 2.1.1 Session at the EVSE asked for."""
    from ocpihub.testing import payloads

    partner: Peer = await start_peer("2.1.1", [("EMSP", "NL", "PAR")], name="partner")
    args = ["demo", "--partner", partner.versions_url, "--token", partner.issue_token()]
    args += ["--as", "cpo", "--port", str(free_port()), "--seed", "2", "--rate", "20"]
    demo = OcpihubProcess(args, {"OCPIHUB_LOG_FORMAT": "json"}, tmp_path / "cpo.log")
    try:
        await eventually(lambda: len(partner.of("locations", "PUT")) >= 3, "three Locations", 60)
        for r in partner.of("locations", "PUT"):
            parse(model("2.1.1", "Location"), r.body)
        for r in partner.of("tariffs", "PUT"):
            parse(model("2.1.1", "Tariff"), r.body)
        # the simulated CPO changes EVSE statuses on its own (--rate): it rightly refuses an
        # EVSE that is not AVAILABLE at that moment, so ask EVSE after EVSE until one is free
        evses = [
            (r.body["id"], evse["uid"])
            for r in partner.of("locations", "PUT")
            for evse in r.body.get("evses", [])
        ]
        url = f"{partner.hub_url('commands')}/START_SESSION"
        accepted: tuple[str, str] | None = None
        for location_id, evse_uid in evses * 20:
            body = {
                "response_url": f"{partner.module_url('commands', 'SENDER')}/cb/1",
                "token": payloads.token("2.1.1", "NL", "PAR", "PAR0001"),
                "location_id": location_id,
                "evse_uid": evse_uid,
            }
            status, answer, _ = await partner.request("POST", url, json=body)
            assert status == 200 and answer["data"]["result"] in ("ACCEPTED", "REJECTED"), answer
            if answer["data"] == {"result": "ACCEPTED"}:
                accepted = (location_id, evse_uid)
                break
        assert accepted is not None, "every START_SESSION was refused"
        await eventually(
            lambda: [r for r in partner.of("commands", "POST") if r.path.endswith("/cb/1")],
            "the command result",
        )
        (session, *_) = await eventually(lambda: partner.of("sessions", "PUT"), "a Session")
        parse(model("2.1.1", "Session"), session.body)
        assert session.body["auth_id"] == "NL-PAR-CPAR0001"
        assert session.body["location"]["id"] == accepted[0]
        assert session.body["location"]["evses"][0]["uid"] == accepted[1]
        assert await demo.stop(signal.SIGINT) == 0, demo.tail()
        assert not partner.registered
    finally:
        demo.close()
