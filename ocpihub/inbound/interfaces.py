"""How a handler module declares the routes of the hub's OCPI interfaces.

A handler module declares, per (module, interface role) it serves, a :data:`RouteBuilder`: given
a version and the interface's path it answers the routes to mount below that path. The one loop
in ``inbound/routes.py`` calls them for every version the module table offers and records each
interface it mounted (``hub/interfaces.py``), so the version details list exactly what is served.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from starlette.responses import Response

from ocpihub.ocpi.modules import InterfaceRole, ModuleId

__all__ = ["Declared", "HttpRoute", "RouteBuilder"]


@dataclass(frozen=True, slots=True)
class HttpRoute:
    """One route of an interface: ``method`` on the interface's path + ``path``."""

    method: str
    endpoint: Callable[..., Awaitable[Response]]
    path: str = ""


RouteBuilder = Callable[[str, str], Sequence[HttpRoute]]
"""(version, the interface's path) → the interface's routes, in matching order."""

Declared = Mapping[tuple[ModuleId, InterfaceRole | None], RouteBuilder]
"""What a handler module serves: its ``ROUTES``."""
