"""Admin API: roaming agreements."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from ocpihub.errors import InvalidParameters
from ocpihub.hub.agreement_actions import (
    add_agreement,
    agreement_json,
    remove_agreement,
    set_authorize_policy,
    set_status,
)
from ocpihub.inbound.auth import runtime_of
from ocpihub.model.agreements import AgreementStatus
from ocpihub.store import agreements as store

__all__ = ["router"]

router = APIRouter()


class AgreementIn(BaseModel):
    """Body of ``POST /admin/api/agreements``."""

    parties: list[str] = Field(min_length=2, max_length=2)
    modules: list[str] | None = None


class AgreementPatch(BaseModel):
    """Body of ``PATCH /admin/api/agreements/{id}``: a status, and/or the real-time
    authorization policy (the fields given change)."""

    status: Literal["ACTIVE", "SUSPENDED"] | None = None
    authorize_timeout_seconds: float | None = None
    authorize_on_timeout: Literal["REFUSE", "ALLOW"] | None = None


@router.post("/agreements", status_code=201)
async def create(body: AgreementIn, request: Request) -> Response:
    """Agree that two parties may exchange data."""
    runtime = runtime_of(request)
    created = await add_agreement(
        runtime.db, body.parties[0], body.parties[1], body.modules, notify=runtime.notify_agreement
    )
    return JSONResponse(agreement_json(created), status_code=201)


@router.get("/agreements")
async def list_all(request: Request) -> Response:
    """Every agreement."""
    async with runtime_of(request).db.read() as conn:
        found = await store.list_agreements(conn)
    return JSONResponse([agreement_json(a) for a in found])


@router.patch("/agreements/{agreement_id}")
async def change(agreement_id: int, body: AgreementPatch, request: Request) -> Response:
    """Suspend or resume an agreement; set its real-time authorization policy."""
    runtime = runtime_of(request)
    given = body.model_fields_set
    policy = body.model_dump(include=given - {"status"})
    if not given or ("status" in given and body.status is None):
        raise InvalidParameters("give status (ACTIVE or SUSPENDED) or an authorization policy")
    if policy:  # first: a refused policy leaves everything as it was
        changed = await set_authorize_policy(runtime.db, agreement_id, policy)
    if body.status is not None:
        changed = await set_status(
            runtime.db, agreement_id, AgreementStatus(body.status), notify=runtime.notify_agreement
        )
    return JSONResponse(agreement_json(changed))


@router.delete("/agreements/{agreement_id}")
async def remove(agreement_id: int, request: Request) -> Response:
    """End an agreement."""
    runtime = runtime_of(request)
    removed = await remove_agreement(runtime.db, agreement_id, notify=runtime.notify_agreement)
    return JSONResponse(agreement_json(removed))
