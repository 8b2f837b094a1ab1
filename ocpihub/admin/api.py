"""Admin API (JSON under ``/admin/api``): the bearer-token guard and the router of routers.

Every route needs ``Authorization: Bearer <OCPIHUB_ADMIN_TOKEN>``; errors are JSON
``{"error", "status_code"}`` with a fitting HTTP status. Each resource has its own module
(``platforms.py``, ...), included here.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ocpihub.admin import agreements, enums, overview, parties, platforms
from ocpihub.admin import outbox as outbox_admin
from ocpihub.admin import traffic as traffic_admin
from ocpihub.errors import Unauthorized
from ocpihub.hub.admin_token import check_admin_token
from ocpihub.inbound.auth import runtime_of

__all__ = ["require_admin", "router"]


async def require_admin(request: Request) -> None:
    """Dependency: the request carries the admin bearer token."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    expected = runtime_of(request).admin_token_hash
    if scheme.lower() != "bearer" or not token.strip() or expected is None:
        raise Unauthorized("admin API: send 'Authorization: Bearer <admin token>'")
    if not check_admin_token(token.strip(), expected):
        raise Unauthorized("admin API: wrong admin token")


router = APIRouter(prefix="/admin/api", dependencies=[Depends(require_admin)])
router.include_router(platforms.router)
router.include_router(enums.router)
router.include_router(agreements.router)
router.include_router(parties.router)
router.include_router(outbox_admin.router)
router.include_router(traffic_admin.router)
router.include_router(overview.router)
