"""How a handler module declares the routes of the hub's OCPI interfaces.

A handler module declares, per (module, interface role) it serves, a :data:`RouteBuilder`: given
a version and the interface's path it answers the routes to mount below that path. The one loop
in ``inbound/routes.py`` calls them for every version the module table offers and records each
interface it mounted (``hub/interfaces.py``), so the version details list exactly what is served.

A route names a module-level function, never an endpoint written for it: ``inbound/routes.py``
binds ``handler(request, caller, version, *path_values, **fixed)`` to the route's method and
path, with the caller from the route's ``auth`` dependency (``registered`` unless it says
otherwise) and the path values read from the request in the order the path names them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.responses import Response

from ocpihub.inbound.auth import Caller, registered
from ocpihub.ocpi.modules import InterfaceRole, ModuleId

__all__ = ["Declared", "Handler", "HttpRoute", "RouteBuilder", "declare"]

Handler = Callable[..., Awaitable[Response]]
"""``handler(request, caller, version, *path_values, **fixed)`` → the answer."""


@dataclass(frozen=True, slots=True)
class HttpRoute:
    """One route of an interface: ``method`` on the interface's path + ``path``, answered by
    ``handler`` with the path's values and ``fixed`` (keyword arguments the route always passes,
    such as ``patch=True``) for the caller ``auth`` resolves."""

    method: str
    handler: Handler
    path: str = ""
    fixed: Mapping[str, Any] = field(default_factory=dict)
    auth: Callable[[Request], Awaitable[Caller]] = registered


RouteBuilder = Callable[[str, str], Sequence[HttpRoute]]
"""(version, the interface's path) → the interface's routes, in matching order."""

Declared = Mapping[tuple[ModuleId, InterfaceRole | None], RouteBuilder]
"""What a handler module serves: its ``ROUTES``."""


def declare(
    module: ModuleId,
    *,
    receiver: RouteBuilder | None = None,
    sender: RouteBuilder | None = None,
) -> Declared:
    """``ROUTES`` of a module's Receiver and Sender interfaces (either may be absent)."""
    roles = ((InterfaceRole.RECEIVER, receiver), (InterfaceRole.SENDER, sender))
    return {(module, role): builder for role, builder in roles if builder is not None}
