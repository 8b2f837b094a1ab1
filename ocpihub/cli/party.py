"""``ocpihub party …``: parties hosted by the connected platforms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ocpihub.cli._common import act, bad_argument, print_json, read, settings_or_exit
from ocpihub.errors import OcpiError

if TYPE_CHECKING:
    from ocpihub.composition import Hub

__all__ = ["app"]

app = typer.Typer(
    help="Parties: (country code, party id, role) on a platform.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command("list")
def party_list(as_json: AsJson = False) -> None:
    """List every party with its status."""
    from ocpihub.store.reads.directory import party_list

    found = read(settings_or_exit(), party_list)
    if as_json:
        print_json(found)
        return
    if not found:
        typer.echo("no parties")
    for p in found:
        typer.echo(f"{p['code']:<8} {p['role']:<6} {p['status']:<10} platform {p['platform_id']}")


def _set(code: str, suspended: bool, as_json: bool) -> None:
    from ocpihub.hub.agreements import parse_party_code
    from ocpihub.hub.party_actions import party_json, suspend_party

    try:
        parse_party_code(code)
    except OcpiError as exc:
        bad_argument(exc.message)
    settings = settings_or_exit()

    async def work(hub: Hub) -> list[dict[str, Any]]:
        changed = await suspend_party(hub.db, code, suspended, notify=hub.events.parties_changed)
        return [party_json(p) for p in changed]

    changed = act(settings, work)
    if as_json:
        print_json(changed)
    else:
        typer.echo(f"{code}: {changed[0]['status']}")


@app.command("suspend")
def party_suspend(
    code: Annotated[str, typer.Argument(help="The party, CC-PID.")], as_json: AsJson = False
) -> None:
    """Suspend a party: nothing flows to or from it until it is resumed."""
    _set(code, True, as_json)


@app.command("resume")
def party_resume(
    code: Annotated[str, typer.Argument(help="The party, CC-PID.")], as_json: AsJson = False
) -> None:
    """Resume a suspended party."""
    _set(code, False, as_json)
