"""Console form (POST): "Pull now" on the Platform page (section *Scheduled pulls*).

Starts the pull in the server, as ``POST /admin/api/platforms/{id}/pulls/{module}/run`` does;
the page it returns to shows the run's progress.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from ocpihub.admin.web.auth import act
from ocpihub.admin.web.console import Form, runtime_of

__all__ = ["router"]

router = APIRouter()


@router.post("/admin/platforms/{platform_id}/pulls/{module}/run", include_in_schema=False)
async def pull_now(platform_id: int, module: str, request: Request) -> Response:
    """Start a pull of one module now (a delta, or full with the box ticked)."""

    async def work(form: Form) -> str:
        pulls = runtime_of(request).pulls
        assert pulls is not None  # app.py builds it
        full = form.get("full") == "1"
        run = await pulls.run_now(platform_id, module, full=full)
        return (
            f"{run.kind.capitalize()} pull of {module} from {run.platform.name} started "
            f"(correlation id {run.correlation_id})."
        )

    return await act(request, work, f"/admin/platforms/{platform_id}#pulls")
