"""The server: ``create_app(settings)`` builds the hub (``composition.build_hub``, as the CLI
does) and adds what only HTTP needs — routes, middlewares, console, metrics, workers.

Lifespan: migrate, load the admin token, open the hub, start the workers, and on stop, stop
them and close what was opened.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import structlog
from fastapi import FastAPI
from fastapi.responses import ORJSONResponse
from starlette.responses import JSONResponse, Response

from ocpihub import __version__
from ocpihub.admin import api as admin_api
from ocpihub.admin.web.console import Console
from ocpihub.admin.web.routes import mount_console
from ocpihub.admin.web.session import ConsoleSessions, SignInLimiter, console_secret
from ocpihub.composition import Hub, build_hub
from ocpihub.hub.admin_token import ensure_admin_token
from ocpihub.hub.enums import EnumRegistry
from ocpihub.hub.liveness import LivenessChecker
from ocpihub.hub.pull_scheduler import PullScheduler
from ocpihub.hub.services.results import expire_pending
from ocpihub.inbound.guard import EdgeGuardMiddleware
from ocpihub.inbound.handlers import versions
from ocpihub.inbound.middleware import RequestIdsMiddleware
from ocpihub.inbound.responses import install_error_handlers
from ocpihub.inbound.routes import ModuleRoutes, module_routes
from ocpihub.inbound.routing_headers import RoutingHeadersMiddleware
from ocpihub.inbound.traffic import TrafficMiddleware
from ocpihub.metrics import Metrics, MetricsMiddleware
from ocpihub.outbound.client import Exchange, PartnerClient
from ocpihub.outbox.worker import DeliveryWorker, WorkerConfig
from ocpihub.readiness import Readiness
from ocpihub.runtime import Runtime
from ocpihub.settings import Settings
from ocpihub.store.db import Database
from ocpihub.store.migrate import migrate
from ocpihub.store.traffic import TrafficRecorder

__all__ = ["create_app"]


async def _refresh_enums(enums: EnumRegistry, db: Database, every: float) -> None:
    """Pick up open-enum values other hub processes registered."""
    while True:
        await asyncio.sleep(every)
        try:
            await enums.load(db)
        except Exception:  # a failed refresh keeps the old values; the next one retries
            structlog.get_logger("ocpihub.enums").warning("enum_refresh_failed", exc_info=True)


async def _stop(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel background loops and wait for them, bounded: a loop whose cancellation got
    turned into an ordinary error by a library (and caught by its retry) is cancelled again."""
    if not tasks:
        return
    for _ in range(3):
        for task in tasks:
            task.cancel()
        _, pending = await asyncio.wait(tasks, timeout=2)
        if not pending:
            return
    structlog.get_logger("ocpihub").warning("background_tasks_not_stopped", tasks=len(pending))


def _count_outbound(client: PartnerClient, metrics: Metrics) -> None:
    """Outbound calls go to the metrics too, after build_hub's traffic observer."""
    traffic_observed = client.observer
    assert traffic_observed is not None  # build_hub's traffic observer

    async def outbound_observed(exchange: Exchange) -> None:
        await traffic_observed(exchange)
        await metrics.observe_outbound(exchange)

    client.observer = outbound_observed


def _console(settings: Settings) -> Console:
    return Console(
        ConsoleSessions(
            lifetime_seconds=settings.console_session_minutes * 60,
            secure=settings.public_url.startswith("https://"),
        ),
        SignInLimiter(settings.console_signin_failures),
    )


def _serve_http(
    app: FastAPI,
    runtime: Runtime,
    metrics: Metrics,
    traffic: TrafficRecorder,
    readiness: Readiness,
    routes: ModuleRoutes,
) -> None:
    """What only HTTP needs: error handlers, middlewares, the admin API, the console, the
    module routes, versions, metrics, health and readiness."""
    settings = runtime.settings
    install_error_handlers(app)
    app.add_middleware(
        RoutingHeadersMiddleware, hub=settings.hub_party, parties_of=runtime.directory.parties
    )
    # innermost first: the guard's refusals are logged and carry the request ids
    app.add_middleware(EdgeGuardMiddleware, runtime=runtime, metrics=metrics)
    app.add_middleware(TrafficMiddleware, recorder=traffic)  # inside RequestIds: sees the ids
    app.add_middleware(RequestIdsMiddleware)

    app.add_middleware(MetricsMiddleware, metrics=metrics)

    @app.get("/metrics", include_in_schema=False)
    async def prometheus() -> Response:
        return await metrics.render()

    app.include_router(admin_api.router)
    mount_console(app)
    # one dictionary lookup instead of trying hundreds of module routes in turn
    app.router.routes.insert(0, routes.index)
    app.include_router(versions.router)

    @app.get("/health", include_in_schema=False)
    async def health() -> Response:
        """Liveness: the process serves HTTP (nothing else is checked)."""
        return JSONResponse({"status": "ok", "version": __version__})

    @app.get("/ready", include_in_schema=False)
    async def ready() -> Response:
        """Readiness: database reachable, migrations current, workers running (else 503)."""
        ok, checks = await readiness.check()
        body = {"status": "ready" if ok else "not ready", "checks": checks}
        return JSONResponse(body, status_code=200 if ok else 503)


@dataclass(frozen=True)
class _Workers:
    """What the server runs besides answering requests and writing the traffic log."""

    deliveries: DeliveryWorker
    liveness: LivenessChecker
    pulls: PullScheduler


def _workers(hub: Hub, metrics: Metrics) -> _Workers:
    """The delivery worker, the liveness check and the pull scheduler, counted by ``metrics``
    (as are the tolerated deviations)."""
    settings = hub.settings
    deliveries = DeliveryWorker(
        hub.db,
        hub.client,
        WorkerConfig.from_settings(settings),
        hub.directory,
        outcome_joiner=hub.traffic.join_outcomes,  # OUT entries commit with their outcomes
    )
    hub.tolerations.count = metrics.count_tolerated
    deliveries.tolerations = hub.tolerations
    liveness = LivenessChecker(
        hub.db,
        hub.client,
        interval=settings.liveness_interval_seconds,
        threshold=settings.liveness_failure_threshold,
        timeout=settings.request_timeout,
        on_change=hub.events.parties_changed,
    )
    hub.puller.on_finished = metrics.count_pull
    return _Workers(deliveries, liveness, PullScheduler(hub.puller))


def _background(hub: Hub, workers: _Workers) -> list[asyncio.Task[None]]:
    """Start the loops that run until the server stops: open-enum refresh, liveness (unless
    turned off), the pending-request sweeper, scheduled pulls (when enabled)."""
    settings = hub.settings
    refresh = _refresh_enums(hub.enums, hub.db, settings.enum_refresh_seconds)
    background = [asyncio.create_task(refresh)]
    if settings.liveness_interval_seconds > 0:
        background.append(asyncio.create_task(workers.liveness.run()))
    grace = settings.command_result_grace_seconds
    background.append(asyncio.create_task(expire_pending(hub.db, grace)))
    if workers.pulls.enabled:
        background.append(asyncio.create_task(workers.pulls.run()))
    return background


def _lifespan(
    hub: Hub, runtime: Runtime, console: Console, workers: _Workers
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Migrate, load the admin token, open the hub, start the workers; on stop, stop them and
    close what was opened."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db, traffic = hub.db, hub.traffic
        await migrate(db)
        runtime.admin_token_hash, _ = await ensure_admin_token(db, hub.settings.admin_token)
        console.sessions.start(await console_secret(db), runtime.admin_token_hash)
        await hub.open()
        await traffic.start()
        await workers.deliveries.start()
        background = _background(hub, workers)
        try:
            yield
        finally:
            await workers.deliveries.stop()  # drains in-flight deliveries (bounded)
            await traffic.stop()
            await _stop(background)
            await workers.pulls.stop()  # "pull now" runs too
            await hub.close()  # the client and the database

    return lifespan


def create_app(settings: Settings) -> FastAPI:
    """The hub as an ASGI application."""
    hub = build_hub(settings)  # the collaborators the CLI builds too (composition.py)
    traffic = hub.traffic
    routes = module_routes()  # built once per process from the module table (inbound/routes.py)
    # the IN entry of a request that writes commits with that write (store/traffic.py)
    hub.db.joiners.append(traffic.join)
    runtime = Runtime.serving(hub, routes.interfaces)
    metrics = Metrics(hub.db, hub.directory)
    workers = _workers(hub, metrics)
    runtime.pulls = workers.pulls
    _count_outbound(hub.client, metrics)
    console = _console(settings)
    readiness = Readiness(
        hub.db,
        {
            "delivery_worker": lambda: workers.deliveries.running,
            "traffic_writer": lambda: traffic.running,
        },
    )
    app = FastAPI(
        title="ocpihub",
        version=__version__,
        description="OCPI roaming hub (2.3.0, 2.2.1, 2.1.1)",
        lifespan=_lifespan(hub, runtime, console, workers),
        default_response_class=ORJSONResponse,
    )
    app.state.runtime = runtime
    app.state.console = console
    app.state.traffic = traffic
    app.state.deliveries = workers.deliveries
    _serve_http(app, runtime, metrics, traffic, readiness, routes)
    return app
