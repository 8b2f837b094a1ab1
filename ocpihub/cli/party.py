"""``ocpihub party …``: parties hosted by the connected platforms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ocpihub.cli._common import bad_argument, print_json, read, run, settings_or_exit
from ocpihub.errors import OcpiError

if TYPE_CHECKING:
    from ocpihub.store.db import Database

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
    from ocpihub.wiring import cli_events

    try:
        parse_party_code(code)
    except OcpiError as exc:
        bad_argument(exc.message)
    settings = settings_or_exit()

    async def work(db: Database) -> list[dict[str, Any]]:
        async with cli_events(db, settings) as events:
            changed = await suspend_party(db, code, suspended, notify=events.parties_changed)
        return [party_json(p) for p in changed]

    changed = run(settings, work)
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
