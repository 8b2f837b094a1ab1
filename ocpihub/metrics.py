"""Prometheus metrics: ``GET /metrics``.

Per process: OCPI requests by version, module, method and HTTP status, with their duration;
on each scrape, outbox items by status (from the database, so every process reports the same
queue). The registry is per app (no global state), built by ``app.py``.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ocpihub.store.db import Database
from ocpihub.store.outbox import count_by_status

__all__ = ["Metrics", "MetricsMiddleware"]

_MAX_CHILDREN = 10_000


class Metrics:
    """The hub's metrics and their rendering."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ocpihub_requests",
            "OCPI requests answered, by version, module, method and HTTP status.",
            ["version", "module", "method", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "ocpihub_request_seconds",
            "Time to answer an OCPI request.",
            ["version", "module"],
            registry=self.registry,
        )
        self._children: dict[tuple[str, str, str, int], tuple[Any, Any]] = {}
        self.outbox = Gauge(
            "ocpihub_outbox_items",
            "Outbox items by status (whole database).",
            ["status"],
            registry=self.registry,
        )

    def observe(self, version: str, module: str, method: str, status: int, started: float) -> None:
        """Count one answered request and its duration (label children are looked up once)."""
        key = (version, module, method, status)
        children = self._children.get(key)
        if children is None:
            if len(self._children) >= _MAX_CHILDREN:  # odd paths must not grow this for ever
                self._children.clear()
            children = (
                self.requests.labels(version, module, method, str(status)),
                self.duration.labels(version, module),
            )
            self._children[key] = children
        counter, histogram = children
        counter.inc()
        histogram.observe(time.perf_counter() - started)

    async def render(self) -> Response:
        """The exposition text, with the outbox counts read now."""
        async with self.db.read() as conn:
            counts = await count_by_status(conn)
        for status in ("PENDING", "IN_FLIGHT", "RETRY", "DONE", "DEAD"):
            self.outbox.labels(status).set(counts.get(status, 0))
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Counts and times every request under ``/ocpi/`` (pure ASGI, next to nothing per call)."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith("/ocpi/"):
            await self.app(scope, receive, send)
            return
        parts = path.split("/")
        version = parts[2] if len(parts) > 2 else ""
        module = parts[3] if len(parts) > 3 else "details"
        if version == "versions":
            version, module = "", "versions"
        status = 500
        started = time.perf_counter()

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            self.metrics.observe(version, module, scope["method"], status, started)
