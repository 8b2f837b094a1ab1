"""``ocpihub traffic``: the traffic log, filtered like the console's Traffic page; ``--follow``.

Without ``--follow``: the newest matching entries (``--limit``), printed oldest first. With
it: those, then every new matching entry as it is written, until interrupted (Ctrl-C). With
``--json``: a JSON array, or with ``--follow`` one JSON object per line.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ocpihub.cli._common import print_json, read, run, settings_or_exit

if TYPE_CHECKING:
    from ocpihub.settings import Settings
    from ocpihub.store.db import Database
    from ocpihub.store.reads import Listing
    from ocpihub.store.reads.traffic import TrafficFilter

__all__ = ["traffic"]


def _text(entry: dict[str, Any]) -> str:
    parties = f"{entry['from_party'] or '-'}>{entry['to_party'] or '-'}"
    status = f"{entry['http_status'] or '-'}/{entry['ocpi_status'] or '-'}"
    line = (
        f"{entry['at'][:23]:<23} {entry['id']:>7} {entry['direction']:<3} "
        f"{(entry['platform'] or '-')[:16]:<16} {parties:<13} {entry['method']:<6} "
        f"{status:<8} {entry['duration_ms']:>8.1f}ms {entry['url']}"
    )
    extra = [f"corr={entry['correlation_id']}"] if entry["correlation_id"] else []
    if entry["error"]:
        extra.append(f"error={entry['error']}")
    return line + ("  " + " ".join(extra) if extra else "")


def _emit(entries: list[dict[str, Any]], as_json: bool) -> None:
    for entry in entries:
        typer.echo(json.dumps(entry, default=str) if as_json else _text(entry))


def traffic(
    platform: Annotated[str | None, typer.Option(help="Platform name or id.")] = None,
    party: Annotated[str | None, typer.Option(help="Party CC-PID at either end.")] = None,
    module: Annotated[str | None, typer.Option(help="OCPI module, e.g. locations.")] = None,
    direction: Annotated[str | None, typer.Option(help="IN or OUT.")] = None,
    status: Annotated[str | None, typer.Option(help="HTTP status.")] = None,
    ocpi_status: Annotated[str | None, typer.Option(help="OCPI status code.")] = None,
    request_id: Annotated[str | None, typer.Option(help="X-Request-ID.")] = None,
    correlation_id: Annotated[str | None, typer.Option(help="X-Correlation-ID.")] = None,
    since: Annotated[str | None, typer.Option(help="ISO 8601 time: entries at or after.")] = None,
    until: Annotated[str | None, typer.Option(help="ISO 8601 time: entries before.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (newest) entries.")] = 100,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new entries until Ctrl-C.")
    ] = False,
    interval: Annotated[float, typer.Option(help="With --follow: seconds between looks.")] = 1.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the traffic log (every OCPI exchange in and out), filtered."""
    settings = settings_or_exit()
    values = {
        "platform": platform,
        "party": party,
        "module": module,
        "direction": direction,
        "status": status,
        "ocpi_status": ocpi_status,
        "request_id": request_id,
        "correlation_id": correlation_id,
        "since": since,
        "until": until,
    }

    if follow:
        _follow(settings, values, limit, interval, as_json)
        return
    _, found = read(settings, lambda: _newest(values, limit))
    if as_json:
        print_json(found)
    elif not found:
        typer.echo("no traffic entries", err=True)
    else:
        _emit(found, False)


def _newest(
    values: dict[str, str | None], limit: int
) -> Listing[tuple[TrafficFilter, list[dict[str, Any]]]]:
    """The filter, and the newest ``limit`` entries it matches, oldest first."""
    from ocpihub.hub.traffic_view import filter_listing
    from ocpihub.store.reads.traffic import traffic_with_names

    wanted = yield from filter_listing(values, limit=limit)
    return wanted, list(reversed((yield from traffic_with_names(wanted))))


def _follow(
    settings: Settings, values: dict[str, str | None], limit: int, interval: float, as_json: bool
) -> None:
    """Print the newest entries, then every new one, until Ctrl-C (exit 0)."""
    import asyncio

    from ocpihub.hub.traffic_view import read_traffic
    from ocpihub.store.traffic_query import newest_traffic_id

    async def work(db: Database) -> None:
        wanted, found = await db.read_listing(_newest(values, limit))
        _emit(found, as_json)
        last = found[-1]["id"] if found else await newest_traffic_id(db)
        while True:
            await asyncio.sleep(interval)
            new = await read_traffic(db, wanted.newer_than(last))
            _emit(new, as_json)
            if new:
                last = new[-1]["id"]

    try:
        run(settings, work)
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
