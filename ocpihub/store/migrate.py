"""Apply the Alembic migrations to a database (``ocpihub migrate``, and at every start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

from ocpihub.store.db import Database

__all__ = ["alembic_config", "migrate"]

_HERE = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our migration scripts (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


async def migrate(db: Database) -> None:
    """Bring the schema of ``db`` up to the newest revision.

    On PostgreSQL an advisory lock makes hub processes starting together migrate one at a time.
    """
    if db.is_sqlite:
        async with db.write() as conn:
            await conn.run_sync(_upgrade)
        return
    async with db.engine.begin() as conn:
        await conn.execute(text("SELECT pg_advisory_xact_lock(7462001)"))
        await conn.run_sync(_upgrade)
