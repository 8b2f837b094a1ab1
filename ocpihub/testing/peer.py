"""A small real OCPI platform for tests: :class:`Peer`.

A Peer is what a CPO's or an eMSP's platform looks like to the hub, reduced to what tests need:
it serves versions, version details, credentials and every module endpoint of ONE OCPI version;
it checks the token on every request; it records everything it receives; and it can register
with the hub (platform-initiated) or be registered by it (hub-initiated). Tests assert on
``peer.received``, never on hub internals. Integrators can use it the same way.

Serve it with any ASGI server on loopback (``peer.app``), then set ``peer.base_url``.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import ssl
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson
from multidict import CIMultiDict
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ocpihub.ocpi.modules import SUPPORTED_VERSIONS, implemented_interfaces, offers
from ocpihub.ocpi.version import OcpiVersion, TokenForm, ocpi_version
from ocpihub.testing.sender_list import SenderList

__all__ = ["DEFAULT_MODULES", "Peer", "Received"]

DEFAULT_MODULES: dict[str, list[tuple[str, str]]] = {
    role: implemented_interfaces(role, "2.2.1") for role in ("CPO", "EMSP")
}
"""Role → (module, interface role) a CPO's or eMSP's platform implements unless told otherwise:
what the module table gives its role in OCPI 2.2.1 (digest §6). The modules 2.3.0 adds
(payments, bookings) are opt-in: pass ``modules``."""


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _envelope(data: Any = None, status_code: int = 1000, message: str | None = None) -> bytes:
    body: dict[str, Any] = {"status_code": status_code, "timestamp": _now()}
    if data is not None:
        body["data"] = data
    if message:
        body["status_message"] = message
    return orjson.dumps(body)


@dataclass
class Received:
    """One request the peer received (whether or not it accepted it)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    token: str | None
    token_was_base64: bool | None
    accepted: bool
    module: str | None = None
    rest: str = ""
    redirected: bool = False  # answered 307 (``redirect_to_slash``), not handled

    def header(self, name: str) -> str | None:
        """A request header by case-insensitive name."""
        return self.headers.get(name.lower())


Handler = Callable[[Received], Awaitable[tuple[int, Any]] | tuple[int, Any]]


@dataclass
class Peer:
    """One OCPI platform speaking ``version``, hosting ``parties`` [(role, cc, pid), ...]."""

    version: str
    parties: list[tuple[str, str, str]]
    name: str = "peer"
    modules: list[tuple[str, str]] | None = None
    strict_encoding: bool = True
    send_base64: bool | None = None
    base_url: str = ""
    received: list[Received] = field(default_factory=list)
    accepted_tokens: set[str] = field(default_factory=set)
    hub_token: str | None = None
    hub_endpoints: dict[tuple[str, str], str] = field(default_factory=dict)
    hub_credentials: dict[str, Any] | None = None
    handlers: dict[tuple[str, str], Handler] = field(default_factory=dict)
    registered: bool = False
    down: bool = False  # while True, every request is answered 503 (a platform in trouble)
    ssl_context: ssl.SSLContext | None = None  # trust for https hubs (e.g. a test certificate)
    # the path of the credentials endpoint below /ocpi/{version}/ (partners choose their URLs)
    credentials_path: str = "credentials"
    # behaviours of third-party servers met in the field (all off: a spec-exact peer)
    versions_any_encoding: bool = False  # the versions list takes either token form
    trailing_slash: bool = False  # credentials and module URLs are published ending in "/"
    redirect_to_slash: bool = False  # a bare endpoint path answers 307 to the path + "/"
    # what the peer publishes on its Sender interfaces (GET all, paged), by module
    sender_lists: dict[str, SenderList] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.modules is None:
            seen: list[tuple[str, str]] = []
            for role, _, _ in self.parties:
                for item in DEFAULT_MODULES.get(role, []):
                    if item not in seen:
                        seen.append(item)
            self.modules = seen
        if self.version in SUPPORTED_VERSIONS:  # what the version lacks is not published
            self.modules = [m for m in self.modules if offers(self.version, m[0])]
        if self.send_base64 is None:
            self.send_base64 = self.speaks.token_form is TokenForm.BASE64
        credentials = "/ocpi/{version}/" + self.credentials_path
        anything = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        self.app = Starlette(
            routes=[
                Route("/ocpi/versions", self._versions, methods=["GET"]),
                Route("/ocpi/{version}", self._details, methods=["GET"]),
                *(
                    Route(p, self._credentials, methods=["GET", "POST", "PUT", "DELETE"])
                    for p in (credentials, credentials + "/")
                ),
                Route("/ocpi/{version}/{module}/{rest:path}", self._module, methods=anything),
                Route("/ocpi/{version}/{module}", self._module, methods=anything),
            ]
        )

    @property
    def speaks(self) -> OcpiVersion:
        """What the peer's version can say (one the hub lacks, e.g. to test refusals, says
        what the newest one says)."""
        if self.version not in SUPPORTED_VERSIONS:
            return OcpiVersion(self.version)
        return ocpi_version(self.version)

    # --- what the peer publishes -------------------------------------------------------------

    @property
    def versions_url(self) -> str:
        """The peer's own versions endpoint."""
        return f"{self.base_url}/ocpi/versions"

    def module_url(self, module: str, role: str) -> str:
        """The peer's URL for one of its interfaces, as its version details publish it."""
        slash = "/" if self.trailing_slash else ""
        return self.base_url + self._module_path(module, role) + slash

    @property
    def credentials_url(self) -> str:
        """The peer's credentials endpoint, as its version details publish it."""
        slash = "/" if self.trailing_slash else ""
        return f"{self.base_url}/ocpi/{self.version}/{self.credentials_path}{slash}"

    def _module_path(self, module: str, role: str) -> str:
        if not self.speaks.has_roles:  # one party: its endpoints carry no role
            return f"/ocpi/{self.version}/{module}"
        return f"/ocpi/{self.version}/{module}/{role.lower()}"

    def _bare_paths(self) -> set[str]:
        assert self.modules is not None
        paths = {self._module_path(m, r) for m, r in self.modules}
        return paths | {f"/ocpi/{self.version}/{self.credentials_path}"}

    def credentials_body(self, token: str) -> dict[str, Any]:
        """The peer's credentials object in its version's shape."""
        if not self.speaks.has_roles:
            _, cc, pid = self.parties[0]
            return {
                "token": token,
                "url": self.versions_url,
                "business_details": {"name": self.name},
                "country_code": cc,
                "party_id": pid,
            }
        return {
            "token": token,
            "url": self.versions_url,
            "roles": [
                {
                    "role": role,
                    "country_code": cc,
                    "party_id": pid,
                    "business_details": {"name": f"{self.name} {cc}-{pid}"},
                }
                for role, cc, pid in self.parties
            ],
        }

    def issue_token(self) -> str:
        """A new token the hub may use to call this peer (e.g. a token A for the operator)."""
        token = secrets.token_urlsafe(24)
        self.accepted_tokens.add(token)
        return token

    def on(self, method: str, module: str, handler: Handler) -> None:
        """Answer ``method`` requests on ``module`` with ``handler(received) -> (http, body)``.

        ``body`` is sent as JSON as is (give a full envelope), or as raw bytes.
        """
        self.handlers[(method.upper(), module)] = handler

    def of(self, module: str, method: str | None = None) -> list[Received]:
        """Accepted requests received on one module (optionally one method)."""
        return [
            r
            for r in self.received
            if r.accepted
            and not r.redirected
            and r.module == module
            and (method is None or r.method == method)
        ]

    # --- request handling ---------------------------------------------------------------------

    def _auth(self, request: Request) -> tuple[str | None, bool | None, bool]:
        header = request.headers.get("authorization")
        if not header or not header.lower().startswith("token "):
            return None, None, False
        lenient = not self.strict_encoding or (
            self.versions_any_encoding and request.url.path.endswith("/ocpi/versions")
        )
        raw = header[6:].strip()
        if raw in self.accepted_tokens:
            return raw, False, lenient or self.speaks.token_form is TokenForm.PLAIN
        try:
            decoded = base64.b64decode(raw, validate=True).decode("ascii")
        except (ValueError, UnicodeDecodeError):
            return raw, False, False
        if decoded in self.accepted_tokens:
            return decoded, True, lenient or self.speaks.token_form is TokenForm.BASE64
        return raw, None, False

    async def _record(
        self, request: Request, module: str | None = None, rest: str = ""
    ) -> Received:
        raw = await request.body()
        try:
            body = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            body = raw.decode("utf-8", "replace")
        token, was_b64, ok = self._auth(request)
        item = Received(
            method=request.method,
            path=request.url.path,
            query=dict(request.query_params),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            token=token,
            token_was_base64=was_b64,
            accepted=ok,
            module=module,
            rest=rest,
        )
        self.received.append(item)
        return item

    @staticmethod
    def _json(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return Response(body, status_code=status, media_type="application/json", headers=headers)

    def _down(self) -> Response:
        return self._json(_envelope(None, 3000, "peer is down"), 503)

    def _redirect(self, request: Request) -> Response | None:
        """307 to the slashed path, for a bare endpoint path (when ``redirect_to_slash``)."""
        path = request.url.path
        if not self.redirect_to_slash or path not in self._bare_paths():
            return None
        target = str(request.url.replace(path=path + "/"))
        return Response(status_code=307, headers={"Location": target})

    def _unauthorized(self) -> Response:
        return self._json(_envelope(None, 2000, "peer: unknown or wrongly encoded token"), 401)

    async def _versions(self, request: Request) -> Response:
        if self.down:
            return self._down()
        item = await self._record(request, "versions")
        if not item.accepted:
            return self._unauthorized()
        url = f"{self.base_url}/ocpi/{self.version}"
        return self._json(_envelope([{"version": self.version, "url": url}]))

    async def _details(self, request: Request) -> Response:
        if self.down:
            return self._down()
        item = await self._record(request, "versions")
        if not item.accepted:
            return self._unauthorized()
        if request.path_params["version"] != self.version:
            return self._json(_envelope(None, 2000, "unsupported version"), 404)
        endpoints: list[dict[str, Any]] = [
            {"identifier": "credentials", "url": self.credentials_url}
        ]
        assert self.modules is not None
        for module, role in self.modules:
            entry = {"identifier": module, "url": self.module_url(module, role)}
            endpoints.append(entry)
        if self.speaks.has_roles:
            for entry in endpoints:
                entry["role"] = "SENDER"
            for entry, (_, role) in zip(endpoints[1:], self.modules, strict=True):
                entry["role"] = role
        return self._json(_envelope({"version": self.version, "endpoints": endpoints}))

    async def _credentials(self, request: Request) -> Response:
        if self.down:
            return self._down()
        item = await self._record(request, "credentials")
        redirect = self._redirect(request)
        if redirect is not None:
            item.redirected = True
            return redirect
        if not item.accepted:
            return self._unauthorized()
        handler = self.handlers.get((request.method, "credentials"))
        if handler is not None:
            return await self._custom(handler, item)
        if request.method == "GET":
            return self._json(_envelope(self.credentials_body(item.token or "")))
        if request.method == "DELETE":
            self.registered = False
            self.hub_token = None
            return self._json(_envelope())
        # POST / PUT: the hub (re)registers with us: fetch its versions with the token it gave
        body = item.body if isinstance(item.body, dict) else {}
        if request.method == "POST" and self.registered:
            return self._json(_envelope(None, 2000, "already registered"), 405)
        if request.method == "PUT" and not self.registered:
            return self._json(_envelope(None, 2000, "not registered"), 405)
        self.hub_token = str(body.get("token"))
        self.hub_credentials = body
        try:
            await self._discover(str(body.get("url")))
        except (RuntimeError, aiohttp.ClientError, TimeoutError) as exc:
            return self._json(_envelope(None, 3001, f"peer could not use the hub's API: {exc}"))
        if item.token:
            self.accepted_tokens.discard(item.token)
        new_token = self.issue_token()
        self.registered = True
        return self._json(_envelope(self.credentials_body(new_token)))

    async def _custom(self, handler: Handler, item: Received) -> Response:
        result = handler(item)
        if asyncio.iscoroutine(result):
            result = await result
        status, body = result  # type: ignore[misc]
        raw = body if isinstance(body, bytes) else orjson.dumps(body)
        return self._json(raw, status)

    async def _module(self, request: Request) -> Response:
        if self.down:
            return self._down()
        module = request.path_params["module"]
        rest = request.path_params.get("rest", "")
        item = await self._record(request, module, rest)
        redirect = self._redirect(request)
        if redirect is not None:
            item.redirected = True
            return redirect
        if not item.accepted:
            return self._unauthorized()
        handler = self.handlers.get((request.method, module))
        if handler is not None:
            return await self._custom(handler, item)
        listed = self.sender_lists.get(module)
        if listed is not None and request.method == "GET" and rest.strip("/") in ("", "sender"):
            url = str(request.url.replace(query=""))
            data, headers = await listed.serve(url, dict(request.query_params))
            return self._json(_envelope(data), headers=headers)
        return self._json(_envelope(self._default_data(item)))

    def _default_data(self, item: Received) -> Any:
        if item.method == "GET":
            return [] if not item.rest.strip("/") else None
        if item.module == "commands" and item.method == "POST":
            if not self.speaks.has_command_timeout:
                return {"result": "ACCEPTED"}
            return {"result": "ACCEPTED", "timeout": 30}
        return None

    # --- acting as a client of the hub ----------------------------------------------------------

    def _auth_header(self, token: str) -> str:
        if self.send_base64:
            return "Token " + base64.b64encode(token.encode()).decode()
        return "Token " + token

    async def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> tuple[int, Any, Mapping[str, str]]:
        """Call the hub; returns (HTTP status, parsed JSON body, response headers)."""
        out = dict(headers or {})
        use = token or self.hub_token
        if use is not None:
            out["Authorization"] = self._auth_header(use)
        data = None
        if json is not None:
            data = orjson.dumps(json)
            out["Content-Type"] = "application/json"
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                method,
                url,
                data=data,
                headers=out,
                params=params,
                allow_redirects=False,
                ssl=self.ssl_context if self.ssl_context is not None else True,
            ) as response,
        ):
            raw = await response.read()
            try:
                parsed = orjson.loads(raw) if raw else None
            except orjson.JSONDecodeError:
                parsed = raw.decode("utf-8", "replace")
            return response.status, parsed, CIMultiDict(response.headers)

    async def _discover(self, versions_url: str) -> None:
        """Fetch the hub's versions and details for our version, with ``hub_token``."""
        status, body, _ = await self.request("GET", versions_url)
        if status != 200 or not isinstance(body, dict):
            raise RuntimeError(f"GET {versions_url} answered {status}")
        match = [v for v in body.get("data") or [] if v.get("version") == self.version]
        if not match:
            raise RuntimeError(f"hub does not offer {self.version}")
        status, body, _ = await self.request("GET", match[0]["url"])
        if status != 200 or not isinstance(body, dict):
            raise RuntimeError(f"GET {match[0]['url']} answered {status}")
        self.hub_endpoints = {
            (e["identifier"], e.get("role", "")): e["url"] for e in body["data"]["endpoints"]
        }

    def hub_url(self, module: str, role: str = "") -> str:
        """The hub's URL for a module interface, as its version details gave it."""
        if (module, role) in self.hub_endpoints:
            return self.hub_endpoints[(module, role)]
        for (ident, _), url in self.hub_endpoints.items():
            # 2.1.1 endpoints carry no role: the hub lists only the one this peer uses
            if ident == module and (not role or not self.speaks.has_roles):
                return url
        raise KeyError(f"hub lists no {module} {role} endpoint for {self.name}")

    async def register(self, hub_versions_url: str, token_a: str) -> tuple[int, Any]:
        """Platform-initiated registration: discover with token A, POST our credentials."""
        self.hub_token = token_a
        await self._discover(hub_versions_url)
        token_b = self.issue_token()
        status, body, _ = await self.request(
            "POST", self.hub_url("credentials"), json=self.credentials_body(token_b)
        )
        if status == 200 and isinstance(body, dict) and body.get("status_code") == 1000:
            self.hub_credentials = body["data"]
            self.hub_token = body["data"]["token"]
            self.registered = True
            await self._discover(body["data"]["url"])
        return status, body

    async def update_credentials(self) -> tuple[int, Any]:
        """PUT new credentials (token rotation); the hub answers with a new token for us."""
        old = set(self.accepted_tokens)
        token_b = self.issue_token()
        status, body, _ = await self.request(
            "PUT", self.hub_url("credentials"), json=self.credentials_body(token_b)
        )
        if status == 200 and isinstance(body, dict) and body.get("status_code") == 1000:
            self.accepted_tokens -= old
            self.hub_credentials = body["data"]
            self.hub_token = body["data"]["token"]
        return status, body

    async def unregister(self) -> tuple[int, Any]:
        """DELETE our registration at the hub."""
        status, body, _ = await self.request("DELETE", self.hub_url("credentials"))
        if status == 200:
            self.registered = False
        return status, body
