"""Shared plumbing of the CLI commands: settings, running work against the database, output.

Imports are lazy: ``ocpihub --help`` and the listing commands must answer at once (issue 18.4),
so nothing here (nor in the command modules) loads the settings model, SQLAlchemy, the web
stack or the HTTP client before a command needs it. Listing commands go further with
:func:`read`: they run their listing (``store/reads``) on the database driver directly, without
SQLAlchemy or the logging set-up. ``tests/cli/test_startup.py`` checks both.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer

from ocpihub.errors import ConfigError, OcpiError

if TYPE_CHECKING:
    from ocpihub.composition import Hub
    from ocpihub.settings import Settings
    from ocpihub.store.db import Database
    from ocpihub.store.reads import Listing

__all__ = [
    "act",
    "bad_argument",
    "failed",
    "print_json",
    "read",
    "run",
    "settings_or_exit",
    "sqlite_path",
]

T = TypeVar("T")


def bad_argument(message: str) -> NoReturn:
    """Exit 2: the arguments or settings are wrong (docs/cli.md)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def failed(exc: OcpiError) -> NoReturn:
    """Exit 1: the command was understood but the hub (or a partner) refused or failed it,
    with the OCPI status code and the reason."""
    typer.echo(f"error: OCPI {exc.status_code}: {exc.message}", err=True)
    raise typer.Exit(1)


def settings_or_exit(**overrides: Any) -> Settings:
    """The settings, or exit 2 with the message naming the bad setting."""
    from ocpihub.settings import load_settings

    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except ConfigError as exc:
        bad_argument(str(exc))


def sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite database URL (absolute), or None for PostgreSQL and in-memory."""
    prefix = "sqlite+aiosqlite:///"
    if not database_url.startswith(prefix):
        return None
    name = database_url[len(prefix) :].split("?", 1)[0]
    if name in ("", ":memory:"):
        return None
    return Path(name).expanduser().resolve()


def _check_database_exists(settings: Settings) -> None:
    path = sqlite_path(settings.database_url)
    if path is None or path.exists():
        return
    bad_argument(
        f"no database at {path} (OCPIHUB_DATABASE_URL={settings.database_url}; a relative "
        "path is taken from the current directory). Run this where the hub's database is, set "
        "OCPIHUB_DATABASE_URL, or create a new database with `ocpihub migrate`."
    )


def run(settings: Settings, work: Callable[[Database], Awaitable[T]], *, create: bool = False) -> T:
    """Run ``work`` against the database (migrated first if it is not current), close it.

    Without ``create``, a SQLite file that does not exist is refused (exit 2) rather than made:
    only ``serve`` and ``migrate`` create a database. OCPI errors end the command (exit 1). Log
    lines of the work go to stderr (``ocpihub.log``), never among the command's output.
    """
    from ocpihub.store.db import Database

    async def go() -> T:
        db = Database(settings.database_url)
        try:
            await _current(db)
            return await work(db)
        finally:
            await db.close()

    return _run(settings, go, create=create)


def act(settings: Settings, work: Callable[[Hub], Awaitable[T]]) -> T:
    """Run an operator action: ``work`` gets the hub the server builds too
    (``composition.build_hub``: database, partner client, registries, directory, registrar,
    the reactions to agreement and party changes), so the action has the effects it has
    through the admin API. Like :func:`run` otherwise (migrates, never creates a database);
    the calls it makes to partners go to the traffic log when it ends."""
    from ocpihub.composition import build_hub

    async def go() -> T:
        hub = build_hub(settings)
        try:
            await _current(hub.db)
            await hub.open()
            return await work(hub)
        finally:
            await hub.close()

    return _run(settings, go)


async def _current(db: Database) -> None:
    """Migrate ``db`` when it is not current."""
    from ocpihub.store.schema_version import is_current

    if not await is_current(db):
        from ocpihub.store.migrate import migrate

        await migrate(db)


def _run(
    settings: Settings, go: Callable[[], Coroutine[Any, Any, T]], *, create: bool = False
) -> T:
    import asyncio

    from ocpihub.log import configure_logging

    if not create:
        _check_database_exists(settings)
    configure_logging(settings.log_format, settings.log_level)
    try:
        return asyncio.run(go())
    except OcpiError as exc:
        failed(exc)


def read(settings: Settings, listing: Callable[[], Listing[T]]) -> T:
    """The result of a read-only listing (``store/reads``; ``listing`` makes a fresh one).

    Read on the driver directly (``store/reads/direct.py``) when the database is current: no
    SQLAlchemy, no engine, no logging set-up. Otherwise — a database to migrate, a driver error
    — through :func:`run`, which migrates first and reports as every other command does. Like
    :func:`run`, never creates a SQLite file (exit 2); OCPI errors end the command (exit 1).
    """
    from ocpihub.store.reads.direct import Unavailable, read_direct

    _check_database_exists(settings)
    try:
        return read_direct(settings.database_url, listing())
    except Unavailable:
        pass
    except OcpiError as exc:
        failed(exc)
    return run(settings, lambda db: db.read_listing(listing()))


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON (the ``--json`` output of listing commands)."""
    typer.echo(json.dumps(value, indent=2, default=str))
