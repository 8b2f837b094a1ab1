"""``ocpihub serve --workers N``: N hub processes sharing one listening socket (uvicorn's
process manager), on PostgreSQL only.

Each worker is a whole hub: it runs the app's lifespan (migration check, delivery worker,
liveness, traffic log) and shares nothing with its siblings but the database. The parent
resolves the settings once and hands them to the workers in one environment variable, so that
every worker runs with exactly what ``serve`` printed (command-line options included).
"""

from __future__ import annotations

import gc
import json
import os

import uvicorn
from fastapi import FastAPI

from ocpihub.settings import Settings

__all__ = ["WORKER_SETTINGS_ENV", "serve_workers", "worker_app"]

WORKER_SETTINGS_ENV = "_OCPIHUB_WORKER_SETTINGS"


def serve_workers(settings: Settings, workers: int) -> None:
    """Run ``workers`` hub processes on ``settings.host:settings.port`` until SIGTERM/SIGINT.

    SIGHUP replaces the workers one by one (each new one serves before its old one stops).
    """
    os.environ[WORKER_SETTINGS_ENV] = settings.model_dump_json()
    uvicorn.run(
        "ocpihub.cli.workers:worker_app",
        factory=True,
        workers=workers,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        timeout_graceful_shutdown=10,
        # a worker answers the parent's pings only once it has imported the hub, which takes
        # seconds on a busy machine: a short timeout would kill it as hung and start it again
        timeout_worker_healthcheck=60,
    )


def worker_app() -> FastAPI:
    """The app of one worker process, built from the settings its parent resolved."""
    from ocpihub.app import create_app
    from ocpihub.log import configure_logging

    settings = Settings(**json.loads(os.environ[WORKER_SETTINGS_ENV]))
    configure_logging(settings.log_format, settings.log_level)
    app = create_app(settings)
    gc.collect()
    gc.freeze()
    return app
