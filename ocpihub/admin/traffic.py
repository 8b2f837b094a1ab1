"""Admin API: the traffic log, newest first, with filters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, Response

from ocpihub.inbound.auth import runtime_of
from ocpihub.store.traffic import list_traffic

__all__ = ["router"]

router = APIRouter()


@router.get("/traffic")
async def list_entries(
    request: Request,
    platform: Annotated[int | None, Query(description="platform id")] = None,
    module: Annotated[str | None, Query(description="OCPI module, e.g. locations")] = None,
    direction: Annotated[Literal["IN", "OUT", "in", "out"] | None, Query()] = None,
    status: Annotated[int | None, Query(description="HTTP status")] = None,
    ocpi_status: Annotated[int | None, Query(description="OCPI status code")] = None,
    correlation_id: Annotated[str | None, Query()] = None,
    since: Annotated[
        datetime | None, Query(description="ISO 8601 time; entries at or after")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Traffic-log entries matching every filter given."""
    async with runtime_of(request).db.read() as conn:
        found = await list_traffic(
            conn,
            platform_id=platform,
            module=module,
            direction=direction,
            http_status=status,
            ocpi_status=ocpi_status,
            correlation_id=correlation_id,
            since=since,
            limit=limit,
        )
    return JSONResponse(found)
