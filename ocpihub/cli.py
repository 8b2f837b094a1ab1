"""The ``ocpihub`` command: serve, migrate, and the operator's tools.

The second composition root (beside ``app.py``): commands build the settings and the database
and call the same hub functions as the admin API. Every listing command takes ``--json``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer

from ocpihub.errors import ConfigError, OcpiError
from ocpihub.hub.admin_token import ensure_admin_token
from ocpihub.hub.platforms import add_platform, parse_role_spec
from ocpihub.model.parties import TokenEncoding
from ocpihub.settings import Settings, load_settings
from ocpihub.store import platforms as store
from ocpihub.store.db import Database
from ocpihub.store.migrate import migrate

__all__ = ["app", "main"]

T = TypeVar("T")

app = typer.Typer(
    name="ocpihub",
    help="ocpihub: an open-source OCPI roaming hub.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
platform_app = typer.Typer(help="Connected platforms (OCPI connections).", no_args_is_help=True)
app.add_typer(platform_app, name="platform")


def _settings(**overrides: Any) -> Settings:
    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _run(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Migrate, run ``work`` against the database, close it; OCPI errors end the command."""

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


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (0: any free port).")] = None,
) -> None:
    """Run the hub: migrate the database, then serve OCPI and the admin API."""
    import uvicorn

    from ocpihub.app import create_app
    from ocpihub.log import configure_logging

    settings = _settings(host=host, port=port)
    configure_logging(settings.log_format, settings.log_level)

    async def prepare(db: Database) -> str | None:
        _, new_token = await ensure_admin_token(db, settings.admin_token)
        return new_token

    new_admin_token = _run(settings, prepare)
    typer.echo(f"ocpihub: OCPI versions URL {settings.public_url}/ocpi/versions")
    typer.echo(f"ocpihub: admin API {settings.public_url}/admin/api")
    if new_admin_token:
        typer.echo(
            f"ocpihub: admin token (shown only this once; set OCPIHUB_ADMIN_TOKEN to choose "
            f"your own): {new_admin_token}"
        )
    sys.stdout.flush()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        timeout_graceful_shutdown=10,
    )


@app.command("migrate")
def migrate_command() -> None:
    """Create or upgrade the database schema."""
    settings = _settings()

    async def nothing(db: Database) -> None:
        return None

    _run(settings, nothing)
    typer.echo("ocpihub: database is up to date")


@platform_app.command("add")
def platform_add(
    name: Annotated[str, typer.Argument(help="A name for the platform, unique in this hub.")],
    role: Annotated[
        list[str] | None,
        typer.Option(
            "--role",
            help="A party the platform may claim, ROLE:CC:PID (repeatable). Required for "
            "2.1.1 platforms.",
        ),
    ] = None,
    token_encoding: Annotated[
        TokenEncoding,
        typer.Option(help="How the hub sends its token: auto (per version), base64, plain."),
    ] = TokenEncoding.AUTO,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Add a platform: prints its token A and the hub's versions URL to hand over."""
    settings = _settings()
    try:
        roles = [parse_role_spec(r) for r in role or []]
    except OcpiError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None

    async def work(db: Database) -> Any:
        return await add_platform(
            db,
            name,
            public_url=settings.public_url,
            token_encoding=token_encoding,
            roles=roles,
        )

    created = _run(settings, work)
    if as_json:
        _print_json(
            {
                "id": created.platform.id,
                "name": created.platform.name,
                "token_a": created.token_a,
                "versions_url": created.versions_url,
            }
        )
        return
    typer.echo(f"platform {created.platform.name} added (id {created.platform.id})")
    typer.echo(f"token A:      {created.token_a}")
    typer.echo(f"versions URL: {created.versions_url}")


@platform_app.command("list")
def platform_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List every platform."""
    from ocpihub.admin.api import platform_json

    settings = _settings()

    async def work(db: Database) -> list[dict[str, Any]]:
        async with db.read() as conn:
            return [platform_json(p) for p in await store.list_platforms(conn)]

    found = _run(settings, work)
    if as_json:
        _print_json(found)
        return
    if not found:
        typer.echo("no platforms")
        return
    typer.echo(f"{'ID':>4}  {'NAME':<24} {'STATUS':<13} {'VERSION':<8} ROLES")
    for p in found:
        roles = ",".join(
            f"{r['role']}:{r['country_code']}:{r['party_id']}" for r in p["declared_roles"]
        )
        typer.echo(
            f"{p['id']:>4}  {p['name']:<24} {p['status']:<13} {p['version'] or '-':<8} {roles}"
        )


def main() -> None:
    """Entry point of the ``ocpihub`` script."""
    app()
