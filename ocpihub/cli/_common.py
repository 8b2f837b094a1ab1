"""Shared plumbing of the CLI commands: settings, running work against the database, output."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer

from ocpihub.errors import ConfigError, OcpiError
from ocpihub.log import configure_logging
from ocpihub.settings import Settings, load_settings
from ocpihub.store.db import Database
from ocpihub.store.migrate import migrate

__all__ = ["print_json", "run", "settings_or_exit"]

T = TypeVar("T")


def settings_or_exit(**overrides: Any) -> Settings:
    """The settings, or exit 2 with the message naming the bad setting."""
    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def run(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Migrate, run ``work`` against the database, close it; OCPI errors end the command (1).

    Log lines of the work go to stderr (``ocpihub.log``), never among the command's output.
    """

    configure_logging(settings.log_format, settings.log_level)

    async def go() -> T:
        db = Database(settings.database_url)
        try:
            await migrate(db)
            return await work(db)
        finally:
            await db.close()

    try:
        return asyncio.run(go())
    except OcpiError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON (the ``--json`` output of listing commands)."""
    typer.echo(json.dumps(value, indent=2, default=str))
