"""Admin API: reports. ``GET /reports/cdrs``: the CDR reconciliation report
(``hub/cdr_reconciliation.py``), JSON, or CSV with ``format=csv``."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, Response

from ocpihub.hub.cdr_reconciliation import MAX_LIMIT, reconcile_cdrs, report_filter, to_csv
from ocpihub.inbound.auth import runtime_of

__all__ = ["router"]

router = APIRouter()


@router.get("/reports/cdrs")
async def cdr_report(
    request: Request,
    cpo: Annotated[str | None, Query(description="the CPO, CC-PID")] = None,
    emsp: Annotated[str | None, Query(description="the eMSP, CC-PID")] = None,
    first: Annotated[
        str | None, Query(alias="from", description="first UTC day of receipt, YYYY-MM-DD")
    ] = None,
    last: Annotated[
        str | None, Query(alias="to", description="last UTC day of receipt, YYYY-MM-DD")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="missing CDRs listed")] = 1000,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
    rows: Annotated[Literal["missing", "days"], Query(description="what the CSV lists")] = (
        "missing"
    ),
) -> Response:
    """Per CPO–eMSP pair and day: CDRs received, acknowledged, and the missing ones."""
    runtime = runtime_of(request)
    wanted = report_filter({"cpo": cpo, "emsp": emsp, "from": first, "to": last}, limit=limit)
    retention = timedelta(hours=runtime.settings.outbox_done_retention_hours)
    report = await reconcile_cdrs(runtime.db, wanted, done_retention=retention)
    if format == "csv":
        return Response(
            to_csv(report, rows),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="cdr-reconciliation-{rows}.csv"'
            },
        )
    return JSONResponse(report.as_json())
