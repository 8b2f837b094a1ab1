"""``ocpihub pull run|status PLATFORM [MODULE]``: scheduled pulls of a partner's Sender lists.

``run`` pulls in this command (not in the server): it takes the pull's lease like a hub process
does, so it never runs beside the same pull elsewhere; its GETs go to the traffic log like the
server's. Progress goes to stderr: a progress bar on a terminal, plain lines otherwise.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ocpihub.cli._common import act, print_json, read, settings_or_exit

if TYPE_CHECKING:
    from ocpihub.composition import Hub
    from ocpihub.hub.pulls import Puller
    from ocpihub.store.pulls import PullProgress
    from ocpihub.store.reads import Listing

__all__ = ["app"]

app = typer.Typer(
    help="Scheduled pulls of partners' Sender interfaces.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

Platform = Annotated[str, typer.Argument(help="Platform name (or id).")]
Module = Annotated[
    str | None,
    typer.Argument(help="locations, tariffs or tokens (default: every module it publishes)."),
]


async def _modules(puller: Puller, platform_id: int, module: str | None) -> list[str]:
    from ocpihub.errors import NotFound
    from ocpihub.hub.pulls import pullable_modules

    modules = await pullable_modules(puller.directory, platform_id)
    if module is None:
        if not modules:
            raise NotFound("this platform publishes no Sender interface the hub pulls")
        return modules
    return [module]


class _Report:
    """Progress of one pull on stderr: a bar on a terminal, a line per page otherwise."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.terminal = sys.stderr.isatty()
        self.bar: Any = None
        self.shown = 0

    def __call__(self, progress: PullProgress) -> None:
        if not self.terminal:
            total = f" of {progress.total}" if progress.total is not None else ""
            typer.echo(
                f"{self.module}: page {progress.pages}, {progress.objects}{total} objects, "
                f"{progress.stored} stored, {progress.errors} errors",
                err=True,
            )
            return
        if self.bar is None:
            self.bar = typer.progressbar(
                length=progress.total or progress.objects or 1,
                label=self.module,
                file=sys.stderr,
                show_pos=True,
            )
            self.bar.__enter__()
        self.bar.update(progress.objects - self.shown)
        self.shown = progress.objects

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _summary(row: dict[str, Any]) -> str:
    return (
        f"{row['module']}: {row['status']} ({row['kind']}), {row['pages']} pages, "
        f"{row['objects']} objects, {row['stored']} stored, {row['removed']} removed, "
        f"{row['errors']} errors"
    )


@app.command("run")
def pull_run(
    platform: Platform,
    module: Module = None,
    full: Annotated[
        bool, typer.Option("--full", help="A full pull (removes what the partner no longer lists).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Pull a platform's Sender lists now (a delta, or --full), one module after the other."""
    settings = settings_or_exit()

    async def work(hub: Hub) -> list[dict[str, Any]]:
        from ocpihub.hub.overview import find_platform
        from ocpihub.hub.pull_scheduler import pull_status

        found = await find_platform(hub.db, platform)
        puller = hub.puller
        results = []
        for name in await _modules(puller, found.id, module):
            begun = await puller.begin(found.id, name, full=full)
            report = _Report(name)
            try:
                await puller.run(begun, report)
            finally:
                report.close()
            (status,) = await pull_status(puller, found.id, name)
            results.append(status.json())
        return results

    results = act(settings, work)
    if as_json:
        print_json(results)
    else:
        for row in results:
            typer.echo(_summary(row))
            for message in row["messages"]:
                typer.echo(f"  {message}")
    if any(r["status"] != "OK" for r in results):
        raise typer.Exit(1)


@app.command("status")
def pull_status_command(
    platform: Platform,
    module: Module = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the current or last pull of each module, and when the next ones are due."""
    from datetime import UTC, datetime

    from ocpihub.hub.pull_plan import PullConfig, pull_statuses
    from ocpihub.store.reads.directory import find_platform

    settings = settings_or_exit()
    config = PullConfig.from_settings(settings)

    def listing() -> Listing[list[dict[str, Any]]]:
        found = yield from find_platform(platform)
        now = datetime.now(UTC)
        return [s.json() for s in (yield from pull_statuses(found.id, module, config, now))]

    results = read(settings, listing)
    if as_json:
        print_json(results)
        return
    if not results:
        typer.echo("this platform publishes no Sender interface the hub pulls")
        return
    for row in results:
        if row["status"] is None:
            typer.echo(f"{row['module']}: never pulled")
        else:
            state = "RUNNING" if row["running"] else row["status"]
            typer.echo(_summary(row | {"status": state}))
            typer.echo(f"  started {row['started_at']}, finished {row['finished_at'] or '-'}")
        typer.echo(
            f"  next delta {row['next_delta'] or 'off'}, next full {row['next_full'] or 'off'}"
        )
        for message in row["messages"]:
            typer.echo(f"  {message}")
