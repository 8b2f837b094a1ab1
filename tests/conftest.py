"""Fixtures shared by every test: database backends, settings, a running hub."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from ocpihub.settings import Settings, load_settings
from ocpihub.store.db import Database
from ocpihub.store.migrate import migrate
from tests.support.databases import (
    BACKENDS,
    PG_SKIP_REASON,
    PG_URL,
    close_postgres_databases,
    create_postgres_database,
    drop_postgres_database,
    migrated_sqlite_url,
)


def pytest_report_header(config: pytest.Config) -> str:
    """Say up front whether the PostgreSQL half of the suite runs."""
    return f"ocpihub PostgreSQL tests: {'on ' + PG_URL if PG_URL else PG_SKIP_REASON}"


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop the session's PostgreSQL databases while the run still waits for this process."""
    close_postgres_databases()


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No OCPIHUB_* variable from the developer's shell leaks into a test."""
    import os

    for name in list(os.environ):
        if name.startswith("OCPIHUB_") and name != "OCPIHUB_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A fresh, migrated database of each backend: a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        yield migrated_sqlite_url(tmp_path)
        return
    url = create_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated database of each backend, closed when the test ends."""
    database = Database(database_url)
    await migrate(database)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def make_settings(database_url: str) -> Any:
    """A factory of Settings on the test's database; keyword arguments override."""

    def factory(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"database_url": database_url, "admin_token": "admin-secret"}
        values.update(overrides)
        return load_settings(**values)

    return factory
