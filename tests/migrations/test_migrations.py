"""The migrations build exactly the schema that ``store/schema.py`` describes, on both backends."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Index, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateIndex

from ocpihub.store.db import Database
from ocpihub.store.migrate import migrate
from ocpihub.store.schema import metadata, objects


def _expression_indexes() -> list[Index]:
    return [
        index
        for table in metadata.tables.values()
        for index in table.indexes
        if not all(isinstance(e, Column) for e in index.expressions)
    ]


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    with warnings.catch_warnings():
        if connection.dialect.name == "sqlite":
            # SQLite cannot reflect expression indexes: autogenerate skips them (and says so);
            # test_expression_indexes_on_sqlite compares their DDL instead
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expr")
        return list(compare_metadata(context, metadata))


def _ddl(connection: Connection) -> tuple[dict[str, str], dict[str, str]]:
    def norm(sql: str) -> str:
        return re.sub(r"\s+", " ", sql).strip().lower()

    stored = connection.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    ).all()
    wanted = {
        str(index.name): norm(str(CreateIndex(index).compile(dialect=connection.dialect)))
        for index in _expression_indexes()
    }
    return wanted, {name: norm(sql) for name, sql in stored if name in wanted}


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


async def test_expression_indexes_on_sqlite(tmp_path: Any) -> None:
    """What autogenerate cannot see on SQLite: the migrated expression indexes are schema.py's."""
    assert _expression_indexes(), "schema.py declares expression indexes"
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    try:
        await migrate(db)
        async with db.engine.connect() as conn:
            wanted, stored = await conn.run_sync(_ddl)
    finally:
        await db.close()
    assert stored == wanted


def _downgrade_to(connection: Connection, revision: str) -> None:
    from alembic import command

    from ocpihub.store.migrate import alembic_config

    command.downgrade(alembic_config(connection), revision)


async def test_objects_under_several_spellings_become_one(database_url: str) -> None:
    """Migration 0010: objects stored under several spellings of one id (before ids compared
    case-insensitively) become one, keeping the first spelling and the newest content."""
    db = Database(database_url)
    day = [datetime(2024, 1, d, tzinfo=UTC) for d in (1, 15, 31)]
    rows = [("cil1", 1, day[0]), ("CIL1", 2, day[2]), ("Cil1", 3, day[1]), ("other", 9, day[0])]
    try:
        await migrate(db)
        async with db.write() as conn:
            await conn.run_sync(_downgrade_to, "0009")
            for object_id, version, at in rows:
                await conn.execute(
                    insert(objects).values(
                        module="locations",
                        country_code="NL",
                        party_id="CPO",
                        object_id=object_id,
                        kind="",
                        last_updated=at,
                        document={"v": version},
                        source_version="2.3.0",
                        created_at=at,
                        updated_at=at,
                    )
                )
        await migrate(db)
        async with db.read() as conn:
            query = select(objects.c.object_id, objects.c.document).order_by(objects.c.key)
            got = [tuple(r) for r in (await conn.execute(query)).all()]
    finally:
        await db.close()
    assert got == [("cil1", {"v": 2}), ("other", {"v": 9})]
