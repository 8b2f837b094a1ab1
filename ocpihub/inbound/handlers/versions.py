"""Versions module: the list of versions and, per version, the details document.

The details list only what the hub really serves (see ``hub/interfaces.py``); a 2.1.1
partner sees the interfaces of the role opposite to its own.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from ocpihub.errors import NotFound
from ocpihub.hub.services.configuration import partner_role
from ocpihub.inbound.auth import Caller, any_token, runtime_of
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.modules import SUPPORTED_VERSIONS, InterfaceRole
from ocpihub.ocpi.version import ocpi_version

__all__ = ["router"]

router = APIRouter()


@router.get("/ocpi/versions")
async def get_versions(request: Request, caller: Caller = Depends(any_token)) -> Response:
    """Every version the hub speaks, with the URL of its details."""
    base = runtime_of(request).settings.public_url
    data = [{"version": v, "url": f"{base}/ocpi/{v}"} for v in SUPPORTED_VERSIONS]
    return ocpi_response(data)


@router.get("/ocpi/{version}")
async def get_version_details(
    version: str, request: Request, caller: Caller = Depends(any_token)
) -> Response:
    """The endpoints the hub serves in ``version``."""
    if version not in SUPPORTED_VERSIONS:
        raise NotFound(f"version {version!r} is not supported; see /ocpi/versions")
    runtime = runtime_of(request)
    base = runtime.settings.public_url
    has_roles = ocpi_version(version).has_roles
    role = None if has_roles else await partner_role(runtime.db, caller.platform)
    endpoints: list[dict[str, Any]] = []
    for item in runtime.interfaces.for_version(version, partner_role=role):
        entry: dict[str, Any] = {"identifier": item.module.value, "url": base + item.path}
        if has_roles:
            entry["role"] = (item.role or InterfaceRole.SENDER).value
        endpoints.append(entry)
    return ocpi_response({"version": version, "endpoints": endpoints})
