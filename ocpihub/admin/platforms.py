"""Admin API: platforms (list, show, add, change settings, register, rotate tokens, issue a new
token A, remove)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from ocpihub.errors import NotFound
from ocpihub.hub.credentials_refresh import update_credentials
from ocpihub.hub.overview import partner_health
from ocpihub.hub.platforms import (
    add_platform,
    declared_role,
    platform_json,
    set_limits,
    set_profile,
)
from ocpihub.hub.registration import Registrar
from ocpihub.inbound.auth import runtime_of
from ocpihub.model.parties import TokenEncoding
from ocpihub.store import platforms as store

__all__ = ["platform_json", "router"]

router = APIRouter()


class RoleIn(BaseModel):
    """A party a platform may claim at registration."""

    role: str
    country_code: str
    party_id: str


class PlatformIn(BaseModel):
    """Body of ``POST /admin/api/platforms``."""

    name: str = Field(min_length=1, max_length=100)
    token_encoding: Literal["auto", "base64", "plain"] = "auto"
    roles: list[RoleIn] | None = None


class RegisterIn(BaseModel):
    """Body of ``POST /admin/api/platforms/{id}/register`` (hub-initiated registration)."""

    versions_url: str = Field(min_length=1, max_length=255)
    token: str = Field(min_length=1, max_length=64)


class PlatformSettingsIn(BaseModel):
    """Body of ``PATCH /admin/api/platforms/{id}``: the fields given are set; ``null`` returns
    a limit to the hub-wide setting. ``profile``: the interoperability-profile switches to set
    (the others keep their values; docs/partners.md)."""

    model_config = {"extra": "forbid"}

    rate_limit_per_second: float | None = Field(None, ge=0)
    max_body_bytes: int | None = Field(None, gt=0)
    profile: dict[str, Any] | None = None
    default_time_zone: str | None = Field(None, min_length=1, max_length=64)


def _registrar(request: Request) -> Registrar:
    """The running hub's one registrar (``composition.build_hub``)."""
    return runtime_of(request).registrar


@router.post("/platforms", status_code=201)
async def create_platform(body: PlatformIn, request: Request) -> Response:
    """Add a platform and issue its token A."""
    runtime = runtime_of(request)
    roles = [declared_role(r.role, r.country_code, r.party_id) for r in body.roles or []]
    created = await add_platform(
        runtime.db,
        body.name,
        public_url=runtime.settings.public_url,
        token_encoding=TokenEncoding(body.token_encoding),
        roles=roles,
    )
    return JSONResponse(
        {
            "id": created.platform.id,
            "name": created.platform.name,
            "token_a": created.token_a,
            "versions_url": created.versions_url,
        },
        status_code=201,
    )


@router.get("/platforms")
async def list_platforms(request: Request) -> Response:
    """Every platform, with its connection status (``hub/overview.py``)."""
    found = await partner_health(runtime_of(request).db)
    out = []
    for health in sorted(found, key=lambda h: h.platform.id):
        item = platform_json(health.platform)
        item["connection_status"] = health.status.value
        out.append(item)
    return JSONResponse(out)


@router.get("/platforms/{platform_id}")
async def get_platform(platform_id: int, request: Request) -> Response:
    """One platform with its parties and endpoints."""
    async with runtime_of(request).db.read() as conn:
        platform = await store.get_platform(conn, platform_id)
        if platform is None:
            raise NotFound(f"no platform with id {platform_id}")
        hosted = await store.list_parties(conn, platform_id)
        published = await store.list_endpoints(conn, platform_id)
    out = platform_json(platform)
    out["parties"] = [
        {
            "country_code": p.country_code,
            "party_id": p.party_id,
            "role": p.role,
            "status": p.status.value,
            "business_details": p.business_details,
        }
        for p in hosted
    ]
    out["endpoints"] = [
        {"identifier": e.identifier, "role": e.role, "url": e.url} for e in published
    ]
    (health,) = await partner_health(runtime_of(request).db, platform_id=platform_id)
    out["connection_status"] = health.status.value
    out["health"] = health.as_json()
    return JSONResponse(out)


@router.patch("/platforms/{platform_id}")
async def change_platform(platform_id: int, body: PlatformSettingsIn, request: Request) -> Response:
    """Change a platform's settings (its rate limit, body-size limit and interoperability
    profile, default time zone)."""
    changes = body.model_dump(include=body.model_fields_set)
    profile = changes.pop("profile", None)
    db = runtime_of(request).db
    if profile:  # first: a refused switch leaves everything as it was
        await set_profile(db, platform_id, profile)
    await set_limits(db, platform_id, changes)
    return await get_platform(platform_id, request)


@router.post("/platforms/{platform_id}/register")
async def register_platform(platform_id: int, body: RegisterIn, request: Request) -> Response:
    """Hub-initiated registration with the partner's versions URL and its token A."""
    registrar = _registrar(request)
    await registrar.register_with(platform_id, body.versions_url, body.token)
    return await get_platform(platform_id, request)


@router.post("/platforms/{platform_id}/credentials")
async def renew_credentials(platform_id: int, request: Request) -> Response:
    """Rotate tokens with the partner: the hub PUTs its credentials with a new token."""
    await update_credentials(runtime_of(request).credentials, platform_id)
    return await get_platform(platform_id, request)


@router.post("/platforms/{platform_id}/token", status_code=201)
async def reissue_token(platform_id: int, request: Request) -> Response:
    """A new token A for a platform that is not registered (the old token A stops working)."""
    registrar = _registrar(request)
    token = await registrar.reissue_token_a(platform_id)
    return JSONResponse(
        {"id": platform_id, "token_a": token, "versions_url": registrar.versions_url},
        status_code=201,
    )


@router.delete("/platforms/{platform_id}")
async def remove_platform(platform_id: int, request: Request, force: bool = False) -> Response:
    """Remove a platform (``hub/platform_removal.py``): refused (409) while deliveries are
    queued for it unless ``?force=true``."""
    return JSONResponse(await _registrar(request).remove(platform_id, force=force))
