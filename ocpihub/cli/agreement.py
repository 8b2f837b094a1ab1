"""``ocpihub agreement …``: roaming agreements between parties.

A change made here has the effects the same change has through the admin API: the commands
call the same actions over the hub the server builds too (:func:`~ocpihub.cli._common.act`) —
HubClientInfo pushes (queued for the running hub to deliver) and, to 2.3.0 partners, the
credentials update listing their reachable parties (sent by this command).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ocpihub.cli._common import act, bad_argument, print_json, read, run, settings_or_exit
from ocpihub.errors import OcpiError
from ocpihub.model.agreements import AgreementStatus

if TYPE_CHECKING:
    from ocpihub.composition import Hub
    from ocpihub.store.db import Database

__all__ = ["app"]

app = typer.Typer(
    help="Roaming agreements: who may exchange what.", no_args_is_help=True, rich_markup_mode=None
)

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _show(agreement: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(agreement)
        return
    modules = ",".join(agreement["modules"]) if agreement["modules"] else "all modules"
    typer.echo(
        f"agreement {agreement['id']}: {' <-> '.join(agreement['parties'])} "
        f"({modules}) {agreement['status']}"
    )


@app.command("add")
def agreement_add(
    party_a: Annotated[str, typer.Argument(help="One party, CC-PID.")],
    party_b: Annotated[str, typer.Argument(help="The other party, CC-PID.")],
    module: Annotated[
        list[str] | None,
        typer.Option("--module", help="Limit to this module (repeatable); default all."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Agree that two parties may exchange data."""
    from ocpihub.hub.agreement_actions import add_agreement, agreement_json
    from ocpihub.hub.agreements import parse_modules, parse_party_code

    try:
        parse_party_code(party_a), parse_party_code(party_b), parse_modules(module)
    except OcpiError as exc:
        bad_argument(exc.message)
    settings = settings_or_exit()

    async def work(hub: Hub) -> dict[str, Any]:
        notify = hub.events.agreement_changed
        made = await add_agreement(hub.db, party_a, party_b, module, notify=notify)
        return agreement_json(made)

    _show(act(settings, work), as_json)


def _status_command(status: AgreementStatus) -> Any:
    def command(
        agreement_id: Annotated[int, typer.Argument(help="Agreement id.")],
        as_json: AsJson = False,
    ) -> None:
        from ocpihub.hub.agreement_actions import agreement_json, set_status

        settings = settings_or_exit()

        async def work(hub: Hub) -> dict[str, Any]:
            notify = hub.events.agreement_changed
            changed = await set_status(hub.db, agreement_id, status, notify=notify)
            return agreement_json(changed)

        _show(act(settings, work), as_json)

    return command


app.command("suspend", help="Suspend an agreement: nothing flows until it is resumed.")(
    _status_command(AgreementStatus.SUSPENDED)
)
app.command("resume", help="Resume a suspended agreement.")(_status_command(AgreementStatus.ACTIVE))


@app.command("remove")
def agreement_remove(
    agreement_id: Annotated[int, typer.Argument(help="Agreement id.")],
    as_json: AsJson = False,
) -> None:
    """End an agreement."""
    from ocpihub.hub.agreement_actions import agreement_json, remove_agreement

    settings = settings_or_exit()

    async def work(hub: Hub) -> dict[str, Any]:
        notify = hub.events.agreement_changed
        return agreement_json(await remove_agreement(hub.db, agreement_id, notify=notify))

    removed = act(settings, work)
    if as_json:
        print_json(removed)
    else:
        typer.echo(f"agreement {removed['id']} removed")


@app.command("list")
def agreement_list(as_json: AsJson = False) -> None:
    """List every agreement."""
    from ocpihub.store.reads.directory import agreement_list

    found = read(settings_or_exit(), agreement_list)
    if as_json:
        print_json(found)
        return
    if not found:
        typer.echo("no agreements")
    for agreement in found:
        _show(agreement, False)


@app.command("authorize")
def agreement_authorize(
    agreement_id: Annotated[int, typer.Argument(help="Agreement id.")],
    timeout: Annotated[
        str | None,
        typer.Option(
            help="Seconds the hub waits for the eMSP's real-time authorization answer "
            "('default': the request timeout, or the eMSP's profile timeout)."
        ),
    ] = None,
    on_timeout: Annotated[
        str | None,
        typer.Option(help="What the hub answers the CPO when that passes: refuse or allow."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Show or set the real-time authorization policy of an agreement (docs/partners.md)."""
    from ocpihub.hub.agreement_actions import agreement_json, set_authorize_policy

    changes: dict[str, Any] = {}
    if timeout is not None:
        try:
            changes["authorize_timeout_seconds"] = None if timeout == "default" else float(timeout)
        except ValueError:
            bad_argument(f"--timeout: {timeout!r} is not a number of seconds (or 'default')")
    if on_timeout is not None:
        changes["authorize_on_timeout"] = on_timeout
    settings = settings_or_exit()

    async def work(db: Database) -> dict[str, Any]:
        try:
            changed = await set_authorize_policy(db, agreement_id, changes)
        except OcpiError as exc:
            if exc.status_code == 2001:
                bad_argument(exc.message)
            raise
        return agreement_json(changed)

    shown = run(settings, work)
    if as_json:
        print_json(shown)
        return
    waited = shown["authorize_timeout_seconds"]
    typer.echo(
        f"agreement {shown['id']}: real-time authorization waits "
        f"{f'{waited:g}s' if waited is not None else 'the default'}, then "
        f"{shown['authorize_on_timeout']}"
    )
