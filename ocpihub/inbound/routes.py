"""The OCPI module routes, built once per process from the module table by one loop.

Every handler module under ``inbound/handlers/`` declares ``ROUTES``: a route builder per
(module, interface role) it serves (``inbound/interfaces.py``). :func:`build` walks the module
table (``ocpi/modules.py``): for every module, every version that defines it and every interface
the hub serves of it, it mounts the declared routes below the interface's path and records the
interface for the version details. A table entry nobody declared, or a declaration the table
does not know, is an error at start-up, so what is served, what is listed and what the table
says cannot drift apart.

A declared route names a module-level function; :func:`bind` is the one place that turns it into
an endpoint: the caller from the route's ``auth`` dependency (``registered``: token C), the path
values from the request in the order the path names them, the version the loop is mounting and
the route's fixed keyword arguments. Whether the function takes them is checked at start-up.

Building routes is most of what creating the application costs, and nothing in a route depends
on settings (handlers reach the runtime through the request), so :func:`module_routes` builds
them once per process and every application shares them.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response
from starlette.routing import compile_path

from ocpihub.hub.interfaces import Interface, InterfaceRegistry, module_path
from ocpihub.inbound import handlers
from ocpihub.inbound.auth import Caller
from ocpihub.inbound.interfaces import Declared, Handler, HttpRoute, RouteBuilder
from ocpihub.inbound.route_index import RouteIndex
from ocpihub.ocpi.modules import TABLE, InterfaceRole, ModuleId

__all__ = ["ModuleRoutes", "bind", "build", "declared", "module_routes"]


@dataclass(frozen=True, slots=True)
class ModuleRoutes:
    """The mounted module routes (one indexed route) and the interfaces they serve."""

    index: RouteIndex
    interfaces: InterfaceRegistry


def bind(route: HttpRoute, version: str) -> Handler:
    """The endpoint of ``route`` in ``version``: ``route.handler(request, caller, version,
    *path_values, **route.fixed)``, the caller resolved by ``route.auth``.

    ``endpoint.direct(request)`` does the same without the framework's dependency solving
    (``route.auth`` called directly): :class:`RouteIndex` answers requests through it.

    The endpoint names no path parameter, so the framework validates none (they are strings
    either way) and shows none; a function that cannot take what the route passes is a
    ``TypeError`` here, at start-up, not on the first request.
    """
    handler, fixed = route.handler, dict(route.fixed)
    names = tuple(compile_path(route.path)[2])  # the path's parameters, in order
    try:
        inspect.signature(handler).bind(None, None, version, *names, **fixed)
    except TypeError as exc:
        where = f"{route.method} {route.path or '/'}"
        raise TypeError(f"{handler.__qualname__} cannot answer {where}: {exc}") from None

    async def endpoint(request: Request, caller: Caller = Depends(route.auth)) -> Response:
        params = request.path_params
        return await handler(request, caller, version, *[params[n] for n in names], **fixed)

    auth = route.auth

    async def direct(request: Request) -> Response:
        # what the framework does for ``endpoint``, without its per-request machinery
        return await endpoint(request, await auth(request))

    endpoint.__name__ = handler.__name__.lstrip("_")
    endpoint.__doc__ = handler.__doc__
    endpoint.direct = direct  # type: ignore[attr-defined]  # read by RouteIndex
    return endpoint


def declared() -> dict[tuple[ModuleId, InterfaceRole | None], RouteBuilder]:
    """The ``ROUTES`` of every handler module, merged; one declaration per interface."""
    found: dict[tuple[ModuleId, InterfaceRole | None], RouteBuilder] = {}
    for info in pkgutil.iter_modules(handlers.__path__):
        if info.name.startswith("_"):
            continue
        handler = importlib.import_module(f"{handlers.__name__}.{info.name}")
        routes: Declared = getattr(handler, "ROUTES", {})
        for key, builder in routes.items():
            if key in found:
                raise ValueError(f"{key[0].value} {key[1]}: declared twice ({info.name})")
            found[key] = builder
    return found


def build(routes: Declared) -> ModuleRoutes:
    """Mount ``routes`` for every interface the module table says the hub serves."""
    router = APIRouter()
    served: list[Interface] = []
    for entry in TABLE:
        for version in entry.versions:
            for role in entry.hub_interfaces:
                builder = routes.get((entry.id, role))
                if builder is None:
                    raise LookupError(f"no handler declares {entry.id.value} {role} routes")
                path = module_path(version, entry.id, role)
                for route in builder(version, path):
                    endpoint = bind(route, version)
                    router.add_api_route(
                        path + route.path,
                        endpoint,
                        methods=[route.method],
                        name=f"{version}:{entry.id.value}:{endpoint.__name__}",
                    )
                served.append(Interface(version, entry.id, role))
    unknown = set(routes) - {(m.id, role) for m in TABLE for role in m.hub_interfaces}
    if unknown:
        names = sorted(f"{module.value} {role}" for module, role in unknown)
        raise LookupError(f"routes declared for interfaces the table lacks: {names}")
    return ModuleRoutes(RouteIndex(router.routes), InterfaceRegistry(served))


@functools.cache
def module_routes() -> ModuleRoutes:
    """The hub's module routes, built on first use and shared by every application."""
    return build(declared())
