"""Console pages of reports: CDR reconciliation (``/admin/reports/cdrs``) and its CSV export.

Same service as ``ocpihub cdr reconcile`` and ``GET /admin/api/reports/cdrs``
(``hub/cdr_reconciliation.py``): the page only renders what it answers.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from ocpihub.admin.web.console import console_of, runtime_of
from ocpihub.errors import OcpiError
from ocpihub.hub.cdr_reconciliation import (
    FILTER_FIELDS,
    CdrReport,
    reconcile_cdrs,
    report_filter,
    to_csv,
)
from ocpihub.store import platforms as platform_store

__all__ = ["router"]

router = APIRouter()

PAGE_ROWS = 500
CSV_ROWS = 10_000


async def _report(
    request: Request, limit: int
) -> tuple[dict[str, str], CdrReport | None, str | None]:
    runtime = runtime_of(request)
    wanted = {k: request.query_params.get(k, "").strip() for k in FILTER_FIELDS}
    try:
        chosen = report_filter(wanted, limit=limit)
    except OcpiError as exc:
        return wanted, None, exc.message
    retention = timedelta(hours=runtime.settings.outbox_done_retention_hours)
    return wanted, await reconcile_cdrs(runtime.db, chosen, done_retention=retention), None


@router.get("/admin/reports/cdrs", include_in_schema=False)
async def cdr_reconciliation(request: Request) -> Response:
    """CDRs received vs acknowledged per CPO–eMSP pair and day, and the missing ones."""
    console = console_of(request)
    session = await console.session(request)
    if session is None:
        return console.redirect("/admin/signin")
    wanted, report, error = await _report(request, PAGE_ROWS)
    async with runtime_of(request).db.read() as conn:
        parties = await platform_store.list_parties(conn)
    return console.render(
        request,
        "cdr_reconciliation.html",
        session=session,
        wanted=wanted,
        report=report,
        error=error,
        cpos=sorted({p.code for p in parties if p.role == "CPO"}),
        emsps=sorted({p.code for p in parties if p.role == "EMSP"}),
        csv_query=urlencode({k: v for k, v in wanted.items() if v}),
        limit=PAGE_ROWS,
    )


@router.get("/admin/reports/cdrs.csv", include_in_schema=False)
async def cdr_reconciliation_csv(request: Request) -> Response:
    """The report as CSV: the missing CDRs (up to 10,000), or ``rows=days``: the counts."""
    console = console_of(request)
    if await console.session(request) is None:
        return console.redirect("/admin/signin")
    _, report, error = await _report(request, CSV_ROWS)
    rows = request.query_params.get("rows", "missing")
    if report is None or rows not in ("missing", "days"):
        return console.redirect("/admin/reports/cdrs", error or f"rows {rows!r}", error=True)
    return Response(
        to_csv(report, rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="ocpihub-cdrs-{rows}.csv"',
            "Cache-Control": "no-store",
        },
    )
