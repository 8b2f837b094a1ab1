"""`ocpihub serve` as a real process: a CLI-issued token A opens /ocpi/versions."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

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
    import json

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
