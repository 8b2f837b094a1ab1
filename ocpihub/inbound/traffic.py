"""Inbound traffic log: an ASGI middleware that records every request under ``/ocpi/``.

Pure ASGI, and cheap on the request path: it notes the method, URL, routing headers, the ids
:class:`~ocpihub.inbound.middleware.RequestIdsMiddleware` put in the scope state (so it must be
mounted inside that middleware), the response status and the time taken, and hands one entry to
the :class:`~ocpihub.store.traffic.TrafficRecorder` queue. The caller is kept as the platform
id authentication put in the scope state, else (refused callers) as SHA-256 hashes of its
token's candidate values (raw, then Base64-decoded), which the recorder resolves when it
writes. Bodies are copied only when the recorder keeps them; otherwise the last response chunks
are kept by reference, to read the OCPI status from.

While a request is served its entry is also available to the recorder's database joiner
(``store/traffic.py``, :class:`~ocpihub.store.traffic.InboundCapture`): a request that writes
gets its entry written in its own (first committed) write transaction, and the entry queued at
the end completes that row with the answer. Requests that write nothing are logged in batches.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ocpihub.ocpi.headers import token_candidates
from ocpihub.ocpi.modules import module_of
from ocpihub.store.platforms import hash_token
from ocpihub.store.traffic import (
    BODY_LIMIT,
    CURRENT,
    InboundCapture,
    TrafficEntry,
    TrafficRecorder,
)

__all__ = ["TrafficMiddleware"]

_TAIL = 2048


def _party(cc: bytes | None, pid: bytes | None) -> str | None:
    if not cc or not pid:
        return None
    return f"{cc.decode('latin-1').upper()}-{pid.decode('latin-1').upper()}"[:6]


_WANTED = frozenset(
    {
        b"authorization",
        b"ocpi-from-country-code",
        b"ocpi-from-party-id",
        b"ocpi-to-country-code",
        b"ocpi-to-party-id",
    }
)


class TrafficMiddleware:
    """Records each OCPI exchange the hub serves in the traffic log."""

    def __init__(self, app: ASGIApp, *, recorder: TrafficRecorder, prefix: str = "/ocpi/") -> None:
        self.app = app
        self.recorder = recorder
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        at = datetime.now(UTC)
        keep = self.recorder.keep_bodies
        request_chunks: list[bytes] = []
        head = bytearray()
        last: list[bytes] = []  # the last two body chunks, uncopied: the status is at the end
        size = 0
        status: list[int] = []

        async def receive_logged() -> Message:
            message = await receive()
            if message["type"] == "http.request" and message.get("body"):
                request_chunks.append(message["body"])
            return message

        async def send_logged(message: Message) -> None:
            nonlocal size
            if message["type"] == "http.response.start":
                status.append(message["status"])
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                if chunk:
                    size += len(chunk)
                    if keep and len(head) < BODY_LIMIT:
                        head.extend(chunk[: BODY_LIMIT - len(head)])
                    last.append(chunk)
                    if len(last) > 2:
                        del last[0]
            await send(message)

        def snapshot() -> TrafficEntry:
            return self._entry(scope, at, started, [], bytearray(), b"", 0, request_chunks, None)

        capture = InboundCapture(snapshot)
        reset = CURRENT.set(capture)
        error: str | None = None
        try:
            await self.app(scope, receive_logged if keep else receive, send_logged)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            CURRENT.reset(reset)
            capture.open = False
            tail = b"".join(last)[-_TAIL:]
            entry = self._entry(scope, at, started, status, head, tail, size, request_chunks, error)
            entry.row_id = capture.row_id
            self.recorder.record(entry)

    def _entry(
        self,
        scope: Scope,
        at: datetime,
        started: float,
        status: list[int],
        head: bytearray,
        tail: bytes,
        size: int,
        request_chunks: list[bytes],
        error: str | None,
    ) -> TrafficEntry:
        wanted: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in _WANTED and name not in wanted:
                wanted[name] = value
        state = scope.get("state") or {}
        query = scope.get("query_string", b"").decode("latin-1")
        path = scope["path"] + (f"?{query}" if query else "")
        keep = self.recorder.keep_bodies
        platform_id = state.get("platform_id")
        authorization = wanted.get(b"authorization")
        entry = TrafficEntry(
            at=at,
            direction="IN",
            method=scope["method"],
            url=path,
            duration_ms=(time.perf_counter() - started) * 1000,
            platform_id=platform_id,
            # the caller authenticated: its platform is known; else the recorder resolves hashes
            token_hashes=()
            if platform_id is not None or authorization is None
            else tuple(hash_token(t) for t in token_candidates(authorization.decode("latin-1"))),
            from_party=_party(
                wanted.get(b"ocpi-from-country-code"), wanted.get(b"ocpi-from-party-id")
            ),
            to_party=_party(wanted.get(b"ocpi-to-country-code"), wanted.get(b"ocpi-to-party-id")),
            module=module_of(scope["path"]),
            http_status=status[0] if status else None,
            request_id=state.get("request_id"),
            correlation_id=state.get("correlation_id"),
            # what the hub decided itself in place of a silent partner (an authorization)
            error=error or state.get("hub_decision"),
            request_body=b"".join(request_chunks) if keep else None,
            response_body=bytes(head) if keep else None,
            response_tail=tail,
            response_truncated=size > len(head),
        )
        return entry
