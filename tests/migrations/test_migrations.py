"""The migrations build exactly the schema that ``store/schema.py`` describes, on both backends."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from ocpihub.store.db import Database
from ocpihub.store.migrate import migrate
from ocpihub.store.schema import metadata


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_migrations_match_schema(database_url: str) -> None:
    """After `migrate`, autogenerate finds nothing to change."""
    db = Database(database_url)
    try:
        await migrate(db)
        async with db.engine.connect() as conn:
            diff = await conn.run_sync(_diff)
    finally:
        await db.close()
    assert diff == []
