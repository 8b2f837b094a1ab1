"""``ocpihub cdr reconcile``: did every CDR reach its eMSP? The reconciliation report
(``hub/cdr_reconciliation.py``, docs/reconciliation.md), per CPO–eMSP pair and UTC day of
receipt, with the CDRs the eMSP has not acknowledged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ocpihub.cli._common import bad_argument, print_json, run, settings_or_exit
from ocpihub.errors import OcpiError

if TYPE_CHECKING:
    from ocpihub.store.db import Database

__all__ = ["app"]

app = typer.Typer(help="CDRs through the hub.", no_args_is_help=True, rich_markup_mode=None)

_STATES = ("pending", "retrying", "dead", "refused", "not_queued")


@app.command("reconcile")
def reconcile(
    cpo: Annotated[str | None, typer.Option(help="Only this CPO (CC-PID).")] = None,
    emsp: Annotated[str | None, typer.Option(help="Only this eMSP (CC-PID).")] = None,
    first: Annotated[
        str | None,
        typer.Option(
            "--from", help="First UTC day of receipt, YYYY-MM-DD (default: 6 days before --to)."
        ),
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Last UTC day of receipt (default: today).")
    ] = None,
    limit: Annotated[int, typer.Option(help="List at most this many missing CDRs.")] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """CDRs received from each CPO vs acknowledged by each eMSP, per day; the missing ones."""
    from datetime import timedelta

    from ocpihub.hub.cdr_reconciliation import reconcile_cdrs, report_filter

    try:
        wanted = report_filter({"cpo": cpo, "emsp": emsp, "from": first, "to": last}, limit=limit)
    except OcpiError as exc:
        bad_argument(exc.message)
    settings = settings_or_exit()
    retention = timedelta(hours=settings.outbox_done_retention_hours)

    async def work(db: Database) -> dict[str, Any]:
        return (await reconcile_cdrs(db, wanted, done_retention=retention)).as_json()

    report = run(settings, work)
    if as_json:
        print_json(report)
    else:
        _print(report)


def _print(report: dict[str, Any]) -> None:
    f = report["filter"]
    typer.echo(f"CDRs received {f['from']} .. {f['to']} (UTC days of receipt)")
    if not report["days"]:
        typer.echo("no CDRs")
        return
    head = " ".join(f"{s.upper():>10}" for s in _STATES)
    typer.echo(f"{'DAY':<10}  {'CPO':<6}  {'EMSP':<6}  RECEIVED DELIVERED  MISSING {head}")
    for d in [*report["days"], {**report["totals"], "day": "total", "cpo": "", "emsp": ""}]:
        states = " ".join(f"{d[s]:>10}" for s in _STATES)
        emsp = "?" if d["emsp"] is None else d["emsp"]
        typer.echo(
            f"{d['day']:<10}  {d['cpo']:<6}  {emsp:<6}  {d['received']:>8} "
            f"{d['delivered']:>9} {d['missing']:>8} {states}"
        )
    missing = report["missing"]
    if not missing:
        typer.echo("every CDR was acknowledged by its eMSP")
        return
    more = f" (listing the first {len(missing)})" if report["missing_truncated"] else ""
    typer.echo(f"\nmissing CDRs: {report['missing_total']}{more}")
    for m in missing:
        item = f"outbox {m['outbox_id']} attempts {m['attempts']}" if m["outbox_id"] else "-"
        typer.echo(
            f"{m['day']}  {m['cpo']}>{m['emsp'] or '?'}  {m['cdr_id']}  {m['state']}  {item}"
            + (f"  {m['last_error']}" if m["last_error"] else "")
        )
