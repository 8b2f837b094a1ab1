"""The OCPI module routes, found by a dictionary lookup instead of a scan.

The hub serves a few hundred module routes (every module, both interfaces, three versions).
The framework's router tries them one by one, which costs more than the rest of a relayed
request. :class:`RouteIndex` is one route that stands in for all of them: it picks the few
routes of ``/ocpi/{version}/{module}/...`` from a dictionary and matches only those. The
routes themselves stay ordinary FastAPI routes (listed, documented); a path of no module falls
through to the rest of the application (404 there).

A matched route whose endpoint has a ``direct`` form (``inbound/routes.py:bind``: the caller
resolved by calling the route's auth function, then the handler) is answered through it,
without FastAPI's per-request machinery (request wrappers, dependency solving, exit stacks),
which cost more than the hub's own routing. Errors a handler raises reach the application's
exception handlers as before (Starlette's exception middleware around the router). Any other
method (HEAD, a wrong one: 405) goes the framework's way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Receive, Scope, Send

__all__ = ["RouteIndex"]

_SELECTED = "ocpihub.route"


def _key(path: str) -> tuple[str, str] | None:
    """(version, module) of an ``/ocpi/{version}/{module}/...`` path, else None."""
    parts = path.split("/", 4)
    if len(parts) < 4 or parts[1] != "ocpi":
        return None
    return parts[2], parts[3]


class RouteIndex(BaseRoute):
    """Routes under ``/ocpi/{version}/{module}/``, indexed by (version, module)."""

    def __init__(self, routes: Iterable[BaseRoute]) -> None:
        self.routes: list[Route] = []
        self._by_key: dict[tuple[str, str], list[Route]] = defaultdict(list)
        # route -> (its one declared method, the endpoint's direct form)
        self._direct: dict[int, tuple[str, Callable[[Request], Awaitable[Response]]]] = {}
        for route in routes:
            if not isinstance(route, Route):
                raise TypeError(f"only plain routes can be indexed, not {route!r}")
            key = _key(route.path)
            if key is None or "{" in "".join(key):
                raise ValueError(f"{route.path}: not under /ocpi/{{version}}/{{module}}/")
            self.routes.append(route)
            self._by_key[key].append(route)
            direct = getattr(route.endpoint, "direct", None)
            declared = (route.methods or set()) - {"HEAD"}
            if direct is not None and len(declared) == 1:
                self._direct[id(route)] = (next(iter(declared)), direct)

    def answers_directly(self, route: Route) -> bool:
        """Whether ``route``'s requests bypass the framework's endpoint machinery."""
        return id(route) in self._direct

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """The first full match among the routes of the path's (version, module); else a
        partial one (the path exists, not for this method); else none."""
        if scope["type"] != "http":
            return Match.NONE, {}
        key = _key(scope["path"])
        candidates = self._by_key.get(key) if key is not None else None
        if not candidates:
            return Match.NONE, {}
        partial: Scope | None = None
        for route in candidates:
            match, child = route.matches(scope)
            if match is Match.FULL:
                child[_SELECTED] = route
                return Match.FULL, child
            if match is Match.PARTIAL and partial is None:
                child[_SELECTED] = route
                partial = child
        if partial is not None:
            return Match.PARTIAL, partial
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the route :meth:`matches` chose (it answers 405 itself for a wrong method)."""
        route: Route = scope[_SELECTED]
        found = self._direct.get(id(route))
        if found is None or scope["method"] != found[0]:
            await route.handle(scope, receive, send)
            return
        response = await found[1](Request(scope, receive, send))
        await response(scope, receive, send)
