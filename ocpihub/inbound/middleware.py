"""ASGI middleware at the very edge: request/correlation ids (body limits: ``guard.py``).

Pure ASGI (no BaseHTTPMiddleware) so it adds next to nothing per request.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ocpihub.ocpi.headers import CORRELATION_ID, REQUEST_ID, new_id

__all__ = ["RequestIdsMiddleware"]


class RequestIdsMiddleware:
    """Reads (or makes up) X-Request-ID and X-Correlation-ID and echoes them on the response.

    The ids are kept in ``scope["state"]`` as ``request_id`` and ``correlation_id`` for handlers
    and the traffic log.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = headers.get(REQUEST_ID) or new_id()
        correlation_id = headers.get(CORRELATION_ID) or new_id()
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["correlation_id"] = correlation_id

        async def send_with_ids(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                if REQUEST_ID not in out:
                    out[REQUEST_ID] = request_id
                if CORRELATION_ID not in out:
                    out[CORRELATION_ID] = correlation_id
            await send(message)

        await self.app(scope, receive, send_with_ids)
