"""Prometheus metrics: ``GET /metrics``.

Per process: OCPI requests by version, module, method and HTTP status, with their duration;
inbound requests per calling platform by OCPI status; delivery attempts and failures per
receiver platform and module; relayed (synchronous) request latency per module; deviations
partners' interoperability profiles let through, per platform and deviation. On each
scrape, from the database (so every process reports the same queue): outbox items by status,
and per receiver platform its items by state and its delivery lag. Platforms are labelled by
name. The registry is per app (no global state), built by ``app.py``.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ocpihub.outbound.client import Exchange
from ocpihub.store import health
from ocpihub.store.db import Database
from ocpihub.store.directory import Directory
from ocpihub.store.outbox import count_by_status
from ocpihub.store.platforms import list_platforms

__all__ = ["Metrics", "MetricsMiddleware"]

log = structlog.get_logger("ocpihub.metrics")

_MAX_CHILDREN = 10_000
_DB_TIMEOUT = 2.0
_STATUS = re.compile(rb'"status_code"\s*:\s*(\d+)')
_RECEIVER_STATES = ("PENDING", "RETRY", "IN_FLIGHT", "DEAD")


def ocpi_status_of(body: bytes | None) -> int | None:
    """The envelope's status_code, read from the end of a body (where it follows the data)."""
    if not body:
        return None
    found = _STATUS.search(body[-2048:])
    return int(found.group(1)) if found else None


def succeeded(http_status: int | None, ocpi_status: int | None, error: str | None) -> bool:
    """Whether an exchange succeeded: HTTP 2xx and, if the answer has one, OCPI 1xxx."""
    if error is not None or http_status is None or not 200 <= http_status < 300:
        return False
    return ocpi_status is None or 1000 <= ocpi_status < 2000


class Metrics:
    """The hub's metrics and their rendering."""

    def __init__(self, db: Database, directory: Directory | None = None) -> None:
        self.db = db
        self.directory = directory
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
        self.rate_limited = Counter(
            "ocpihub_rate_limited",
            "OCPI requests refused with HTTP 429 because their platform was over its rate "
            "limit, by platform.",
            ["platform"],
            registry=self.registry,
        )
        self._children: dict[tuple[str, str, str, int], tuple[Any, Any]] = {}
        self.outbox = Gauge(
            "ocpihub_outbox_items",
            "Outbox items by status (whole database).",
            ["status"],
            registry=self.registry,
        )
        self._partner_traffic()
        self._read_at_scrape()
        self._profiles_and_pulls()

    def _partner_traffic(self) -> None:
        """Counted as partners' requests, deliveries and relayed requests pass."""
        self.inbound = Counter(
            "ocpihub_inbound_requests",
            "OCPI requests answered per calling platform, by OCPI status ('none' without one).",
            ["platform", "ocpi_status"],
            registry=self.registry,
        )
        self.deliveries = Counter(
            "ocpihub_deliveries",
            "Outbox delivery attempts per receiver platform and module.",
            ["platform", "module"],
            registry=self.registry,
        )
        self.delivery_failures = Counter(
            "ocpihub_delivery_failures",
            "Outbox delivery attempts that failed, per receiver platform and module.",
            ["platform", "module"],
            registry=self.registry,
        )
        self.relay = Histogram(
            "ocpihub_relay_seconds",
            "Time a partner took to answer a request the hub relayed to it, by module.",
            ["module"],
            registry=self.registry,
        )

    def _read_at_scrape(self) -> None:
        """Set on each scrape from what the database holds (:meth:`render`)."""
        self.receiver_items = Gauge(
            "ocpihub_receiver_outbox_items",
            "Undelivered outbox items per receiver platform and state (whole database).",
            ["platform", "status"],
            registry=self.registry,
        )
        self.database_up = Gauge(
            "ocpihub_database_up",
            "1 when the last scrape could read the database, else 0 (database series left out).",
            registry=self.registry,
        )
        self.receiver_lag = Gauge(
            "ocpihub_receiver_delivery_lag_seconds",
            "Age of the oldest undelivered outbox item per receiver platform (0: none waits).",
            ["platform"],
            registry=self.registry,
        )

    def _profiles_and_pulls(self) -> None:
        """Counted as profiles let deviations through and as pulls end."""
        self.tolerated = Counter(
            "ocpihub_profile_tolerated",
            "Deviations a platform's interoperability profile let through, by platform and "
            "deviation (docs/partners.md).",
            ["platform", "deviation"],
            registry=self.registry,
        )
        self.pulls = Counter(
            "ocpihub_pulls",
            "Scheduled or requested pulls of partners' Sender lists that ended, by platform, "
            "module, kind (delta, full) and status (OK, FAILED).",
            ["platform", "module", "kind", "status"],
            registry=self.registry,
        )
        self.pulled = Counter(
            "ocpihub_pulled_objects",
            "Objects pulls stored (changed), refused or removed, by platform and module.",
            ["platform", "module", "outcome"],
            registry=self.registry,
        )

    def count_pull(
        self, platform: str, module: str, kind: str, ok: bool, outcomes: dict[str, int]
    ) -> None:
        """One pull ended (``hub/pulls.py``); ``outcomes``: objects stored, refused, removed."""
        self.pulls.labels(platform, module, kind, "OK" if ok else "FAILED").inc()
        for outcome, count in outcomes.items():
            if count:
                self.pulled.labels(platform, module, outcome).inc(count)

    def count_tolerated(self, platform: str, deviation: str) -> None:
        """One more use of a tolerated deviation (``ocpihub.tolerations``)."""
        self.tolerated.labels(platform, deviation).inc()

    async def platform_name(self, platform_id: int | None) -> str:
        """The label of a platform: its name (its id while the name is unknown)."""
        if platform_id is None:
            return "unknown"
        if self.directory is not None:
            try:
                platform = await self.directory.platform(platform_id)
            except Exception:  # counting must never fail a request (e.g. database down)
                platform = None
            if platform is not None:
                return platform.name
        return str(platform_id)

    async def observe_inbound(self, platform_id: int | None, tail: bytes | None) -> None:
        """Count one answered request of an authenticated platform by its OCPI status."""
        status = ocpi_status_of(tail)
        name = await self.platform_name(platform_id)
        self.inbound.labels(name, "none" if status is None else str(status)).inc()

    async def observe_outbound(self, exchange: Exchange) -> None:
        """The PartnerClient observer: deliveries (outbox items) and relayed requests."""
        extra = exchange.extra
        module = str(extra.get("module") or "unknown")
        if extra.get("outbox_id") is not None:
            name = await self.platform_name(extra.get("platform_id"))
            self.deliveries.labels(name, module).inc()
            status = ocpi_status_of(exchange.response_body)
            if not succeeded(exchange.status, status, exchange.error):
                self.delivery_failures.labels(name, module).inc()
        elif module not in ("versions", "credentials", "unknown"):
            self.relay.labels(module).observe(exchange.duration_ms / 1000)

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

    async def _read(self) -> tuple[dict[str, int], dict[int, Any], dict[int, str]]:
        async with self.db.read() as conn:
            counts = await count_by_status(conn)
            queues = await health.receiver_queues(conn)
            names = {p.id: p.name for p in await list_platforms(conn)}
        return counts, queues, names

    async def render(self) -> Response:
        """The exposition text, with the outbox counts read now."""
        try:
            counts, queues, names = await asyncio.wait_for(self._read(), timeout=_DB_TIMEOUT)
        except Exception:  # the process's own series still render; the scrape says why not
            log.warning("metrics_database_unavailable", exc_info=True)
            self.database_up.set(0)
            for gauge in (self.outbox, self.receiver_items, self.receiver_lag):
                gauge.clear()
            return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
        self.database_up.set(1)
        for status in ("PENDING", "IN_FLIGHT", "RETRY", "DONE", "DEAD"):
            self.outbox.labels(status).set(counts.get(status, 0))
        now = datetime.now(UTC)
        self.receiver_items.clear()
        self.receiver_lag.clear()
        for platform_id, name in names.items():
            queue = queues.get(platform_id, health.ReceiverQueue())
            for state in _RECEIVER_STATES:
                self.receiver_items.labels(name, state).set(queue.counts.get(state, 0))
            lag = (now - queue.oldest_open).total_seconds() if queue.oldest_open else 0.0
            self.receiver_lag.labels(name).set(max(0.0, lag))
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
        last = b""

        async def observe(message: Message) -> None:
            nonlocal status, last
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and message.get("body"):
                last = message["body"]  # by reference: the OCPI status is at the end
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            self.metrics.observe(version, module, scope["method"], status, started)
            platform_id = (scope.get("state") or {}).get("platform_id")
            if platform_id is not None:
                await self.metrics.observe_inbound(platform_id, last)
