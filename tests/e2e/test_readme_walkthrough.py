"""The README's "Five minutes" walkthrough works as written, on a fresh database, twice (18.1).

The commands are read from README.md (``tests/support/readme.py``) and run in a folder laid out
like the operator's clone (``.venv``, ``examples/``, the hub's ``./ocpihub.db``), against the hub
started as ``make run`` starts it, with real partner platforms (``ocpihub.testing.Peer``)
registering in step 2. What the README's prose says each step prints or causes is checked
against what happened; ``examples/walkthrough.py`` runs twice against the same hub and leaves
the README's parties to the operator.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ocpihub.ocpi.v2_2_1.locations import Location as Location221
from ocpihub.testing import Peer, payloads
from tests.support.readme import ROOT, FiveMinutes, fenced, five_minutes, make_recipe
from tests.support.servers import free_port
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(300)

# the version each of the README's partners speaks here (step 3 promises HubClientInfo to both)
VERSIONS = {"CPO": "2.3.0", "EMSP": "2.2.1"}


@dataclass
class Clone:
    """A folder laid out like the operator's clone, with the hub serving from it."""

    root: Path
    port: int
    env: dict[str, str]
    admin_token: str = ""
    platforms: dict[str, dict[str, Any]] = field(default_factory=dict)

    def here(self, text: str) -> str:
        """The README's default address, on this hub's port."""
        return text.replace("127.0.0.1:8080", f"127.0.0.1:{self.port}")

    async def run(self, argv: list[str]) -> tuple[int, str, str]:
        """Run a command line as a shell in the clone would (``VAR=value`` prefixes included)."""
        env = dict(self.env)
        while argv and re.fullmatch(r"[A-Z_]+=.*", argv[0]):
            name, value = argv[0].split("=", 1)
            env[name] = value
            argv = argv[1:]
        proc = await asyncio.create_subprocess_exec(
            *argv,
            cwd=self.root,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
        assert proc.returncode is not None
        return proc.returncode, out.decode(), err.decode()

    async def ok(self, argv: list[str]) -> str:
        """Run it; it must succeed. Its output."""
        code, out, err = await self.run(argv)
        assert code == 0, (argv, out, err)
        return out


def table(out: str, columns: list[str]) -> list[dict[str, str]]:
    """The rows of a CLI table, cut at its header's column positions."""
    header, *rows = out.splitlines()
    starts = [0 if n == 0 else header.index(f" {c}") + 1 for n, c in enumerate(columns)]
    bounds = list(zip(starts, [*starts[1:], None], strict=True))
    return [
        {c: row[a:b].strip() for c, (a, b) in zip(columns, bounds, strict=True)} for row in rows
    ]


PLATFORM_COLUMNS = ["ID", "NAME", "STATUS", "REGISTRATION", "VERSION", "ROLES"]
OUTBOX_COLUMNS = ["ID", "STATUS", "TO", "METHOD", "TRIES", "NEXT ATTEMPT", "URL / LAST ERROR"]


@contextlib.asynccontextmanager
async def hub_as_make_run(tmp_path: Path) -> AsyncIterator[Clone]:
    """``make run`` in a fresh clone: ``.venv/bin/ocpihub serve``, SQLite at ./ocpihub.db."""
    assert make_recipe("run") == ["$(BIN)/ocpihub serve"], "make run changed: follow it here"
    root = tmp_path / "clone"
    root.mkdir()
    venv = Path(sys.prefix)
    assert (venv / "bin" / "ocpihub").exists(), f"run the tests from a venv with ocpihub: {venv}"
    (root / ".venv").symlink_to(venv)
    (root / "examples").symlink_to(ROOT / "examples")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCPIHUB_")}
    env["OCPIHUB_PUBLIC_URL"] = f"http://127.0.0.1:{port}"  # `make run` serves on :8080
    clone = Clone(root, port, env)
    log = tmp_path / "serve.log"
    argv = [".venv/bin/ocpihub", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("w") as out:
        proc = await asyncio.create_subprocess_exec(
            *argv, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        await _started(proc, clone, log)
        yield clone
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), timeout=30)
            finally:
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()


def _text(path: Path) -> str:
    return path.read_text()


async def _started(proc: asyncio.subprocess.Process, clone: Clone, log: Path) -> None:
    """Wait for /health; what the first start prints: the versions URL and the admin token."""
    url = f"http://127.0.0.1:{clone.port}"

    async def healthy() -> bool:
        assert proc.returncode is None, _text(log)
        try:
            async with aiohttp.ClientSession() as s, s.get(f"{url}/health") as r:
                return r.status == 200
        except aiohttp.ClientError:
            return False

    await eventually(healthy, bool, timeout=60, what="the hub serving")
    printed = _text(log)
    assert f"OCPI versions URL {url}/ocpi/versions" in printed, printed
    found = re.search(r"admin token \(shown only this once[^)]*\): (\S+)", printed)
    assert found, printed
    clone.admin_token = found.group(1)
    assert (clone.root / "ocpihub.db").exists()


# --- the steps -------------------------------------------------------------------------------


async def step_1(readme: FiveMinutes, clone: Clone, start_peer: Any) -> dict[str, Peer]:
    """Add the two platforms; each prints a token A and the versions URL. Their partners."""
    said = readme.promise(1, r"Each prints a token A and the versions URL `([^`]+)`")
    versions_url = clone.here(said.group(1))
    commands = readme.commands(1)
    assert len(commands) == 2 and all(c[0] == ".venv/bin/ocpihub" for c in commands), commands
    peers: dict[str, Peer] = {}
    for argv in commands:
        out = await clone.ok(argv)
        token = re.search(r"^token A:\s+(\S+)$", out, re.MULTILINE)
        printed_url = re.search(r"^versions URL:\s+(\S+)$", out, re.MULTILINE)
        assert token and printed_url and printed_url.group(1) == versions_url, out
        name = argv[argv.index("add") + 1]
        role, cc, pid = argv[argv.index("--role") + 1].split(":")
        clone.platforms[name] = {"token_a": token.group(1), "versions_url": versions_url}
        peers[name] = await start_peer(VERSIONS[role], [(role, cc, pid)], name=name)
    said = readme.promise(1, r"Until a partner registers, `([^`]+)` shows its platform `(\w+)`")
    rows = table(await clone.ok(shlex.split(said.group(1))), PLATFORM_COLUMNS)
    assert {r["NAME"]: r["STATUS"] for r in rows} == dict.fromkeys(peers, said.group(2))
    return peers


async def step_2(
    readme: FiveMinutes, clone: Clone, peers: dict[str, Peer], hub_initiated: str | None
) -> None:
    """The partners register (``hub_initiated``: that one with the README's register command)."""
    for name, peer in peers.items():
        if name == hub_initiated:
            said = readme.promise(2, r"the hub registers with it instead: `([^`]+)`")
            words = {"NAME": name, "URL": peer.versions_url, "TOKEN": peer.issue_token()}
            await clone.ok([words.get(w, w) for w in shlex.split(said.group(1))])
            assert len(peer.of("credentials", "POST")) == 1
            continue
        given = clone.platforms[name]
        status, body = await peer.register(given["versions_url"], given["token_a"])
        assert (status, body["status_code"]) == (200, 1000), body
        # the hub called back: it read the partner's versions with the partner's token
        assert any(r.path == "/ocpi/versions" for r in peer.received if r.accepted)
        assert peer.hub_token != given["token_a"]  # the token the partner uses from now on
    for name, peer in peers.items():
        shown = await clone.ok([".venv/bin/ocpihub", "platform", "show", name, "--json"])
        assert peer.credentials_url in shown  # the partner's endpoints are stored
    said = readme.promise(2, r"`([^`]+)` now shows both as `(\w+)`, each with its version")
    rows = table(await clone.ok(shlex.split(said.group(1))), PLATFORM_COLUMNS)
    listed = {r["NAME"]: (r["STATUS"], r["REGISTRATION"], r["VERSION"]) for r in rows}
    for name, peer in peers.items():
        assert listed[name] == ("CONNECTED", said.group(2), peer.version), rows


async def step_3(readme: FiveMinutes, clone: Clone, peers: dict[str, Peer]) -> None:
    """Agree that they may roam; both partners hear about each other (HubClientInfo)."""
    ((*argv,),) = readme.commands(3)
    out = await clone.ok(argv)
    codes = argv[-2:]
    assert re.fullmatch(
        rf"agreement \d+: {' <-> '.join(sorted(codes))} \(all modules\) ACTIVE\n", out
    )
    said = readme.promise(3, r"Both partners are told about each other \(HubClientInfo, on (.+?)\)")
    told_versions = set(re.split(r", | and ", said.group(1)))
    assert told_versions >= {p.version for p in peers.values()}
    for peer in peers.values():
        (own,) = peer.parties
        other = next(p.parties[0] for p in peers.values() if p is not peer)
        assert f"{own[1]}-{own[2]}" in codes and f"{other[1]}-{other[2]}" in codes
        await eventually(
            lambda peer=peer: _async(peer.of("hubclientinfo", "PUT")),
            lambda got, other=other: any(
                (r.body["country_code"], r.body["party_id"], r.body["status"])
                == (other[1], other[2], "CONNECTED")
                for r in got
            ),
            what=f"{peer.name} told about {other[1]}-{other[2]}",
        )


async def step_4(readme: FiveMinutes, clone: Clone, peers: dict[str, Peer]) -> None:
    """The CPO pushes a Location; the eMSP gets it in its version; outbox list shows it DONE."""
    said = readme.promise(
        4,
        r"The CPO PUTs a Location to the hub; the hub stores it and delivers it to the eMSP, "
        r"translated to the eMSP's version\. `([^`]+)` shows the delivery, `(\w+)` once the eMSP "
        r"accepted it",
    )
    cpo, emsp = (next(p for p in peers.values() if p.parties[0][0] == r) for r in ("CPO", "EMSP"))
    _, cc, pid = cpo.parties[0]
    location = payloads.location(cc, pid, "LOC1", evses=1, tariff_id="T1")
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/{cc}/{pid}/LOC1"
    status, body, _ = await cpo.request("PUT", url, json=location)
    assert (status, body["status_code"]) in ((200, 1000), (201, 1000)), body
    status, body, _ = await emsp.request("GET", emsp.hub_url("locations", "SENDER"))
    assert [loc["id"] for loc in body["data"]] == ["LOC1"]  # stored, served by the hub
    (got,) = await eventually(
        lambda: _async(emsp.of("locations", "PUT")), bool, what="the eMSP receiving LOC1"
    )
    assert got.path == f"/ocpi/{emsp.version}/locations/receiver/{cc}/{pid}/LOC1"
    assert emsp.version == "2.2.1"
    Location221.model_validate(got.body)  # in the eMSP's version
    (_, emsp_cc, emsp_pid) = emsp.parties[0]

    async def outbox() -> list[dict[str, str]]:
        return table(await clone.ok(shlex.split(said.group(1))), OUTBOX_COLUMNS)

    rows = await eventually(
        outbox,
        lambda rows: any(
            (r["STATUS"], r["TO"], r["METHOD"]) == (said.group(2), f"{emsp_cc}-{emsp_pid}", "PUT")
            and f"locations/{cc}/{pid}/LOC1" in r["URL / LAST ERROR"]
            for r in rows
        ),
        what="outbox list showing the delivery DONE",
    )
    assert rows


async def walkthrough_twice(readme: FiveMinutes, clone: Clone) -> None:
    """``examples/walkthrough.py`` as the README runs it, twice against the same hub."""
    prose = " ".join(readme.after.split())
    said = re.search(r"prints the Location as the eMSP received it in (\d+\.\d+\.\d+)", prose)
    assert said, prose
    (argv,) = [c for c in fenced(readme.after.replace("<admin token>", "ADMIN_TOKEN"))]
    assert argv[0] == "OCPIHUB_ADMIN_TOKEN=ADMIN_TOKEN", argv
    argv[0] = f"OCPIHUB_ADMIN_TOKEN={clone.admin_token}"
    for run in (1, 2):
        code, out, err = await clone.run(argv)
        assert code == 0, (run, out, err)
        assert f"the eMSP received, in OCPI {said.group(1)}:" in out, out
        assert ("0. removed 'Walkthrough CPO' left by an earlier run" in out) == (run == 2), out
        for code_ in ("XX-WCP", "XX-WMS"):
            assert code_ in out
    rows = table(await clone.ok([".venv/bin/ocpihub", "platform", "list"]), PLATFORM_COLUMNS)
    ours = [r for r in rows if r["NAME"].startswith("Walkthrough")]
    assert sorted(r["ROLES"] for r in ours) == ["CPO:XX:WCP", "EMSP:XX:WMS"]


async def _async(value: Any) -> Any:
    return value


@pytest.mark.parametrize("walkthrough", ["after step 4", "between steps 1 and 2"])
async def test_five_minutes_as_written(tmp_path: Path, start_peer: Any, walkthrough: str) -> None:
    """Every step of the README's walkthrough does what the README says, on a fresh database;
    examples/walkthrough.py runs twice against the same hub, and the operator's platforms still
    register (the second case registers the eMSP with the README's hub-initiated command)."""
    readme = five_minutes()
    assert sorted(readme.steps) == [1, 2, 3, 4]
    async with hub_as_make_run(tmp_path) as clone:
        peers = await step_1(readme, clone, start_peer)
        if walkthrough == "between steps 1 and 2":
            await walkthrough_twice(readme, clone)
            emsp = next(name for name, p in peers.items() if p.parties[0][0] == "EMSP")
            await step_2(readme, clone, peers, hub_initiated=emsp)
        else:
            await step_2(readme, clone, peers, hub_initiated=None)
        await step_3(readme, clone, peers)
        await step_4(readme, clone, peers)
        if walkthrough == "after step 4":
            await walkthrough_twice(readme, clone)
        rows = table(await clone.ok([".venv/bin/ocpihub", "platform", "list"]), PLATFORM_COLUMNS)
        readme_rows = {r["NAME"]: r["REGISTRATION"] for r in rows if r["NAME"] in peers}
        assert readme_rows == dict.fromkeys(peers, "REGISTERED")
