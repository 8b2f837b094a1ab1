"""Admin API: the open-enum registry (which non-spec values 2.3.0 open enums accept)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

from ocpihub.inbound.auth import runtime_of

__all__ = ["router"]

router = APIRouter()


class EnumValueIn(BaseModel):
    """Body of ``POST /admin/api/enums/{enum_name}``."""

    value: str


@router.get("/enums")
async def list_enums(request: Request) -> Response:
    """Every open enum: the spec's values and the operator's."""
    return JSONResponse(runtime_of(request).enums.describe())


@router.post("/enums/{enum_name}")
async def register_enum_value(enum_name: str, body: EnumValueIn, request: Request) -> Response:
    """Accept one more value for an open enum (201 when new, 200 when already accepted)."""
    runtime = runtime_of(request)
    added = await runtime.enums.register(runtime.db, enum_name, body.value)
    return JSONResponse(
        {"enum": enum_name, "value": body.value, "custom": runtime.enums.custom(enum_name)},
        status_code=201 if added else 200,
    )
