"""Admin API: partner health at a glance (``hub/overview.py``), problems first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from ocpihub.hub.overview import partner_health
from ocpihub.inbound.auth import runtime_of

__all__ = ["router"]

router = APIRouter()


@router.get("/overview")
async def overview(request: Request) -> Response:
    """Every platform's status, last exchanges, outbox counts, lag and error rate."""
    found = await partner_health(runtime_of(request).db)
    return JSONResponse([h.as_json() for h in found])
