"""The CLI's quick "is the schema current?" check agrees with Alembic (issue 18.4)."""

from __future__ import annotations

from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import text

from ocpihub.store.db import Database
from ocpihub.store.migrate import alembic_config, migrate
from ocpihub.store.schema_version import head_revision, is_current
from tests.support.databases import sqlite_url


def test_head_revision_is_alembics() -> None:
    """The newest revision read from the scripts is the one Alembic upgrades to."""
    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_is_current(database_url: str, tmp_path: Any) -> None:
    """False with no schema or an older one, True at the newest."""
    (tmp_path / "empty").mkdir()
    empty = Database(sqlite_url(tmp_path / "empty"))
    try:
        assert await is_current(empty) is False
    finally:
        await empty.close()
    db = Database(database_url)
    try:
        await migrate(db)  # (PostgreSQL test databases may start migrated)
        assert await is_current(db) is True
        async with db.write() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        assert await is_current(db) is False
        async with db.write() as conn:
            await conn.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head_revision()}
            )
        assert await is_current(db) is True
    finally:
        await db.close()
