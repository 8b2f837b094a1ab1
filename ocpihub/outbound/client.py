"""The outbound HTTP client: one pooled aiohttp session per process.

Every call the hub makes to a partner goes through :class:`PartnerClient`, and the client is
where the rules every call shares are carried out, once:

- the Authorization header from a :class:`~ocpihub.outbound.auth.PartnerAuth` (the token in the
  form the chosen version, or the platform's setting, prescribes);
- X-Request-ID and X-Correlation-ID on every request (:func:`~ocpihub.outbound.headers.complete`);
- URLs as given (callers build them with :func:`~ocpihub.outbound.urls.join_url`), and 307/308
  answers followed within the URL policy (:mod:`ocpihub.outbound.redirects`);
- calls to a platform held back while the hub's token with it is being exchanged, and sent
  with the new token afterwards (:mod:`ocpihub.outbound.token_gate`).

Transport failures are translated here, at the boundary, into the hub's errors: a timeout
becomes :class:`~ocpihub.errors.ForwardTimeout` (4002), anything that kept the request from
being answered becomes :class:`~ocpihub.errors.ReceiverNotConnected` (4003). Nothing from
aiohttp leaks past this module.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import orjson
import structlog

from ocpihub import __version__
from ocpihub.errors import ForwardTimeout, ReceiverNotConnected
from ocpihub.outbound.auth import PartnerAuth
from ocpihub.outbound.headers import complete
from ocpihub.outbound.limits import CallLimits, Gates
from ocpihub.outbound.redirects import FOLLOWED, MAX_REDIRECTS, RedirectRefused, redirect_target
from ocpihub.outbound.token_gate import TokenGate
from ocpihub.outbound.urls import PolicyResolver, refused_address
from ocpihub.tolerations import Tolerations

__all__ = [
    "CallLimits",
    "Exchange",
    "Observer",
    "OutboundResponse",
    "PartnerAuth",
    "PartnerClient",
    "calling_platform",
]

log = structlog.get_logger("ocpihub.outbound")

_CALLING: ContextVar[int | None] = ContextVar("ocpihub_calling_platform", default=None)


@contextlib.contextmanager
def calling_platform(platform_id: int) -> Iterator[None]:
    """Calls made inside the block are to this platform (the traffic log names it)."""
    token = _CALLING.set(platform_id)
    try:
        yield
    finally:
        _CALLING.reset(token)


@dataclass(frozen=True, slots=True)
class OutboundResponse:
    """What a partner answered."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON."""
        try:
            return orjson.loads(self.body) if self.body else None
        except orjson.JSONDecodeError:
            return None

    @property
    def ocpi_status(self) -> int | None:
        """The envelope's ``status_code``, when the body is an OCPI envelope."""
        parsed = self.json()
        if isinstance(parsed, dict) and isinstance(parsed.get("status_code"), int):
            return int(parsed["status_code"])
        return None

    @property
    def data(self) -> Any:
        """The envelope's ``data``, when the body is an OCPI envelope."""
        parsed = self.json()
        return parsed.get("data") if isinstance(parsed, dict) else None


@dataclass(frozen=True, slots=True)
class Exchange:
    """One finished (or failed) outbound call, as handed to the observer (traffic log)."""

    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: bytes | None
    status: int | None
    response_body: bytes | None
    duration_ms: float
    error: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


Observer = Callable[[Exchange], Awaitable[None]]


class PartnerClient:
    """Calls partners: OCPI Authorization header, ids, JSON bodies, redirects, timeouts."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        max_connections: int = 200,
        observer: Observer | None = None,
        allow_private_addresses: bool = True,
    ) -> None:
        self.timeout = timeout
        self.max_connections = max_connections
        self.observer = observer
        # off: every call is checked where it connects (outbound/urls.py), redirect targets
        # against the same URL policy (outbound/redirects.py)
        self.allow_private_addresses = allow_private_addresses
        # per-partner concurrency limits (interoperability profiles), this process
        self.gates = Gates()
        # where the edges count the deviations partners' profiles let through (app.py sets it)
        self.tolerations: Tolerations | None = None
        self._session: aiohttp.ClientSession | None = None
        self.token_gate = TokenGate(drain_seconds=timeout)

    async def start(self) -> None:
        """Open the pooled session (idempotent)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.max_connections,
                limit_per_host=0,
                resolver=None if self.allow_private_addresses else PolicyResolver(),
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": f"ocpihub/{__version__}"},
                json_serialize=lambda v: orjson.dumps(v).decode(),
            )

    async def close(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def request(
        self,
        method: str,
        url: str,
        *,
        auth: PartnerAuth | None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - a per-call HTTP timeout
        extra: Mapping[str, Any] | None = None,
        limits: CallLimits | None = None,
    ) -> OutboundResponse:
        """Send one request and read the whole answer, following 307/308 within the policy.

        The body is ``json`` encoded here, or ``content``: JSON already encoded, sent as it is.

        ``limits``: the partner's own timeout (it replaces ``timeout``) and concurrency limit
        (the call waits for one of its slots). Raises ForwardTimeout (4002) on timeout and
        ReceiverNotConnected (4003) when the partner could not be reached or the answer could
        not be read.
        """
        if limits is not None and limits.timeout is not None:
            timeout = limits.timeout
        platform_id = (extra or {}).get("platform_id", _CALLING.get())
        async with self.gates.slot(limits), self.token_gate.call(platform_id, auth) as current:
            body = orjson.dumps(json) if json is not None else content
            return await self._request(method, url, current, body, headers, params, timeout, extra)

    async def _request(
        self,
        method: str,
        url: str,
        auth: PartnerAuth | None,
        body: bytes | None,
        headers: Mapping[str, str] | None,
        params: Mapping[str, str] | None,
        timeout: float | None,  # noqa: ASYNC109 - a per-call HTTP timeout
        extra: Mapping[str, Any] | None,
    ) -> OutboundResponse:
        out_headers = complete(headers)
        if auth is not None:
            out_headers["Authorization"] = auth.header()
        if body is not None:
            out_headers["Content-Type"] = "application/json"
        for hop in range(MAX_REDIRECTS + 1):
            response = await self._send(
                method, url, out_headers, body, params, timeout or self.timeout, extra
            )
            if response.status not in FOLLOWED:
                break
            try:
                target = redirect_target(
                    url,
                    response.headers.get("Location"),
                    allow_private=self.allow_private_addresses,
                )
                if hop == MAX_REDIRECTS:
                    raise RedirectRefused(f"more than {MAX_REDIRECTS} redirects in a row")
            except RedirectRefused as exc:
                log.warning("redirect_not_followed", method=method, url=url, reason=str(exc))
                break
            url, params = target, None  # the Location carries the query it wants
            out_headers = complete(out_headers, new_request=True)
        return response

    def _check_literal(self, url: str) -> None:
        """4003 for a URL whose host is an address literal the policy refuses (names are
        checked by the resolver when connecting; address literals never reach it)."""
        if self.allow_private_addresses:
            return
        refused = refused_address(urlsplit(url).hostname or "")
        if refused is not None:
            raise ReceiverNotConnected(
                f"not calling {url}: {refused}, which this hub does not call "
                "(setting allow_private_addresses)"
            )

    async def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None,
        params: Mapping[str, str] | None,
        timeout: float,  # noqa: ASYNC109 - a per-call HTTP timeout
        extra: Mapping[str, Any] | None,
    ) -> OutboundResponse:
        await self.start()
        assert self._session is not None
        self._check_literal(url)
        started = time.perf_counter()
        error: str | None = None
        status: int | None = None
        response_body: bytes | None = None
        try:
            async with self._session.request(
                method,
                url,
                data=body,
                headers=headers,
                params=params,
                timeout=aiohttp.ClientTimeout(total=timeout),
                allow_redirects=False,
            ) as response:
                response_body = await response.read()
                status = response.status
                result = OutboundResponse(status, dict(response.headers), response_body)
        except TimeoutError:
            error = f"timeout after {timeout:g}s calling {method} {url}"
            raise ForwardTimeout(error) from None
        except (aiohttp.ClientError, OSError) as exc:
            error = f"could not reach partner at {url}: {type(exc).__name__}: {exc}"
            raise ReceiverNotConnected(error) from None
        finally:
            if self.observer is not None:
                calling = _CALLING.get()
                if calling is not None and (extra is None or "platform_id" not in extra):
                    extra = {**(extra or {}), "platform_id": calling}
                await self.observer(
                    Exchange(
                        method=method,
                        url=url,
                        request_headers=headers,
                        request_body=body,
                        status=status,
                        response_body=response_body,
                        duration_ms=(time.perf_counter() - started) * 1000,
                        error=error,
                        extra=extra or {},
                    )
                )
        return result
