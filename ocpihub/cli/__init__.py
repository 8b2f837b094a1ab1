"""The ``ocpihub`` command: serve, migrate, and the operator's tools.

Operator actions run over the hub the server builds too (``composition.build_hub``, through
``_common.act``) and call the same hub functions as the admin API; commands that only touch the
database use ``_common.run``, listings ``_common.read``. Every listing command takes ``--json``.
Command groups live in one module each (``platform.py``, ...) and are added here. Every module
of this package imports what a command needs inside the command, so that ``--help`` and the
listing commands start at once (``_common.py``).
"""

from __future__ import annotations

import gc
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from ocpihub import __version__
from ocpihub.cli import agreement, cdr, enums, party, platform
from ocpihub.cli import outbox as outbox_cli
from ocpihub.cli import platform_profile as _platform_profile  # noqa: F401 - registers the command
from ocpihub.cli import pull as pull_cli
from ocpihub.cli import traffic as traffic_cli
from ocpihub.cli._common import run, settings_or_exit
from ocpihub.cli.demo import demo

if TYPE_CHECKING:
    from ocpihub.store.db import Database

__all__ = ["app", "main"]

app = typer.Typer(
    name="ocpihub",
    help="ocpihub: an open-source OCPI roaming hub.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: Rich alone costs more than the 0.5 s budget
)
app.add_typer(platform.app, name="platform")
app.add_typer(enums.app, name="enum")
app.add_typer(agreement.app, name="agreement")
app.add_typer(party.app, name="party")
app.add_typer(outbox_cli.app, name="outbox")
app.add_typer(cdr.app, name="cdr")
app.add_typer(pull_cli.app, name="pull")
app.command("traffic")(traffic_cli.traffic)
app.command("demo")(demo)  # the simulators load only when the command runs


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ocpihub {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """ocpihub: an open-source OCPI roaming hub."""


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(min=0, max=65535, help="Port to listen on.")] = None,
    workers: Annotated[
        int,
        typer.Option(min=1, help="Hub processes sharing the port (more than 1: PostgreSQL only)."),
    ] = 1,
) -> None:
    """Run the hub: migrate the database, then serve OCPI and the admin API."""
    import uvicorn

    from ocpihub.app import create_app
    from ocpihub.cli.serve_checks import ready_to_serve
    from ocpihub.hub.admin_token import ensure_admin_token

    settings = settings_or_exit(host=host, port=port)
    ready_to_serve(settings, workers)

    async def prepare(db: Database) -> str | None:
        _, new_token = await ensure_admin_token(db, settings.admin_token)
        return new_token

    new_admin_token = run(settings, prepare, create=True)
    typer.echo(f"ocpihub: OCPI versions URL {settings.public_url}/ocpi/versions")
    typer.echo(f"ocpihub: admin API {settings.public_url}/admin/api")
    if new_admin_token:
        typer.echo(
            "ocpihub: admin token (shown only this once; set OCPIHUB_ADMIN_TOKEN to choose "
            f"your own): {new_admin_token}"
        )
    sys.stdout.flush()
    if workers > 1:
        from ocpihub.cli.workers import serve_workers

        serve_workers(settings, workers)
        return
    hub = create_app(settings)
    # modules, models and routes live as long as the process: keep full collections from
    # walking them again and again (pauses of tens of milliseconds under load otherwise)
    gc.collect()
    gc.freeze()
    uvicorn.run(
        hub,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        timeout_graceful_shutdown=10,
    )


@app.command("migrate")
def migrate_command() -> None:
    """Create or upgrade the database schema (creates a new SQLite file when there is none)."""
    settings = settings_or_exit()

    async def nothing(db: Database) -> None:
        return None

    run(settings, nothing, create=True)
    typer.echo("ocpihub: database is up to date")


def main() -> None:
    """Entry point of the ``ocpihub`` script."""
    app()
