"""Test databases: a fresh SQLite file, or a fresh PostgreSQL database cloned from a template.

Both backends start migrated: migrating takes longer than copying, so each test process migrates
one template per backend and every test gets a copy (a file copy, ``CREATE DATABASE ... TEMPLATE``).

PostgreSQL tests need ``OCPIHUB_TEST_POSTGRES_URL`` (an asyncpg SQLAlchemy URL of a database the
user may create databases from); without it they skip with a visible reason.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import sys
import tempfile
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
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
    return name


async def _create_copy() -> str:
    template = await _ensure_template()
    name = f"ocpihub_t_{_worker()}_{uuid.uuid4().hex[:10]}"
    await _admin(f"CREATE DATABASE {name} TEMPLATE {template}")
    # commits need not wait for the disk: what a test sees is the same (other sessions see a
    # commit at once either way); only a crash of the PostgreSQL server could lose one
    await _admin(f"ALTER DATABASE {name} SET synchronous_commit TO off")
    return name


def _drop(name: str) -> None:
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


class _Copies:
    """Copies of the template, made one ahead and dropped on a thread of their own.

    Creating and dropping a database is mostly the server waiting for its disk: done while the
    tests run, it costs them nothing. The copy a test gets is as fresh as one made on demand
    (made from the template, nothing connected to it before).
    """

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="pg-copies")
        self._next: Future[str] | None = None

    def _make(self) -> Future[str]:
        return self._thread.submit(asyncio.run, _create_copy())

    def take(self) -> str:
        """The name of a new copy; the next one is begun."""
        ready = self._next or self._make()
        self._next = self._make()
        return ready.result()

    def drop(self, name: str) -> None:
        """Drop a copy, in the background."""
        self._thread.submit(_drop, name)

    def close(self) -> None:
        """Finish the queued drops, then drop the copy made ahead and the template."""
        self._thread.shutdown(wait=True)
        names = [self._next.result()] if self._next is not None else []
        for name in [*names, *_template_ready]:
            try:
                _drop(name)
            except Exception as e:  # best effort: the run's result does not depend on it
                print(f"could not drop test database {name}: {e!r}", file=sys.stderr)


_copies: list[_Copies] = []


def create_postgres_database() -> str:
    """A new, migrated PostgreSQL database; returns its SQLAlchemy URL."""
    if not _copies:
        _copies.append(_Copies())
    return _sqlalchemy_url(_copies[0].take())


def drop_postgres_database(url: str) -> None:
    """Drop a database made by :func:`create_postgres_database` (in the background)."""
    _copies[0].drop(url.rpartition("/")[2])


def close_postgres_databases() -> None:
    """Drop what :func:`create_postgres_database` left (end of the test session; at exit too)."""
    while _copies:
        _copies.pop().close()


atexit.register(close_postgres_databases)


def sqlite_url(folder: Path) -> str:
    """The URL of a fresh SQLite file in ``folder`` (not created yet: no schema)."""
    return f"sqlite+aiosqlite:///{folder / 'ocpihub.db'}"


_sqlite_template: list[Path] = []


def _sqlite_template_file() -> Path:
    # one migrated file per test process, in a folder of its own removed at exit
    if not _sqlite_template:
        folder = Path(tempfile.mkdtemp(prefix="ocpihub-template-"))
        atexit.register(shutil.rmtree, folder, True)
        db = Database(sqlite_url(folder))

        async def build() -> None:
            try:
                await migrate(db)
            finally:
                await db.close()  # checkpoints the WAL into the file: one file to copy

        with ThreadPoolExecutor(1) as thread:  # works inside a running event loop too
            thread.submit(asyncio.run, build()).result()
        _sqlite_template.append(folder / "ocpihub.db")
    return _sqlite_template[0]


def migrated_sqlite_url(folder: Path) -> str:
    """The URL of a new SQLite file in ``folder``, migrated to the newest revision."""
    template = _sqlite_template_file()
    assert not Path(f"{template}-wal").exists(), "the template's WAL was not checkpointed"
    shutil.copyfile(template, folder / "ocpihub.db")
    return sqlite_url(folder)
