"""The edge guard: who is calling, how often, and how much it may send — before any body.

Pure ASGI, mounted inside the request-id and traffic middlewares (so its refusals carry ids and
are logged) and outside the routes. For each request:

1. ``/ocpi/…``: the Authorization token is resolved to its platform (through the directory
   cache) and kept in the scope state for ``inbound/auth.py``. A request *with a body* and no
   known token is answered 401 at once: its body is never read. A known platform's request
   counts against its rate limit (``inbound/ratelimit.py``): over it, 429 with Retry-After.
2. ``/admin/api/…`` with a body: the admin bearer token is checked first, likewise.
3. The body limit (the platform's own, else ``max_body_bytes``) holds for announced lengths
   (413 before reading) and for streamed (chunked) bodies: reading past it raises 413 in
   whatever is reading, so no route — OCPI, admin or console — holds more than the limit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ocpihub.errors import OcpiError, PayloadTooLarge, TooManyRequests
from ocpihub.inbound.auth import admin_refusal, refusal, resolve_caller
from ocpihub.inbound.ratelimit import RateLimiter
from ocpihub.inbound.responses import error_response_for
from ocpihub.metrics import Metrics
from ocpihub.model.parties import Platform
from ocpihub.runtime import Runtime

__all__ = ["EdgeGuardMiddleware"]


def _has_body(headers: Headers) -> bool:
    length = headers.get("content-length")
    return "transfer-encoding" in headers or (length is not None and length.strip() != "0")


def bounded(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises HTTP 413 once the request body passes ``limit`` bytes."""
    size = 0

    async def receive_bounded() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise HTTPException(413, f"request body is over the limit of {limit} bytes")
        return message

    return receive_bounded


class EdgeGuardMiddleware:
    """Authentication before bodies, per-platform rate limits, bounded bodies (see above)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        runtime: Runtime,
        metrics: Metrics | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.runtime = runtime
        self.metrics = metrics
        self.clock = clock
        self.limiter = RateLimiter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        state = scope.setdefault("state", {})
        try:
            limit = await self._admit(path, Headers(scope=scope), state)
        except OcpiError as error:
            headers = None
            if isinstance(error, TooManyRequests):
                headers = {"Retry-After": str(error.retry_after)}
            await error_response_for(path, error, headers=headers)(scope, receive, send)
            return
        state["max_body_bytes"] = limit
        await self.app(scope, bounded(receive, limit), send)

    async def _admit(self, path: str, headers: Headers, state: dict[str, object]) -> int:
        """The body limit of an admitted request; raises the refusal otherwise."""
        settings = self.runtime.settings
        limit = settings.max_body_bytes
        if path.startswith("/ocpi/"):
            header = headers.get("authorization")
            found = await resolve_caller(self.runtime, header)
            state["caller"] = found
            if found is None:
                if _has_body(headers):
                    raise refusal(header)
            else:
                platform = found[0]
                state["platform_id"] = platform.id
                self._throttle(platform)
                limit = platform.max_body_bytes or limit
        elif path.startswith("/admin/api/") and _has_body(headers):
            error = admin_refusal(self.runtime, headers.get("authorization"))
            if error is not None:
                raise error
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise PayloadTooLarge(f"request body of {length} bytes is over the limit of {limit}")
        return limit

    def _throttle(self, platform: Platform) -> None:
        settings = self.runtime.settings
        rate = platform.rate_limit_per_second
        if rate is None:
            rate = settings.rate_limit_per_second
        burst = rate * settings.rate_limit_burst_seconds
        wait = self.limiter.take(platform.id, rate, burst, self.clock())
        if wait <= 0:
            return
        if self.metrics is not None:
            self.metrics.rate_limited.labels(platform.name).inc()
        raise TooManyRequests(
            f"platform {platform.name} is over its rate limit of {rate:g} requests a second: "
            "retry after the seconds given in Retry-After",
            retry_after=max(1, math.ceil(wait)),
        )
