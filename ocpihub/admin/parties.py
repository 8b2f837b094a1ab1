"""Admin API: parties (list; suspend and resume)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

from ocpihub.hub.party_actions import party_json, suspend_party
from ocpihub.inbound.auth import runtime_of
from ocpihub.store.platforms import list_parties

__all__ = ["router"]

router = APIRouter()


class PartyPatch(BaseModel):
    """Body of ``PATCH /admin/api/parties/{code}``."""

    status: Literal["SUSPENDED", "ACTIVE"]


@router.get("/parties")
async def list_all(request: Request) -> Response:
    """Every party with its role, status and platform."""
    async with runtime_of(request).db.read() as conn:
        found = await list_parties(conn)
    return JSONResponse([party_json(p) for p in found])


@router.patch("/parties/{code}")
async def change(code: str, body: PartyPatch, request: Request) -> Response:
    """Suspend (``SUSPENDED``) or resume (``ACTIVE``) a party, given as ``CC-PID``."""
    runtime = runtime_of(request)
    changed = await suspend_party(
        runtime.db, code, body.status == "SUSPENDED", notify=runtime.notify_parties
    )
    return JSONResponse([party_json(p) for p in changed])
