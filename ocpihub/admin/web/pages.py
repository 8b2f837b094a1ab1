"""Console pages (GET): Overview, Platform, Agreements, Deliveries, Traffic, Open enums.

Each page reads through the same services as the CLI and the admin API; nothing here queries
the database its own way.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from ocpihub.admin.web.console import console_of, runtime_of
from ocpihub.errors import OcpiError
from ocpihub.hub.agreements import AGREEMENT_MODULES
from ocpihub.hub.overview import partner_health
from ocpihub.hub.platforms import ROLES
from ocpihub.hub.pull_scheduler import pull_status
from ocpihub.hub.traffic_view import FILTER_FIELDS, read_traffic, to_csv, traffic_filter
from ocpihub.model.outbox import Status
from ocpihub.model.profiles import DEVIATIONS
from ocpihub.outbox.replay import list_outbox, parse_status
from ocpihub.store import agreements as agreement_store
from ocpihub.store import platforms as platform_store
from ocpihub.store.traffic_query import TrafficFilter
from ocpihub.translate.backports import BACKPORTS

__all__ = ["router"]

router = APIRouter()

TRAFFIC_ROWS = 200
CSV_ROWS = 10_000


def _signin(request: Request) -> Response:
    return console_of(request).redirect("/admin/signin")


@router.get("/admin", include_in_schema=False)
async def overview(request: Request) -> Response:
    """Every partner with its health, problems first."""
    console = console_of(request)
    session = await console.session(request)
    if session is None:
        return _signin(request)
    found = await partner_health(runtime_of(request).db)
    return console.render(
        request,
        "overview.html",
        session=session,
        partners=found,
        problems=sum(1 for h in found if h.problems),
        roles=ROLES,
    )


@router.get("/admin/platforms/{platform_id}", include_in_schema=False)
async def platform(platform_id: int, request: Request) -> Response:
    """One platform: versions, endpoints, parties, settings, agreements, recent traffic."""
    console = console_of(request)
    session = await console.session(request)
    if session is None:
        return _signin(request)
    db = runtime_of(request).db
    found = await partner_health(db, platform_id=platform_id)
    if not found:
        return console.redirect("/admin", f"no platform with id {platform_id}", error=True)
    health = found[0]
    codes = {(p.country_code, p.party_id) for p in health.parties}
    async with db.read() as conn:
        endpoints = await platform_store.list_endpoints(conn, platform_id)
        agreements = [a for a in await agreement_store.list_agreements(conn) if {a.a, a.b} & codes]
    recent = await read_traffic(db, TrafficFilter(platform_id=platform_id, limit=20))
    scheduler = runtime_of(request).pulls
    pulls = await pull_status(scheduler.puller, platform_id) if scheduler else []
    return console.render(
        request,
        "platform.html",
        pulls=[pull.json() for pull in pulls],
        session=session,
        health=health,
        p=health.platform,
        endpoints=endpoints,
        agreements=agreements,
        traffic=recent,
        defaults=runtime_of(request).settings,
        deviations=DEVIATIONS,
        backports=BACKPORTS,
    )


@router.get("/admin/agreements", include_in_schema=False)
async def agreements(request: Request) -> Response:
    """Every agreement, and the form to make one."""
    console = console_of(request)
    session = await console.session(request)
    if session is None:
        return _signin(request)
    async with runtime_of(request).db.read() as conn:
        found = await agreement_store.list_agreements(conn)
        parties = await platform_store.list_parties(conn)
    choices = sorted({(p.code, p.role, p.status.value) for p in parties})
    return console.render(
        request,
        "agreements.html",
        session=session,
        agreements=found,
        parties=choices,
        modules=AGREEMENT_MODULES,
    )


@router.get("/admin/deliveries", include_in_schema=False)
async def deliveries(request: Request) -> Response:
    """The outbox, filtered by receiver, module, status and object."""
    console = console_of(request)
    session = await console.session(request)
    if session is None:
        return _signin(request)
    db = runtime_of(request).db
    q = request.query_params
    wanted = {k: q.get(k, "").strip() for k in ("receiver", "module", "status", "object")}
    async with db.read() as conn:
        platforms = await platform_store.list_platforms(conn)
    items: list[Any] = []
    error = None
    try:
        receiver = int(wanted["receiver"]) if wanted["receiver"] else None
        items = await list_outbox(
            db,
            status=parse_status(wanted["status"] or None),
            receiver_platform_id=receiver,
            module=wanted["module"] or None,
            object_id=wanted["object"] or None,
            limit=200,
        )
    except (OcpiError, ValueError) as exc:
        error = exc.message if isinstance(exc, OcpiError) else f"receiver {wanted['receiver']!r}"
    return console.render(
        request,
        "deliveries.html",
        session=session,
        items=items,
        wanted=wanted,
        error=error,
        platforms={p.id: p.name for p in platforms},
        states=[s.value for s in Status],
        modules=AGREEMENT_MODULES,
        request_query=request.url.query,
    )


async def _traffic(request: Request, limit: int) -> tuple[dict[str, str], list[Any], str | None]:
    db = runtime_of(request).db
    q = request.query_params
    wanted = {k: q.get(k, "").strip() for k in FILTER_FIELDS}
    try:
        chosen = await traffic_filter(db, wanted, limit=limit)
    except OcpiError as exc:
        return wanted, [], exc.message
    if chosen.correlation_id:
        # following one correlation id: its hops in the order they happened
        chosen = replace(chosen, oldest_first=True)
    return wanted, await read_traffic(db, chosen), None


@router.get("/admin/traffic", include_in_schema=False)
async def traffic(request: Request) -> Response:
    """The traffic log with filters; a correlation id shows its hops in order."""
    console = console_of(request)
    session = await console.session(request)
    if session is None:
        return _signin(request)
    wanted, entries, error = await _traffic(request, TRAFFIC_ROWS)
    async with runtime_of(request).db.read() as conn:
        platforms = await platform_store.list_platforms(conn)
    query = urlencode({k: v for k, v in wanted.items() if v})
    return console.render(
        request,
        "traffic.html",
        session=session,
        entries=entries,
        wanted=wanted,
        error=error,
        platforms=[p.name for p in platforms],
        modules=AGREEMENT_MODULES,
        csv_query=query,
        limit=TRAFFIC_ROWS,
    )


@router.get("/admin/traffic.csv", include_in_schema=False)
async def traffic_csv(request: Request) -> Response:
    """The filtered traffic list as CSV (at most 10,000 entries)."""
    console = console_of(request)
    if await console.session(request) is None:
        return _signin(request)
    _, entries, error = await _traffic(request, CSV_ROWS)
    if error:
        return console.redirect("/admin/traffic", error, error=True)
    return Response(
        to_csv(entries),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="ocpihub-traffic.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/admin/traffic/{entry_id}", include_in_schema=False)
async def traffic_entry(entry_id: int, request: Request) -> Response:
    """One exchange with its bodies (kept only when the traffic_log_bodies setting is on)."""
    console = console_of(request)
    session = await console.session(request)
    if session is None:
        return _signin(request)
    runtime = runtime_of(request)
    found = await read_traffic(runtime.db, TrafficFilter(after_id=entry_id - 1, limit=1))
    if not found or found[0]["id"] != entry_id:
        return console.redirect("/admin/traffic", f"no traffic entry {entry_id}", error=True)
    return console.render(
        request,
        "traffic_entry.html",
        session=session,
        e=found[0],
        bodies_kept=runtime.settings.traffic_log_bodies,
    )


@router.get("/admin/enums", include_in_schema=False)
async def enums(request: Request) -> Response:
    """Open enums: the spec's values and the operator's."""
    console = console_of(request)
    session = await console.session(request)
    if session is None:
        return _signin(request)
    return console.render(
        request, "enums.html", session=session, enums=runtime_of(request).enums.describe()
    )
