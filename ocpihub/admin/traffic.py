"""Admin API: the traffic log with the operator's filters (JSON, or CSV with ``format=csv``)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, Response

from ocpihub.hub.traffic_view import MAX_LIMIT, read_traffic, to_csv, traffic_filter
from ocpihub.inbound.auth import runtime_of

__all__ = ["router"]

router = APIRouter()


@router.get("/traffic")
async def list_entries(
    request: Request,
    platform: Annotated[str | None, Query(description="platform name or id")] = None,
    party: Annotated[str | None, Query(description="CC-PID at either end")] = None,
    module: Annotated[str | None, Query(description="OCPI module, e.g. locations")] = None,
    direction: Annotated[str | None, Query(description="IN or OUT")] = None,
    status: Annotated[str | None, Query(description="HTTP status")] = None,
    ocpi_status: Annotated[str | None, Query(description="OCPI status code")] = None,
    request_id: Annotated[str | None, Query()] = None,
    correlation_id: Annotated[str | None, Query()] = None,
    since: Annotated[str | None, Query(description="ISO 8601 time; entries at or after")] = None,
    until: Annotated[str | None, Query(description="ISO 8601 time; entries before")] = None,
    after_id: Annotated[int | None, Query(description="only newer entries, oldest first")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Response:
    """Traffic-log entries matching every filter given, newest first."""
    db = runtime_of(request).db
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
    wanted = await traffic_filter(db, values, limit=limit)
    if after_id is not None:
        wanted = wanted.newer_than(after_id)
    found = await read_traffic(db, wanted)
    if format == "csv":
        return Response(
            to_csv(found),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="traffic.csv"'},
        )
    return JSONResponse(found)
