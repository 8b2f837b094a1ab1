"""Mounting the console on the app: its pages, its forms, its stylesheet."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from ocpihub.admin.web import actions, auth, pages, pull_actions, reports
from ocpihub.admin.web.console import HERE

__all__ = ["mount_console"]


def mount_console(app: FastAPI) -> None:
    """Serve the console under ``/admin`` (the JSON API stays under ``/admin/api``)."""
    app.include_router(auth.router)
    app.include_router(pages.router)
    app.include_router(actions.router)
    app.include_router(pull_actions.router)
    app.include_router(reports.router)
    app.mount("/admin/static", StaticFiles(directory=HERE / "static"), name="console-static")
