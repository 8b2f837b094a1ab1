"""Admin API: the outbox (deliveries owed to partners): list, retry one, retry every DEAD one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, Response

from ocpihub.inbound.auth import runtime_of
from ocpihub.outbox.replay import list_outbox, parse_status, retry_all_dead, retry_item

__all__ = ["router"]

router = APIRouter()


@router.get("/outbox")
async def list_items(
    request: Request,
    status: Annotated[
        str | None, Query(description="PENDING, IN_FLIGHT, RETRY, DONE or DEAD")
    ] = None,
    platform_id: Annotated[int | None, Query(description="receiver platform id")] = None,
    after_id: Annotated[int | None, Query(description="only items with a larger id")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    module: Annotated[str | None, Query(description="OCPI module, e.g. locations")] = None,
    object_id: Annotated[str | None, Query(description="items of this object")] = None,
) -> Response:
    """Outbox items in queue order (payloads left out)."""
    items = await list_outbox(
        runtime_of(request).db,
        status=parse_status(status),
        receiver_platform_id=platform_id,
        limit=limit,
        after_id=after_id,
        module=module or None,
        object_id=object_id or None,
    )
    return JSONResponse([i.as_json() for i in items])


@router.post("/outbox/retry-dead")
async def retry_dead(
    request: Request,
    platform_id: Annotated[int | None, Query(description="only this receiver's")] = None,
) -> Response:
    """Queue every DEAD item again (of one receiver platform with ``platform_id``)."""
    ids = await retry_all_dead(runtime_of(request).db, platform_id)
    return JSONResponse({"retried": ids})


@router.post("/outbox/{item_id}/retry")
async def retry(item_id: int, request: Request) -> Response:
    """Queue one item again, due now, with a fresh attempt budget."""
    item = await retry_item(runtime_of(request).db, item_id)
    return JSONResponse(item.as_json())
