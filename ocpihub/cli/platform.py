"""``ocpihub platform …``: connected platforms (OCPI connections)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ocpihub.cli._common import print_json, run, settings_or_exit
from ocpihub.errors import OcpiError
from ocpihub.hub.platforms import add_platform, parse_role_spec
from ocpihub.model.parties import TokenEncoding
from ocpihub.store import platforms as store
from ocpihub.store.db import Database

__all__ = ["app"]

app = typer.Typer(help="Connected platforms (OCPI connections).", no_args_is_help=True)


@app.command("add")
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
    settings = settings_or_exit()
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

    created = run(settings, work)
    if as_json:
        print_json(
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


@app.command("list")
def platform_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List every platform."""
    from ocpihub.admin.platforms import platform_json

    settings = settings_or_exit()

    async def work(db: Database) -> list[dict[str, Any]]:
        async with db.read() as conn:
            return [platform_json(p) for p in await store.list_platforms(conn)]

    found = run(settings, work)
    if as_json:
        print_json(found)
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
