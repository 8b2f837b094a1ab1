"""Admin API: scheduled pulls of a platform's Sender interfaces (status, and "pull now")."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

from ocpihub.errors import NotFound
from ocpihub.hub.pull_scheduler import PullScheduler, pull_status
from ocpihub.inbound.auth import runtime_of

__all__ = ["router"]

router = APIRouter()


class RunIn(BaseModel):
    """Body of ``POST /admin/api/platforms/{id}/pulls/{module}/run`` (optional)."""

    model_config = {"extra": "forbid"}

    full: bool = False


def _scheduler(request: Request) -> PullScheduler:
    pulls = runtime_of(request).pulls
    assert pulls is not None  # app.py builds it
    return pulls


async def _known(request: Request, platform_id: int) -> None:
    if await runtime_of(request).directory.platform(platform_id) is None:
        raise NotFound(f"no platform with id {platform_id}")


@router.get("/platforms/{platform_id}/pulls")
async def list_pulls(platform_id: int, request: Request, module: str | None = None) -> Response:
    """The platform's pulls: one entry per module it publishes as a Sender that the hub pulls."""
    await _known(request, platform_id)
    statuses = await pull_status(_scheduler(request).puller, platform_id, module)
    return JSONResponse([s.json() for s in statuses])


@router.post("/platforms/{platform_id}/pulls/{module}/run", status_code=202)
async def run_pull(
    platform_id: int, module: str, request: Request, body: RunIn | None = None
) -> Response:
    """Start a pull now, in the background: 202 with its status; 409 when it is running."""
    await _known(request, platform_id)
    scheduler = _scheduler(request)
    await scheduler.run_now(platform_id, module, full=bool(body and body.full))
    (status,) = await pull_status(scheduler.puller, platform_id, module)
    return JSONResponse(status.json(), status_code=202)
