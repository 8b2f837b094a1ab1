"""Test databases: a fresh SQLite file, or a fresh PostgreSQL database cloned from a template.

PostgreSQL tests need ``OCPIHUB_TEST_POSTGRES_URL`` (an asyncpg SQLAlchemy URL of a database the
user may create databases from); without it they skip with a visible reason.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import uuid
from pathlib import Path

import asyncpg
import pytest

from ocpihub.store.db import Database
from ocpihub.store.migrate import migrate

PG_URL = os.environ.get("OCPIHUB_TEST_POSTGRES_URL")
PG_SKIP_REASON = "OCPIHUB_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped"

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[pytest.mark.postgres, pytest.mark.skipif(not PG_URL, reason=PG_SKIP_REASON)],
    ),
]

_template_ready: set[str] = set()


def _dsn(database: str | None = None) -> str:
    assert PG_URL is not None
    dsn = PG_URL.replace("postgresql+asyncpg://", "postgresql://")
    if database is None:
        return dsn
    head, _, _ = dsn.rpartition("/")
    return f"{head}/{database}"


def _sqlalchemy_url(database: str) -> str:
    assert PG_URL is not None
    head, _, _ = PG_URL.rpartition("/")
    return f"{head}/{database}"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(_dsn())
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _ensure_template() -> str:
    # one template per test process: parallel runs on one server never race for a name
    name = f"ocpihub_tpl_{_worker()}_{os.getpid()}"
    if name in _template_ready:
        return name
    await _admin(f"DROP DATABASE IF EXISTS {name}")
    await _admin(f"CREATE DATABASE {name}")
    db = Database(_sqlalchemy_url(name))
    try:
        await migrate(db)
    finally:
        await db.close()
    _template_ready.add(name)
    atexit.register(_drop_template, name)
    return name


def _drop_template(name: str) -> None:
    with contextlib.suppress(Exception):  # best effort at interpreter exit
        asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def create_postgres_database() -> str:
    """A new, migrated PostgreSQL database; returns its SQLAlchemy URL."""

    async def go() -> str:
        template = await _ensure_template()
        name = f"ocpihub_t_{_worker()}_{uuid.uuid4().hex[:10]}"
        await _admin(f"CREATE DATABASE {name} TEMPLATE {template}")
        return name

    return _sqlalchemy_url(asyncio.run(go()))


def drop_postgres_database(url: str) -> None:
    """Drop a database made by :func:`create_postgres_database`."""
    name = url.rpartition("/")[2]
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def sqlite_url(folder: Path) -> str:
    """The URL of a fresh SQLite file in ``folder``."""
    return f"sqlite+aiosqlite:///{folder / 'ocpihub.db'}"
