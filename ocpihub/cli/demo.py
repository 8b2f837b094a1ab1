"""``ocpihub demo``: the hub with simulated partners that keep trading (``ocpihub.testing``),
or (``--partner``) one simulated counterpart registered with a partner's own platform."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from ocpihub.settings import Settings

__all__ = ["demo"]


def _echo(line: str) -> None:
    typer.echo(line)


def _demo_settings(host: str | None, port: int | None, folder: Path) -> Settings:
    """The usual settings, with a fresh SQLite file, a public URL on the demo's port and an
    admin token when they were not given."""
    from ocpihub.cli._common import settings_or_exit

    settings = settings_or_exit(host=host, port=port)
    overrides: dict[str, Any] = {"host": settings.host, "port": settings.port}
    if "OCPIHUB_DATABASE_URL" not in os.environ and not os.environ.get("OCPIHUB_CONFIG"):
        overrides["database_url"] = f"sqlite+aiosqlite:///{folder / 'demo.db'}"
    if "OCPIHUB_PUBLIC_URL" not in os.environ and not os.environ.get("OCPIHUB_CONFIG"):
        overrides["public_url"] = f"http://{settings.host}:{settings.port}"
    if not settings.admin_token:
        import secrets

        overrides["admin_token"] = secrets.token_urlsafe(24)
    return settings_or_exit(**overrides)


def demo(
    host: Annotated[str | None, typer.Option(help="Address the hub listens on.")] = None,
    port: Annotated[
        int | None, typer.Option(min=0, max=65535, help="Port the hub listens on.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same sequence of actions.")] = 0,
    rate: Annotated[
        float, typer.Option(min=0.01, help="Actions per second, all partners together.")
    ] = 2.0,
    partner: Annotated[
        str | None,
        typer.Option(help="A partner platform's versions URL: simulate its counterpart there."),
    ] = None,
    token: Annotated[
        str | None, typer.Option(help="The token A the partner platform issued (--partner).")
    ] = None,
    with_ptp: Annotated[
        bool, typer.Option("--with-ptp", help="Add a simulated Payment Terminal Provider.")
    ] = False,
    play: Annotated[
        str | None,
        typer.Option(
            "--as", help="With --partner: play cpo or emsp (default: what the partner is not)."
        ),
    ] = None,
) -> None:
    """The hub with simulated partners that keep trading, until Ctrl-C."""
    if partner is not None:
        code = _play_counterpart(partner, token, play, host=host, port=port, seed=seed, rate=rate)
    else:
        code = _run_with_cast(host, port, seed=seed, rate=rate, with_ptp=with_ptp)
    raise typer.Exit(code)


def _play_counterpart(
    partner: str,
    token: str | None,
    play: str | None,
    *,
    host: str | None,
    port: int | None,
    seed: int,
    rate: float,
) -> int:
    """``--partner``: one simulated counterpart registered with the partner's platform; the
    exit code (2 for a missing token or a role that is neither cpo nor emsp)."""
    import asyncio

    if not token:
        typer.echo("error: --partner needs --token TOKEN_A", err=True)
        return 2
    if play is not None and play.lower() not in ("cpo", "emsp"):
        typer.echo(f"error: --as {play!r}: cpo or emsp", err=True)
        return 2
    from ocpihub.testing.partner import run_against_partner

    return asyncio.run(
        run_against_partner(
            partner,
            token,
            play=play,
            host=host or "127.0.0.1",
            port=port,
            seed=seed,
            rate=rate,
            echo=_echo,
        )
    )


def _run_with_cast(
    host: str | None, port: int | None, *, seed: int, rate: float, with_ptp: bool
) -> int:
    """The hub on a fresh SQLite file (unless one was configured) with the simulated cast;
    the exit code."""
    import asyncio
    import tempfile

    with tempfile.TemporaryDirectory(prefix="ocpihub-demo-") as folder:
        settings = _demo_settings(host, port, Path(folder))
        from ocpihub.cli.serve_checks import hold_sqlite_or_exit
        from ocpihub.log import configure_logging

        hold_sqlite_or_exit(settings)  # a file `ocpihub serve` runs on is refused

        configure_logging(settings.log_format, "warning")
        code = asyncio.run(_run_hub_demo(settings, seed=seed, rate=rate, with_ptp=with_ptp))
        _echo("ocpihub demo: stopped")
    return code


async def _run_hub_demo(settings: Settings, *, seed: int, rate: float, with_ptp: bool) -> int:
    from ocpihub.app import create_app
    from ocpihub.errors import OcpiError
    from ocpihub.testing.sandbox import Registration, Sandbox, hub_services
    from ocpihub.testing.serving import serve_app, stop_on_signals

    stop = stop_on_signals()
    hub = create_app(settings)
    sandbox = Sandbox.standard(seed=seed, with_ptp=with_ptp, log=_echo)
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(serve_app(hub, settings.host, settings.port))
        await sandbox.serve(stack, "127.0.0.1")
        try:
            await sandbox.join_hub(*hub_services(hub.state.runtime, settings.public_url))
        except Registration as exc:
            _echo(f"error: {exc}")
            return 1
        except OcpiError as exc:  # e.g. a database that already has the demo's platforms
            _echo(f"error: {exc.message} (run the demo on a fresh database: see docs/demo.md)")
            return 1
        _print_summary(settings)
        await sandbox.run(stop, rate=rate)
    return 0


def _print_summary(settings: Settings) -> None:
    url = settings.public_url
    _echo(f"ocpihub demo: hub at {url} (OCPI versions: {url}/ocpi/versions)")
    _echo(f"ocpihub demo: database {settings.database_url}")
    _echo(f"ocpihub demo: admin API {url}/admin/api, console {url}/admin")
    _echo(f"ocpihub demo: admin token {settings.admin_token}")
    _echo(
        "ocpihub demo: partners registered and agreed; in another terminal, with "
        f"OCPIHUB_DATABASE_URL={settings.database_url}: ocpihub platform list, "
        "ocpihub outbox list. Ctrl-C stops the demo."
    )
