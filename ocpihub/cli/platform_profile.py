"""``ocpihub platform profile NAME …``: a platform's interoperability profile (docs/partners.md).

Registered on the ``platform`` command group by ``ocpihub.cli``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ocpihub.cli._common import bad_argument, print_json, run, settings_or_exit
from ocpihub.cli.platform import _by_name, app

if TYPE_CHECKING:
    from ocpihub.store.db import Database

__all__ = ["platform_profile"]

_Numbers = dict[str, tuple[str, str | None, type[int] | type[float]]]
"""Profile field -> (its option, the value given, int or float)."""
_Names = dict[str, tuple[list[str] | None, list[str] | None]]
"""Profile field -> (names added, names removed)."""


def _number(option: str, value: str | None, kind: type[int] | type[float]) -> Any:
    """``value`` as a number above 0; ``default`` (or 0) for none; exit 2 otherwise."""
    if value in ("default", "0", "none"):
        return None
    try:
        number = kind(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = -1
    if number <= 0:
        bad_argument(f"{option}: {value!r} must be a number above 0 (or 'default')")
    return number


def _changes(
    current: dict[str, Any], numbers: _Numbers, list_wrapped: bool | None, names: _Names
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for key, (option, value, kind) in numbers.items():
        if value is not None:
            changes[key] = _number(option, value, kind)
    if list_wrapped is not None:
        changes["accept_list_wrapped"] = list_wrapped
    for key, (added, removed) in names.items():
        if added or removed:
            now = set(current[key]) | set(added or ())
            changes[key] = sorted(now - set(removed or ()))
    return changes


def _show(profile: dict[str, Any], request_timeout: float) -> None:
    cap, timeout, concurrency = (
        profile["page_size_cap"],
        profile["timeout_seconds"],
        profile["concurrency"],
    )
    typer.echo(f"page size cap:        {cap if cap is not None else 'none'}")
    shown = f"{timeout:g}s" if timeout is not None else f"default ({request_timeout:g}s)"
    typer.echo(f"timeout:              {shown}")
    typer.echo(f"concurrency:          {concurrency if concurrency is not None else 'no limit'}")
    typer.echo(f"accept list-wrapped:  {'yes' if profile['accept_list_wrapped'] else 'no'}")
    typer.echo(f"tolerate:             {', '.join(profile['tolerate']) or 'nothing (strict)'}")
    typer.echo(f"back-ports:           {', '.join(profile['backports']) or 'none'}")


@app.command("profile")
def platform_profile(
    name: Annotated[str, typer.Argument(help="The platform's name.")],
    page_size_cap: Annotated[
        str | None,
        typer.Option(help="Largest limit the hub sends on its GETs to the partner ('default')."),
    ] = None,
    timeout: Annotated[
        str | None,
        typer.Option(help="Request timeout towards the partner, seconds ('default': setting)."),
    ] = None,
    concurrency: Annotated[
        str | None,
        typer.Option(help="Calls in flight to the partner at once per process ('default')."),
    ] = None,
    accept_list_wrapped: Annotated[
        bool | None,
        typer.Option(
            "--accept-list-wrapped/--no-accept-list-wrapped",
            help="Read a one-element list where the spec has one object.",
        ),
    ] = None,
    tolerate: Annotated[
        list[str] | None, typer.Option(help="Tolerate a deviation (repeatable; docs/partners.md).")
    ] = None,
    no_tolerate: Annotated[
        list[str] | None, typer.Option(help="Stop tolerating a deviation (repeatable).")
    ] = None,
    backport: Annotated[
        list[str] | None, typer.Option(help="Deliver a back-ported field (repeatable).")
    ] = None,
    no_backport: Annotated[
        list[str] | None, typer.Option(help="Stop delivering a back-ported field (repeatable).")
    ] = None,
    reset: Annotated[bool, typer.Option(help="Back to the strict default first.")] = False,
    show: Annotated[bool, typer.Option(help="Only show the profile.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show or set a platform's interoperability profile: page size cap, timeout, concurrency,
    list-wrapped objects, tolerated deviations, back-ports (running hubs apply a change within
    directory_cache_seconds)."""
    settings = settings_or_exit()
    numbers: _Numbers = {
        "page_size_cap": ("--page-size-cap", page_size_cap, int),
        "timeout_seconds": ("--timeout", timeout, float),
        "concurrency": ("--concurrency", concurrency, int),
    }
    names: _Names = {"tolerate": (tolerate, no_tolerate), "backports": (backport, no_backport)}

    async def work(db: Database) -> dict[str, Any]:
        if show:
            return (await _by_name(db, name)).profile.as_json()
        return await _set_profile(db, name, numbers, accept_list_wrapped, names, reset=reset)

    profile = run(settings, work)
    if as_json:
        print_json(profile)
        return
    _show(profile, settings.request_timeout)


async def _set_profile(
    db: Database,
    name: str,
    numbers: _Numbers,
    list_wrapped: bool | None,
    names: _Names,
    *,
    reset: bool,
) -> dict[str, Any]:
    """The platform's profile after the options' changes (made to the strict default with
    ``reset``); exit 2 when the profile refuses them."""
    from ocpihub.errors import OcpiError
    from ocpihub.hub.platforms import set_profile
    from ocpihub.model.profiles import STRICT

    platform = await _by_name(db, name)
    current = (STRICT if reset else platform.profile).as_json()
    changes = _changes(current, numbers, list_wrapped, names)
    if reset:
        changes = {**current, **changes}
    if not changes:
        return current
    try:
        done = await set_profile(db, platform.id, changes)
    except OcpiError as exc:
        bad_argument(exc.message)
    return done.profile.as_json()
