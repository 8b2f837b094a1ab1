"""``ocpihub platform …``: connected platforms (OCPI connections)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ocpihub.cli._common import act, bad_argument, print_json, read, run, settings_or_exit
from ocpihub.errors import NotFound, OcpiError
from ocpihub.model.parties import DeclaredRole, Platform, TokenEncoding

if TYPE_CHECKING:
    from ocpihub.composition import Hub
    from ocpihub.settings import Settings
    from ocpihub.store.db import Database

__all__ = ["app"]

app = typer.Typer(
    help="Connected platforms (OCPI connections).", no_args_is_help=True, rich_markup_mode=None
)

RoleOption = Annotated[
    list[str] | None,
    typer.Option(
        "--role",
        help="A party the platform may claim, ROLE:CC:PID (repeatable; with register, when it "
        "creates the platform). Required for 2.1.1 platforms.",
    ),
]
TokenEncodingOption = Annotated[
    TokenEncoding,
    typer.Option(
        help="How the hub sends its token: auto (per version), base64, plain (with register, "
        "when it creates the platform)."
    ),
]


def _roles_or_exit(specs: list[str] | None) -> list[DeclaredRole]:
    """The --role values parsed, or exit 2 naming the bad one."""
    from ocpihub.hub.platforms import parse_role_spec

    try:
        return [parse_role_spec(r) for r in specs or []]
    except OcpiError as exc:
        bad_argument(exc.message)


@app.command("add")
def platform_add(
    name: Annotated[str, typer.Argument(help="A name for the platform, unique in this hub.")],
    role: RoleOption = None,
    token_encoding: TokenEncodingOption = TokenEncoding.AUTO,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Add a platform: prints its token A and the hub's versions URL to hand over."""
    from ocpihub.hub.platforms import add_platform

    settings = settings_or_exit()
    roles = _roles_or_exit(role)

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
    """List every platform with its connection status (CONNECTED, OFFLINE, PLANNED, SUSPENDED)."""
    from ocpihub.store.reads.directory import platform_overview

    found = read(settings_or_exit(), platform_overview)
    if as_json:
        print_json(found)
        return
    if not found:
        typer.echo("no platforms")
        return
    typer.echo(f"{'ID':>4}  {'NAME':<24} {'STATUS':<10} {'REGISTRATION':<13} {'VERSION':<8} ROLES")
    for p in found:
        roles = ",".join(
            f"{r['role']}:{r['country_code']}:{r['party_id']}" for r in p["declared_roles"]
        )
        typer.echo(
            f"{p['id']:>4}  {p['name']:<24} {p['connection_status']:<10} {p['status']:<13} "
            f"{p['version'] or '-':<8} {roles}"
        )


@app.command("show")
def platform_show(
    name: Annotated[str, typer.Argument(help="The platform's name (or id).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One platform: status, parties, endpoints, settings (no tokens) and its health."""
    from ocpihub.cli.platform_show import describe, show

    settings = settings_or_exit()
    found = run(settings, lambda db: describe(db, name))
    if as_json:
        print_json(found)
        return
    show(found)


@app.command("credentials")
def platform_credentials(
    name: Annotated[str, typer.Argument(help="The platform's name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Rotate tokens with a registered platform: the hub PUTs its credentials with a new token
    (the previous one works until the next rotation; the hub must be serving, as the partner
    calls it back)."""
    from ocpihub.hub.credentials_refresh import update_credentials
    from ocpihub.hub.platforms import platform_json

    settings = settings_or_exit()

    async def work(hub: Hub) -> dict[str, Any]:
        platform = await _by_name(hub.db, name)
        return platform_json(await update_credentials(hub.refresher, platform.id))

    done = act(settings, work)
    if as_json:
        print_json(done)
        return
    typer.echo(f"platform {done['name']}: credentials updated, token rotated")


@app.command("register")
def platform_register(
    name: Annotated[str, typer.Argument(help="The platform's name; created when it is new.")],
    versions_url: Annotated[
        str, typer.Option("--versions-url", help="The partner's OCPI versions URL.")
    ],
    token: Annotated[str, typer.Option("--token", help="The token A the partner issued.")],
    role: RoleOption = None,
    token_encoding: TokenEncodingOption = TokenEncoding.AUTO,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Hub-initiated registration: the hub registers with a partner (the hub must be serving).

    A platform created for this registration is removed again when the registration fails.
    """
    from ocpihub.hub.platforms import platform_json
    from ocpihub.store import platforms as store

    settings = settings_or_exit()
    roles = _roles_or_exit(role)

    async def work(hub: Hub) -> dict[str, Any]:
        done = await hub.registrar.register_by_name(
            name, versions_url, token, token_encoding=token_encoding, roles=roles
        )
        async with hub.db.read() as conn:
            hosted = await store.list_parties(conn, done.id)
        out = platform_json(done)
        out["parties"] = [
            {"role": p.role, "country_code": p.country_code, "party_id": p.party_id} for p in hosted
        ]
        return out

    done = act(settings, work)
    if as_json:
        print_json(done)
        return
    parties = ", ".join(f"{p['role']}:{p['country_code']}:{p['party_id']}" for p in done["parties"])
    typer.echo(f"platform {done['name']} registered (id {done['id']}), OCPI {done['version']}")
    typer.echo(f"parties: {parties}")


def _limit_or_exit(option: str, value: str | None, kind: type[float] | type[int]) -> Any:
    """``value`` as a number, ``None`` for "default", or exit 2 naming the option."""
    if value is None or value == "default":
        return None
    try:
        number = kind(value)
    except ValueError:
        number = -1
    if number < 0 or (kind is int and number == 0):
        typer.echo(f"error: {option}: {value!r} is not a valid limit (or 'default')", err=True)
        raise typer.Exit(2)
    return number


@app.command("limits")
def platform_limits(
    name: Annotated[str, typer.Argument(help="The platform's name.")],
    rate_limit: Annotated[
        str | None,
        typer.Option(
            help="Requests a second the platform may make (0: no limit; 'default': the "
            "rate_limit_per_second setting)."
        ),
    ] = None,
    max_body_bytes: Annotated[
        str | None,
        typer.Option(
            help="Largest request body it may send, in bytes ('default': the max_body_bytes "
            "setting)."
        ),
    ] = None,
    default_time_zone: Annotated[
        str | None,
        typer.Option(
            help="IANA time zone for its 2.1.1 Locations that have no time_zone and whose "
            "coordinates lie in no zone ('none': unset)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show or set a platform's rate limit, body-size limit and default time zone (running
    hubs apply a change within directory_cache_seconds)."""
    from ocpihub.hub.platforms import set_limits

    settings = settings_or_exit()
    changes = _limit_changes(rate_limit, max_body_bytes, default_time_zone)

    async def work(db: Database) -> dict[str, Any]:
        platform = await set_limits(db, (await _by_name(db, name)).id, changes)
        return {
            "name": platform.name,
            "rate_limit_per_second": platform.rate_limit_per_second,
            "max_body_bytes": platform.max_body_bytes,
            "default_time_zone": platform.default_time_zone,
        }

    shown = run(settings, work)
    if as_json:
        print_json(shown)
        return
    _show_limits(shown, settings)


def _limit_changes(
    rate_limit: str | None, max_body_bytes: str | None, default_time_zone: str | None
) -> dict[str, Any]:
    """The limits the options set (None: back to the default), or exit 2 naming a bad one."""
    changes: dict[str, Any] = {}
    if rate_limit is not None:
        changes["rate_limit_per_second"] = _limit_or_exit("--rate-limit", rate_limit, float)
    if max_body_bytes is not None:
        changes["max_body_bytes"] = _limit_or_exit("--max-body-bytes", max_body_bytes, int)
    if default_time_zone is not None:
        changes["default_time_zone"] = None if default_time_zone == "none" else default_time_zone
    return changes


def _show_limits(shown: dict[str, Any], settings: Settings) -> None:
    rate = shown["rate_limit_per_second"]
    body = shown["max_body_bytes"]
    if rate is None:
        typer.echo(f"rate limit:     default ({settings.rate_limit_per_second:g}/s; 0: none)")
    else:
        typer.echo(f"rate limit:     {rate:g}/s" + (" (no limit)" if rate == 0 else ""))
    if body is None:
        typer.echo(f"max body bytes: default ({settings.max_body_bytes})")
    else:
        typer.echo(f"max body bytes: {body}")
    typer.echo(f"time zone:      {shown['default_time_zone'] or 'none (default)'}")


@app.command("token")
def platform_token(
    name: Annotated[str, typer.Argument(help="The platform's name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Issue a new token A to a platform that is not registered (e.g. after it unregistered)."""
    settings = settings_or_exit()

    async def work(hub: Hub) -> dict[str, Any]:
        platform = await _by_name(hub.db, name)
        token = await hub.registrar.reissue_token_a(platform.id)
        return {"id": platform.id, "token_a": token, "versions_url": hub.registrar.versions_url}

    issued = act(settings, work)
    if as_json:
        print_json(issued)
        return
    typer.echo(f"token A:      {issued['token_a']}")
    typer.echo(f"versions URL: {issued['versions_url']}")


@app.command("remove")
def platform_remove(
    name: Annotated[str, typer.Argument(help="The platform's name.")],
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Remove it even with deliveries queued for it; they move to the dead-letter "
            "list (DEAD) with the reason.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Remove a platform: a registered one is told first with a credentials DELETE, its
    agreements end (partners are told), deliveries queued for it refuse the removal unless
    --force."""
    settings = settings_or_exit()

    async def work(hub: Hub) -> dict[str, Any]:
        platform = await _by_name(hub.db, name)
        return await hub.registrar.remove(platform.id, force=force)

    removed = act(settings, work)
    if as_json:
        print_json(removed)
        return
    told = {True: "told", False: "could not be told", None: "not registered, not told"}
    typer.echo(f"platform {name} removed; partner {told[removed['partner_notified']]}")
    for agreement in removed["agreements_ended"]:
        typer.echo(f"agreement {agreement['id']} ({' <-> '.join(agreement['parties'])}) ended")
    if removed["dead_lettered"]:
        typer.echo(f"{removed['dead_lettered']} queued deliveries moved to the dead-letter list")
    if removed["partner_error"]:
        typer.echo(f"partner error: {removed['partner_error']}", err=True)


async def _by_name(db: Database, name: str) -> Platform:
    from ocpihub.store import platforms as store

    async with db.read() as conn:
        platform = await store.get_platform_by_name(conn, name.strip())
    if platform is None:
        raise NotFound(f"no platform named {name!r}")
    return platform
