"""End-to-end fixtures: the real hub on loopback, and real peer platforms (``ocpihub.testing``).

Everything under ``tests/e2e`` is marked ``e2e`` (skip with ``-m "not e2e"``). Each test gets its
own database (SQLite file and PostgreSQL, via ``database_url``), its own hub and its own peers,
all on 127.0.0.1 free ports, stopped together when the test ends (``servers``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson
import pytest

from ocpihub.app import create_app
from ocpihub.settings import Settings
from ocpihub.testing import Peer
from tests.support.servers import Servers, bound_socket

ADMIN_TOKEN = "admin-secret"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder as e2e."""
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@dataclass
class RunningHub:
    """A hub serving on loopback, with helpers for its admin API."""

    url: str
    settings: Settings
    app: Any

    @property
    def versions_url(self) -> str:
        """The hub's OCPI versions endpoint."""
        return f"{self.url}/ocpi/versions"

    async def admin(self, method: str, path: str, json: Any = None) -> tuple[int, Any]:
        """Call the admin API with the admin token; returns (HTTP status, parsed body)."""
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        data = None
        if json is not None:
            data = orjson.dumps(json)
            headers["Content-Type"] = "application/json"
        async with (
            aiohttp.ClientSession() as session,
            session.request(method, f"{self.url}/admin/api{path}", data=data, headers=headers) as r,
        ):
            raw = await r.read()
            return r.status, (orjson.loads(raw) if raw else None)

    async def add_platform(self, name: str, **body: Any) -> dict[str, Any]:
        """Add a platform through the admin API; returns its id, token_a and versions_url."""
        status, created = await self.admin("POST", "/platforms", {"name": name, **body})
        assert status == 201, created
        return dict(created)


@pytest.fixture
async def servers() -> AsyncIterator[Servers]:
    """The test's hubs and peers, stopped together when it ends."""
    running = Servers()
    try:
        yield running
    finally:
        await running.stop_all()


@pytest.fixture
async def hub_factory(
    make_settings: Any, servers: Servers
) -> AsyncIterator[Callable[..., Awaitable[RunningHub]]]:
    """Start hubs (usually one) on the test's database; settings overrides as keywords."""

    async def start(**overrides: Any) -> RunningHub:
        sock = bound_socket()
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        values = {"public_url": url, "admin_token": ADMIN_TOKEN}
        values.update(overrides)
        settings = make_settings(**values)
        app = create_app(settings)
        await servers.start(app, sock=sock)
        return RunningHub(url, settings, app)

    yield start
    # the hubs stop before the test's database goes (it may have been set up after `servers`);
    # the peers started so far stop with them
    await servers.stop_all()


@pytest.fixture
async def hub(hub_factory: Callable[..., Awaitable[RunningHub]]) -> RunningHub:
    """One running hub with default settings."""
    return await hub_factory()


@pytest.fixture
def start_peer(servers: Servers) -> Callable[..., Awaitable[Peer]]:
    """Start peer platforms: ``await start_peer("2.3.0", [("CPO", "NL", "CPO")], name=...)``."""

    async def start(version: str, parties: list[tuple[str, str, str]], **kw: Any) -> Peer:
        peer = Peer(version=version, parties=parties, **kw)
        peer.base_url = await servers.start(peer.app)
        return peer

    return start
