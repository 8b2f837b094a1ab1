"""`ocpihub serve` as a real process: a CLI-issued token A opens /ocpi/versions."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.no_dev import without_dev_packages
from tests.support.processes import OcpihubProcess, wait_for_http
from tests.support.servers import free_port

pytestmark = pytest.mark.e2e


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ocpihub", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def served(tmp_path: Path, database_url: str):
    """A hub process on a free loopback port, stopped with SIGTERM at the end."""
    port = free_port()
    env = {
        **os.environ,
        "OCPIHUB_DATABASE_URL": database_url,
        "OCPIHUB_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "OCPIHUB_LOG_FORMAT": "json",
    }
    env.pop("OCPIHUB_ADMIN_TOKEN", None)
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ocpihub", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, "hub did not start in 30 s"
            time.sleep(0.1)
        yield base, env, log
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            # uvicorn re-raises the SIGTERM it handled once shutdown is complete
            assert proc.wait(timeout=20) in (0, -signal.SIGTERM)
            log.flush()
            assert "Application shutdown complete" in Path(log.name).read_text()
        finally:
            if proc.poll() is None:
                proc.kill()
            log.close()


def test_cli_platform_token_opens_versions(served) -> None:
    """A platform added with the CLI reaches /ocpi/versions with its token A, plain or Base64."""
    base, env, _log = served
    added = _cli(env, "platform", "add", "Acme CPO", "--role", "CPO:NL:ACM", "--json")
    assert added.returncode == 0, added.stderr
    created = json.loads(added.stdout)
    assert created["versions_url"] == f"{base}/ocpi/versions"
    token = created["token_a"]

    for header in (f"Token {token}", "Token " + base64.b64encode(token.encode()).decode()):
        r = httpx.get(f"{base}/ocpi/versions", headers={"Authorization": header})
        assert r.status_code == 200
        body = r.json()
        assert body["status_code"] == 1000
        assert [v["version"] for v in body["data"]] == ["2.1.1", "2.2.1", "2.3.0"]
        assert body["data"][2]["url"] == f"{base}/ocpi/2.3.0"
        assert r.headers["X-Request-ID"]
        assert r.headers["X-Correlation-ID"]

    wrong = httpx.get(f"{base}/ocpi/versions", headers={"Authorization": "Token nope"})
    assert wrong.status_code == 401
    assert wrong.json()["status_code"] == 2000

    listed = _cli(env, "platform", "list", "--json")
    assert listed.returncode == 0
    assert [p["name"] for p in json.loads(listed.stdout)] == ["Acme CPO"]


def test_first_start_prints_admin_token_once(served) -> None:
    """The generated admin token is printed at first start and opens the admin API."""
    base, _env, log = served
    log.flush()
    output = Path(log.name).read_text()
    assert f"OCPI versions URL {base}/ocpi/versions" in output
    line = next(x for x in output.splitlines() if "admin token" in x)
    token = line.rsplit(" ", 1)[1]
    ok = httpx.get(f"{base}/admin/api/platforms", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    assert ok.json() == []
    denied = httpx.get(f"{base}/admin/api/platforms", headers={"Authorization": "Bearer x"})
    assert denied.status_code == 401


def test_invalid_setting_stops_start(tmp_path: Path) -> None:
    """An invalid setting stops `serve` with a message naming the setting and its value."""
    env = {
        **os.environ,
        "OCPIHUB_PORT": "eighty",
        "OCPIHUB_DATABASE_URL": "sqlite+aiosqlite:///" + str(tmp_path / "x.db"),
    }
    result = _cli(env, "serve")
    assert result.returncode == 2
    assert "OCPIHUB_PORT='eighty'" in result.stderr


def _sqlite_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {"OCPIHUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"}
    env |= {"OCPIHUB_ADMIN_TOKEN": "admin-secret", "OCPIHUB_LOG_FORMAT": "json"}
    return env | {f"OCPIHUB_{k.upper()}": v for k, v in settings.items()}


async def test_public_url_follows_port_when_unset(tmp_path: Path) -> None:
    """Without OCPIHUB_PUBLIC_URL, ``serve --port P`` hands out URLs on port P (printed, in the
    admin API's versions URL and in /ocpi/versions), and warns about nothing. It runs as
    ``make run`` installs it: with no dev package importable."""
    port = free_port()
    env = _sqlite_env(tmp_path) | without_dev_packages(tmp_path / "site")
    hub = OcpihubProcess(["serve", "--port", str(port)], env, tmp_path / "h.log")
    try:
        base = f"http://127.0.0.1:{port}"
        await wait_for_http(f"{base}/health", alive=hub.proc)
        admin = {"Authorization": "Bearer admin-secret"}
        async with httpx.AsyncClient(base_url=base) as client:
            created = await client.post("/admin/api/platforms", json={"name": "A"}, headers=admin)
            assert created.status_code == 201, created.text
            assert created.json()["versions_url"] == f"{base}/ocpi/versions"
            token = {"Authorization": f"Token {created.json()['token_a']}"}
            versions = (await client.get("/ocpi/versions", headers=token)).json()["data"]
        assert {v["url"] for v in versions} == {
            f"{base}/ocpi/{v}" for v in ("2.1.1", "2.2.1", "2.3.0")
        }
        assert f"OCPI versions URL {base}/ocpi/versions" in hub.tail()
        assert '"level": "warning"' not in hub.tail()
    finally:
        assert await hub.stop() in (0, -signal.SIGTERM), hub.tail()


async def test_public_url_on_another_port_is_warned_about(tmp_path: Path) -> None:
    """OCPIHUB_PUBLIC_URL on a port the hub does not listen on: kept, and a warning says so."""
    port = free_port()
    env = _sqlite_env(tmp_path, public_url="http://127.0.0.1:8080")
    hub = OcpihubProcess(["serve", "--port", str(port)], env, tmp_path / "h.log")
    try:
        await wait_for_http(f"http://127.0.0.1:{port}/health", alive=hub.proc)
        log = hub.tail(20_000)
        assert "OCPI versions URL http://127.0.0.1:8080/ocpi/versions" in log
        warnings = [
            json.loads(line)
            for line in log.splitlines()
            if line.startswith("{") and '"warning"' in line
        ]
        assert [w["event"] for w in warnings if "OCPIHUB_PUBLIC_URL" in w["event"]] == [
            f"OCPIHUB_PUBLIC_URL http://127.0.0.1:8080 is on port 8080, but this process "
            f"listens on port {port}: partners are sent to port 8080. Right behind a proxy or "
            "load balancer that forwards it here; otherwise correct OCPIHUB_PUBLIC_URL, or "
            "unset it to follow --host and --port"
        ]
    finally:
        assert await hub.stop() in (0, -signal.SIGTERM), hub.tail()


async def test_second_serve_on_one_sqlite_file_is_refused_until_the_first_dies(
    tmp_path: Path,
) -> None:
    """A second ``serve`` (or ``demo``) on the same SQLite file exits 2 pointing to PostgreSQL,
    while the first serves on; CLI commands still work beside it; once the first is SIGKILLed, a new
    ``serve`` on the file starts (the lock dies with its process)."""
    env = _sqlite_env(tmp_path)
    ports = [free_port(), free_port(), free_port()]
    first = OcpihubProcess(["serve", "--port", str(ports[0])], env, tmp_path / "1.log")
    later: list[OcpihubProcess] = []
    try:
        await wait_for_http(f"http://127.0.0.1:{ports[0]}/health", alive=first.proc)
        second = _cli({**os.environ, **env}, "serve", "--port", str(ports[1]))  # refused
        assert second.returncode == 2, second.stdout + second.stderr
        assert (
            f"the SQLite database {tmp_path / 'hub.db'} is already served by process "
            f"{first.proc.pid}" in second.stderr
        )
        assert "PostgreSQL" in second.stderr and "docs/deployment.md" in second.stderr
        assert "Traceback" not in second.stderr
        await wait_for_http(f"http://127.0.0.1:{ports[0]}/health", alive=first.proc)

        demo = _cli({**os.environ, **env}, "demo", "--port", str(ports[1]))  # nor a demo
        assert demo.returncode == 2, demo.stdout + demo.stderr
        assert f"is already served by process {first.proc.pid}" in demo.stderr

        listed = _cli({**os.environ, **env}, "platform", "list", "--json")
        assert (listed.returncode, listed.stdout.strip()) == (0, "[]"), listed.stderr

        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(timeout=10)
        third = OcpihubProcess(["serve", "--port", str(ports[2])], env, tmp_path / "3.log")
        later.append(third)
        await wait_for_http(f"http://127.0.0.1:{ports[2]}/health", alive=third.proc)
    finally:
        first.close()
        for hub in later:
            assert await hub.stop() in (0, -signal.SIGTERM), hub.tail()
