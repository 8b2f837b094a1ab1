"""The binder (``inbound/routes.bind``): a declared route's module-level function becomes an
endpoint that receives the request, the caller, the version, the path's values and the
route's fixed arguments; a path or method no route serves answers as before (404, 405)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from starlette.responses import JSONResponse, Response

from ocpihub.errors import InvalidParameters, Unauthorized
from ocpihub.inbound.auth import Caller, any_token, registered
from ocpihub.inbound.interfaces import HttpRoute
from ocpihub.inbound.responses import install_error_handlers
from ocpihub.inbound.route_index import RouteIndex
from ocpihub.inbound.routes import bind, module_routes
from ocpihub.model.parties import Platform, PlatformStatus, TokenEncoding

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def caller(name: str, kind: str = "C") -> Caller:
    platform = Platform(
        1, name, PlatformStatus.REGISTERED, TokenEncoding.AUTO, "2.2.1", None, None, (), NOW, NOW
    )
    return Caller(platform, kind)


async def push(
    request: Request,
    c: Caller,
    version: str,
    cc: str,
    pid: str,
    uid: str,
    sub: str | None = None,
    *,
    patch: bool,
) -> Response:
    """Answers what it was given."""
    return JSONResponse(
        {
            "method": request.method,
            "caller": [c.platform.name, c.token_kind],
            "version": version,
            "values": [cc, pid, uid, sub],
            "patch": patch,
        }
    )


async def listing(request: Request, c: Caller, version: str) -> Response:
    return JSONResponse({"caller": c.token_kind, "version": version})


async def as_registered(request: Request) -> Caller:
    return caller("registered")


async def as_any_token(request: Request) -> Caller:
    return caller("any", "A")


# the two auth functions answering fixed callers (the real ones need a hub)
STAND_INS = {registered: as_registered, any_token: as_any_token}


def app_of(*routes: HttpRoute) -> FastAPI:
    """The routes below /ocpi/2.2.1/things/receiver, mounted as the hub mounts its own, each
    authenticating with the stand-in of the auth function it names."""
    app = FastAPI()
    router = APIRouter()
    for route in routes:
        endpoint = bind(dataclasses.replace(route, auth=STAND_INS[route.auth]), "2.2.1")
        router.add_api_route(
            "/ocpi/2.2.1/things/receiver" + route.path, endpoint, methods=[route.method]
        )
    install_error_handlers(app)
    app.router.routes.insert(0, RouteIndex(router.routes))
    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    own = "/{cc}/{pid}/{uid}"
    app = app_of(
        HttpRoute("PUT", push, own, {"patch": False}),
        HttpRoute("PATCH", push, own, {"patch": True}),
        HttpRoute("PUT", push, own + "/{sub}", {"patch": False}),
        HttpRoute("GET", listing, auth=any_token),
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://hub.test") as c:
        yield c


async def test_path_values_version_fixed_arguments_and_caller_reach_the_function(
    client: httpx.AsyncClient,
) -> None:
    r = await client.patch("/ocpi/2.2.1/things/receiver/NL/ABC/u%201")
    assert r.status_code == 200
    assert r.json() == {
        "method": "PATCH",
        "caller": ["registered", "C"],  # the `registered` dependency's caller
        "version": "2.2.1",
        "values": ["NL", "ABC", "u 1", None],  # in the path's order, decoded
        "patch": True,
    }


async def test_a_deeper_path_passes_its_further_values(client: httpx.AsyncClient) -> None:
    r = await client.put("/ocpi/2.2.1/things/receiver/NL/ABC/U1/S2")
    assert r.json()["values"] == ["NL", "ABC", "U1", "S2"]
    assert r.json()["patch"] is False


async def test_a_route_names_its_own_auth(client: httpx.AsyncClient) -> None:
    r = await client.get("/ocpi/2.2.1/things/receiver")
    assert r.json() == {"caller": "A", "version": "2.2.1"}


def test_routes_authenticate_with_registered_unless_they_say_otherwise() -> None:
    assert HttpRoute("GET", listing).auth is registered


async def test_another_method_on_a_served_path_is_405(client: httpx.AsyncClient) -> None:
    r = await client.delete("/ocpi/2.2.1/things/receiver/NL/ABC/U1")
    assert r.status_code == 405
    assert r.headers["allow"] == "PUT"  # the first route of the path, as before
    assert r.json()["status_code"] == 2000


@pytest.mark.parametrize(
    "path", ["/ocpi/2.2.1/things/receiver/NL", "/ocpi/2.2.1/things/receiver/NL/ABC/U1/S2/x"]
)
async def test_a_path_no_route_serves_is_404(client: httpx.AsyncClient, path: str) -> None:
    r = await client.put(path)
    assert r.status_code == 404
    assert r.json()["status_code"] == 2000


def test_a_function_that_cannot_take_the_path_values_stops_the_build() -> None:
    """Checked when the route is bound (at start-up), not on its first request."""
    with pytest.raises(TypeError, match=r"listing cannot answer GET /\{uid\}"):
        bind(HttpRoute("GET", listing, "/{uid}"), "2.2.1")
    with pytest.raises(TypeError, match="push cannot answer PUT"):
        bind(HttpRoute("PUT", push, "/{cc}/{pid}/{uid}"), "2.2.1")  # no `patch`


def test_endpoints_name_no_path_parameter_and_are_named_after_their_function() -> None:
    """The framework reads no path parameter itself: the values come from the path only."""
    endpoint = bind(HttpRoute("PUT", push, "/{cc}/{pid}/{uid}", {"patch": False}), "2.3.0")
    assert endpoint.__name__ == "push"
    assert list(endpoint.__annotations__) == ["request", "caller", "return"]


def test_every_module_route_is_bound() -> None:
    """Every mounted module route's endpoint is a bound one: request and caller only."""
    endpoints: list[Any] = [route.endpoint for route in module_routes().index.routes]
    assert endpoints
    assert all(e.__code__ is endpoints[0].__code__ for e in endpoints)


def test_every_module_route_is_answered_without_the_framework_machinery() -> None:
    index = module_routes().index
    assert all(index.answers_directly(route) for route in index.routes)


async def refused(request: Request) -> Caller:
    raise Unauthorized("unknown credentials token")


async def broken(request: Request, c: Caller, version: str) -> Response:
    raise InvalidParameters("field 'x' is wrong")


async def test_errors_of_auth_and_handler_reach_the_error_handlers() -> None:
    """Answered directly, an error still becomes the OCPI error answer of its status."""
    app = FastAPI()
    router = APIRouter()
    for path, route in (
        ("/a", HttpRoute("GET", listing, auth=refused)),
        ("/b", HttpRoute("GET", broken, auth=as_registered)),
    ):
        router.add_api_route(
            "/ocpi/2.2.1/things/receiver" + path, bind(route, "2.2.1"), methods=["GET"]
        )
    install_error_handlers(app)
    app.router.routes.insert(0, RouteIndex(router.routes))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://hub.test") as c:
        a = await c.get("/ocpi/2.2.1/things/receiver/a")
        b = await c.get("/ocpi/2.2.1/things/receiver/b")
    assert (a.status_code, a.json()["status_code"]) == (401, 2000)
    assert "unknown credentials token" in a.json()["status_message"]
    assert (b.status_code, b.json()["status_code"]) == (400, 2001)
    assert "field 'x' is wrong" in b.json()["status_message"]
