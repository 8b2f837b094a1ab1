"""The scale-out deployment of docs/deployment.md on real components: HAProxy with the shipped
``deploy/haproxy.cfg`` (TLS at the balancer, health checks) in front of two ``ocpihub serve``
processes (one of them ``--workers 2``) on one PostgreSQL database.

A 2.3.0 CPO pushes Locations through the balancer, as a real partner would (retrying a push
that was not acknowledged), while one hub process is restarted the documented way (drained
through HAProxy's runtime API, SIGTERM, started again, put back) and the other (two workers)
is stopped with a plain SIGTERM. Every acknowledged push reaches the 2.2.1 eMSP, and each
Location's last version arrives last.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from ocpihub.testing import Peer, payloads
from tests.support.balancer import HAPROXY, LoadBalancer, self_signed_certificate
from tests.support.databases import (
    PG_SKIP_REASON,
    PG_URL,
    create_postgres_database,
    drop_postgres_database,
)
from tests.support.processes import OcpihubProcess, wait_for_http
from tests.support.servers import free_port

ADMIN = "admin-secret"
BACKUP = Path(__file__).resolve().parents[2] / "deploy" / "backup.sh"
OBJECTS = 4  # Locations pushed side by side, each by its own writer (order per object)

NEEDS_LB = pytest.mark.skipif(
    HAPROXY is None or shutil.which("openssl") is None,
    reason="haproxy or openssl is not installed: load-balancer test skipped",
)


@pytest.fixture
def postgres_url() -> Any:
    """A fresh PostgreSQL database shared by the hub processes."""
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    url = create_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


class Pusher:
    """The CPO pushing new versions of its Locations through the balancer until stopped."""

    def __init__(self, cpo: Peer) -> None:
        self.cpo = cpo
        self.acked: dict[str, list[str]] = {f"L{i}": [] for i in range(OBJECTS)}
        self.unacknowledged_attempts = 0
        self.stopping = False

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.acked.values())

    async def _push(self, location_id: str, name: str) -> None:
        url = f"{self.cpo.hub_url('locations', 'RECEIVER')}/NL/CPO/{location_id}"
        body = payloads.location("NL", "CPO", location_id, evses=1, tariff_id="T1", name=name)
        for _ in range(50):
            with contextlib.suppress(aiohttp.ClientError, OSError, TimeoutError):
                status, answer, _ = await self.cpo.request("PUT", url, json=body)
                if status == 200 and isinstance(answer, dict) and answer["status_code"] == 1000:
                    self.acked[location_id].append(name)
                    return
            self.unacknowledged_attempts += 1
            await asyncio.sleep(0.2)
        raise AssertionError(f"push {name} never acknowledged")

    async def _writer(self, location_id: str) -> None:
        n = 0
        while not self.stopping:
            await self._push(location_id, f"{location_id} #{n}")
            n += 1

    async def until(self, count: int, timeout: float = 120) -> None:
        """Wait until ``count`` pushes in all were acknowledged."""
        deadline = time.monotonic() + timeout
        while self.count < count:
            assert time.monotonic() < deadline, f"only {self.count} pushes acknowledged"
            await asyncio.sleep(0.05)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(self._writer(f"L{i}")) for i in range(OBJECTS)]
        try:
            yield
        finally:
            self.stopping = True
            await asyncio.gather(*tasks)


def hub_env(database_url: str, public_url: str) -> dict[str, str]:
    """Settings of every hub process: one database, one public URL (the balancer's)."""
    return {
        "OCPIHUB_DATABASE_URL": database_url,
        "OCPIHUB_PUBLIC_URL": public_url,
        "OCPIHUB_ADMIN_TOKEN": ADMIN,
        "OCPIHUB_LOG_FORMAT": "json",
        # changes made through one process apply in the others at once (default: within 2 s)
        "OCPIHUB_DIRECTORY_CACHE_SECONDS": "0",
        "OCPIHUB_OUTBOX_POLL_INTERVAL": "0.2",
        "OCPIHUB_REQUEST_TIMEOUT": "2",
        "OCPIHUB_OUTBOX_LEASE_SECONDS": "3",
        "OCPIHUB_OUTBOX_DRAIN_SECONDS": "3",
        "OCPIHUB_OUTBOX_RETRY_BASE_DELAY": "0.1",
    }


async def admin(lb_url: str, context: Any, method: str, path: str, body: Any) -> Any:
    """The admin API, through the balancer."""
    headers = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method,
            f"{lb_url}/admin/api{path}",
            data=orjson.dumps(body),
            headers=headers,
            ssl=context,
        ) as r,
    ):
        answer = orjson.loads(await r.read())
        assert r.status < 300, answer
        return answer


def refused(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:``port`` any more."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


async def restart(hub: OcpihubProcess, port: int, lb: LoadBalancer, name: str) -> None:
    """The rolling-restart step of docs/deployment.md for one hub process: drain it at the
    balancer, stop it, start it again, put it back once it answers."""
    lb.command(f"set server ocpihub/{name} state drain")
    await lb.wait_for(name, "DRAIN")
    # a clean stop: exit 0, or uvicorn's re-raised SIGTERM (systemd counts both as success)
    assert await hub.stop(signal.SIGTERM) in (0, -signal.SIGTERM), hub.tail()
    assert refused(port)
    hub.restart()
    await wait_for_http(f"http://127.0.0.1:{port}/ready", alive=hub.proc)
    lb.command(f"set server ocpihub/{name} state ready")
    await lb.wait_for(name, "UP")


@NEEDS_LB
@pytest.mark.timeout(420)  # three hub processes start (and one again) on a busy machine
async def test_rolling_restart_and_a_killed_process_lose_no_acknowledged_push(
    tmp_path: Path, postgres_url: str, start_peer: Callable[..., Any]
) -> None:
    """Pushes through HAProxy keep being acknowledged while one hub process restarts and the
    other stops; every acknowledged push is delivered, in order per object."""
    cert, context = self_signed_certificate(tmp_path)
    ports = [free_port(), free_port()]
    lb_url = f"https://127.0.0.1:{free_port()}"
    env = hub_env(postgres_url, lb_url)
    hub1 = OcpihubProcess(
        ["serve", "--port", str(ports[0]), "--workers", "2"], env, tmp_path / "hub1.log"
    )
    hub2 = OcpihubProcess(["serve", "--port", str(ports[1])], env, tmp_path / "hub2.log")
    lb = LoadBalancer(
        lb_url.removeprefix("https://"), cert, [f"127.0.0.1:{p}" for p in ports], tmp_path
    )
    try:
        await lb.wait_for("hub1", "UP")
        await lb.wait_for("hub2", "UP")
        cpo: Peer = await start_peer("2.3.0", [("CPO", "NL", "CPO")], ssl_context=context)
        emsp: Peer = await start_peer("2.2.1", [("EMSP", "DE", "MSP")], ssl_context=context)
        for peer, role in ((cpo, "CPO"), (emsp, "EMSP")):
            cc, pid = peer.parties[0][1:]
            roles = [{"role": role, "country_code": cc, "party_id": pid}]
            created = await admin(
                lb_url, context, "POST", "/platforms", {"name": role, "roles": roles}
            )
            status, body = await peer.register(created["versions_url"], created["token_a"])
            assert status == 200 and body["status_code"] == 1000, body
        await admin(lb_url, context, "POST", "/agreements", {"parties": ["NL-CPO", "DE-MSP"]})

        pusher = Pusher(cpo)
        async with pusher.running():
            await pusher.until(20)
            await restart(hub2, ports[1], lb, "hub2")
            await pusher.until(pusher.count + 20)
            # no drain: HAProxy re-sends what the stopping process refuses to the other one
            assert await hub1.stop(signal.SIGTERM) in (0, -signal.SIGTERM), hub1.tail()
            assert refused(ports[0]), "a worker outlived its parent"
            await pusher.until(pusher.count + 20)
        print(f"{pusher.count} pushes, {pusher.unacknowledged_attempts} attempts not acknowledged")

        def delivered() -> dict[str, list[str]]:
            got: dict[str, list[str]] = {}
            for r in emsp.of("locations", "PUT"):
                got.setdefault(r.body["id"], []).append(r.body["name"])
            return got

        deadline = time.monotonic() + 60
        while any(
            not set(names) <= set(delivered().get(o, [])) for o, names in pusher.acked.items()
        ):
            assert time.monotonic() < deadline, "acknowledged pushes were not delivered"
            await asyncio.sleep(0.1)
        for location_id, names in pusher.acked.items():
            got = delivered()[location_id]
            assert got[-1] == names[-1], (
                f"{location_id}: last delivered {got[-1]}, pushed {names[-1]}"
            )
    finally:
        lb.close()
        hub1.close()
        hub2.close()


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_backup_script_makes_a_dump_that_restores(tmp_path: Path, postgres_url: str) -> None:
    """deploy/backup.sh dumps the hub's database, keeps the newest N dumps, and a dump restores
    (pg_restore, as docs/deployment.md says) into a database that has the same platforms."""
    from ocpihub.hub.platforms import add_platform
    from ocpihub.store import platforms as store
    from ocpihub.store.db import Database

    async def add() -> None:
        db = Database(postgres_url)
        try:
            await add_platform(db, "Backed up", public_url="https://hub.example")
        finally:
            await db.close()

    asyncio.run(add())
    env = {"PATH": os.environ["PATH"], "OCPIHUB_DATABASE_URL": postgres_url}
    env |= {"OCPIHUB_BACKUP_DIR": str(tmp_path / "backups"), "OCPIHUB_BACKUP_KEEP": "1"}
    for _ in range(2):
        done = subprocess.run([str(BACKUP)], env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    (dump,) = (tmp_path / "backups").glob("ocpihub-*.dump")
    target = create_postgres_database()
    try:
        dsn = target.replace("postgresql+asyncpg://", "postgresql://")
        restore = ["pg_restore", "--clean", "--if-exists", "--no-owner", "-d", dsn, str(dump)]
        done = subprocess.run(restore, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr

        async def names() -> list[str]:
            db = Database(target)
            try:
                async with db.read() as conn:
                    return [p.name for p in await store.list_platforms(conn)]
            finally:
                await db.close()

        assert asyncio.run(names()) == ["Backed up"]
    finally:
        drop_postgres_database(target)


def test_workers_are_refused_on_sqlite(tmp_path: Path) -> None:
    """``serve --workers 2`` on SQLite exits 2 and points to PostgreSQL, before serving."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCPIHUB_")}
    env["OCPIHUB_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    args = [sys.executable, "-m", "ocpihub", "serve", "--port", str(free_port()), "--workers", "2"]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--workers 2 needs PostgreSQL" in done.stderr
    assert not (tmp_path / "hub.db").exists()
