"""``GET /health`` and ``GET /ready`` under real conditions, and ``/metrics`` without a database."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
import structlog
from sqlalchemy import text
from sqlalchemy.engine import make_url

from ocpihub.app import create_app
from ocpihub.log import configure_logging
from ocpihub.settings import load_settings
from tests.e2e.conftest import RunningHub
from tests.support.databases import (
    PG_SKIP_REASON,
    PG_URL,
    create_postgres_database,
    drop_postgres_database,
)
from tests.support.proxy import tcp_proxy
from tests.support.servers import run_server
from tests.support.waiting import eventually


async def get(url: str) -> tuple[int, Any]:
    """GET ``url``: (HTTP status, JSON body or text)."""
    async with aiohttp.ClientSession() as session, session.get(url) as r:
        body = await r.json() if r.content_type == "application/json" else await r.text()
        return r.status, body


async def test_ready_follows_migrations_and_workers(hub: RunningHub) -> None:
    """Ready when everything runs; 503 naming the check while the schema is behind the code
    or the delivery worker is stopped; /health answers throughout."""
    status, body = await get(f"{hub.url}/ready")
    assert status == 200, body
    assert {name for name, check in body["checks"].items() if check["ok"]} == {
        "database",
        "migrations",
        "delivery_worker",
        "traffic_writer",
    }
    db = hub.app.state.runtime.db
    head = body["checks"]["migrations"]["current"]
    async with db.write() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    status, body = await get(f"{hub.url}/ready")
    assert status == 503
    assert body["checks"]["migrations"] == {
        "ok": False,
        "current": "0001",
        "error": f"schema is at 0001, this code needs {head}",
    }
    async with db.write() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert (await get(f"{hub.url}/ready"))[0] == 200

    await hub.app.state.deliveries.stop()
    status, body = await get(f"{hub.url}/ready")
    assert status == 503
    assert body["checks"]["delivery_worker"] == {"ok": False, "error": "not running"}
    assert (await get(f"{hub.url}/health"))[0] == 200
    await hub.app.state.deliveries.start()  # the fixture's shutdown stops it again


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason=PG_SKIP_REASON)
async def test_unreachable_database() -> None:
    """With PostgreSQL cut off, /ready is 503 naming the database, /metrics still answers with
    ocpihub_database_up 0, /health stays 200; once it is back, ready again."""
    configure_logging("json", "error")  # as in production: background loops log each failure
    url = await asyncio.to_thread(create_postgres_database)
    try:
        real = make_url(url)
        async with tcp_proxy(real.host or "127.0.0.1", real.port or 5432) as proxy:
            proxied = real.set(host="127.0.0.1", port=proxy.port)
            settings = load_settings(
                database_url=proxied.render_as_string(hide_password=False),
                admin_token="admin-secret",
                liveness_interval_seconds=0,
            )
            app = create_app(settings)
            async with run_server(app) as base:
                assert (await get(f"{base}/ready"))[0] == 200
                proxy.disconnect()
                status, body = await get(f"{base}/ready")
                assert status == 503
                assert body["checks"]["database"]["ok"] is False
                assert body["checks"]["database"]["error"]
                assert body["checks"]["migrations"]["ok"] is False
                status, metrics = await get(f"{base}/metrics")
                assert status == 200
                assert "ocpihub_database_up 0.0" in metrics
                assert (await get(f"{base}/health"))[0] == 200
                proxy.reconnect()
                await eventually(
                    lambda: get(f"{base}/ready"), lambda r: r[0] == 200, what="ready again"
                )
                _, metrics = await get(f"{base}/metrics")
                assert "ocpihub_database_up 1.0" in metrics
    finally:
        structlog.reset_defaults()
        await asyncio.to_thread(drop_postgres_database, url)
