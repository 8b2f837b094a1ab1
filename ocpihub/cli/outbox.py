"""``ocpihub outbox …``: deliveries owed to partners: list them, retry DEAD (or any) ones.

The CLI writes to the database directly; running hub processes pick re-queued items up at once
on PostgreSQL (NOTIFY) and within ``outbox_poll_interval`` on SQLite.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ocpihub.cli._common import bad_argument, print_json, read, run, settings_or_exit
from ocpihub.errors import OcpiError

if TYPE_CHECKING:
    from ocpihub.model.outbox import Status
    from ocpihub.store.db import Database

__all__ = ["app"]

app = typer.Typer(
    help="Deliveries owed to partners (the outbox).", no_args_is_help=True, rich_markup_mode=None
)


@app.command("list")
def outbox_list(
    status: Annotated[
        str | None,
        typer.Option(
            "--status", help="Only items in this state: PENDING, IN_FLIGHT, RETRY, DONE, DEAD."
        ),
    ] = None,
    platform: Annotated[
        int | None, typer.Option("--platform", help="Only items for this receiver platform id.")
    ] = None,
    module: Annotated[str | None, typer.Option(help="Only items of this OCPI module.")] = None,
    object_id: Annotated[
        str | None, typer.Option("--object", help="Only items of this object (its id).")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many items.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List outbox items in queue order."""
    from ocpihub.store.reads.outbox import outbox_list

    wanted = _status_or_exit(status)
    settings = settings_or_exit()
    filters = {"receiver_platform_id": platform, "module": module, "object_id": object_id}
    found = read(settings, lambda: outbox_list(status=wanted, limit=limit, **filters))
    if as_json:
        print_json(found)
        return
    if not found:
        typer.echo("no outbox items")
        return
    typer.echo(
        f"{'ID':>6}  {'STATUS':<9} {'TO':<6} {'METHOD':<6} {'TRIES':>5}  {'NEXT ATTEMPT':<19}  "
        "URL / LAST ERROR"
    )
    for i in found:
        typer.echo(_line(i))


def _status_or_exit(status: str | None) -> Status | None:
    """The ``--status`` value, or exit 2 with the admin API's message naming the valid ones."""
    from ocpihub.model.outbox import Status

    if not status:
        return None
    try:
        return Status(status.upper())
    except ValueError:
        from ocpihub.outbox.replay import parse_status  # only now: it loads the store

        try:
            return parse_status(status)
        except OcpiError as exc:
            bad_argument(exc.message)


def _line(i: dict[str, Any]) -> str:
    """One item of the table: when it is next tried (open items), and a capped Retry-After."""
    waiting = i["status"] in ("PENDING", "RETRY")
    due = i["next_attempt_at"][:19].replace("T", " ") if waiting else "-"
    line = f"{i['id']:>6}  {i['status']:<9} {i['receiver_party']:<6} {i['method']:<6} "
    line += f"{i['attempts']:>5}  {due:<19}  {i['target_url'] or i['module'] + i['url_suffix']}"
    if i["last_error"]:
        line += f"  ({i['last_error']})"
    if waiting and i["retry_after_capped"] is not None:
        line += f"  [Retry-After {i['retry_after_capped']:.0f} s capped]"
    return line


@app.command("retry")
def outbox_retry(
    item_id: Annotated[int | None, typer.Argument(help="The item to queue again.")] = None,
    all_dead: Annotated[
        bool, typer.Option("--all-dead", help="Queue every DEAD item again.")
    ] = False,
    platform: Annotated[
        int | None,
        typer.Option("--platform", help="With --all-dead: only this receiver platform id's."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Queue an item again (due now, fresh attempt budget), or every DEAD one."""
    from ocpihub.outbox.replay import retry_all_dead, retry_item

    if (item_id is None) == (not all_dead):
        bad_argument("give either an item ID or --all-dead")
    settings = settings_or_exit()

    async def work(db: Database) -> list[int]:
        if all_dead:
            return await retry_all_dead(db, platform)
        assert item_id is not None
        return [(await retry_item(db, item_id)).id]

    ids = run(settings, work)
    if as_json:
        print_json({"retried": ids})
        return
    typer.echo(f"queued again: {', '.join(map(str, ids)) if ids else 'nothing'}")
