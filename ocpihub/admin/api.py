"""Admin API (JSON under ``/admin/api``): the bearer-token guard and the router of routers.

Every route needs ``Authorization: Bearer <OCPIHUB_ADMIN_TOKEN>``; errors are JSON
``{"error", "status_code"}`` with a fitting HTTP status. Each resource has its own module
(``platforms.py``, ...), included here.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ocpihub.admin import agreements, enums, overview, parties, platforms, pulls, reports
from ocpihub.admin import outbox as outbox_admin
from ocpihub.admin import traffic as traffic_admin
from ocpihub.inbound.auth import admin_refusal, runtime_of

__all__ = ["require_admin", "router"]


async def require_admin(request: Request) -> None:
    """Dependency: the request carries the admin bearer token (requests with a body were
    checked already by the edge guard, before their body was read)."""
    error = admin_refusal(runtime_of(request), request.headers.get("authorization"))
    if error is not None:
        raise error


router = APIRouter(prefix="/admin/api", dependencies=[Depends(require_admin)])
router.include_router(platforms.router)
router.include_router(pulls.router)
router.include_router(enums.router)
router.include_router(agreements.router)
router.include_router(parties.router)
router.include_router(outbox_admin.router)
router.include_router(traffic_admin.router)
router.include_router(overview.router)
router.include_router(reports.router)
