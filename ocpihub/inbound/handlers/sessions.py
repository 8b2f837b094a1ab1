"""Sessions through the hub: the CPOs' pushes in, addressed out, and the eMSPs' requests.

- Receiver interface (``/ocpi/{v}/sessions/receiver/{cc}/{pid}/{session_id}``): a CPO PUTs or
  PATCHes its Sessions and may GET back what the hub holds. Each accepted push is stored (PATCH
  merged with the spec's append rule, :mod:`ocpihub.hub.sessions`) and queued to the ONE party
  it concerns (OCPI-to headers, else the ``cdr_token`` owner; digest §1.9), never broadcast. A
  push for a party the CPO has no ACTIVE sessions agreement with is refused (4001) and nothing
  is stored.
- Sender interface (``/ocpi/{v}/sessions/sender``): GET all lists the sessions addressed to the
  caller's own parties (``date_from`` required, digest §7 item 14); PUT
  ``/{session_id}/charging_preferences`` (2.2+) is relayed synchronously to the CPO.

The work is ``hub/services/sessions.py``'s (steps shared with CDRs:
``hub/services/addressed.py``).
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from ocpihub.errors import MethodNotAllowed, NotFound
from ocpihub.hub.services import sessions as service
from ocpihub.hub.services.addressed import get_own
from ocpihub.inbound.auth import Caller, check_version, runtime_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._addressed import OWNER_ROLES, list_addressed_route, render
from ocpihub.inbound.handlers._objects import check_ids, origin, owned_party, parse_wire
from ocpihub.inbound.handlers._relay import answer
from ocpihub.inbound.interfaces import Declared, HttpRoute, declare
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.modules import ModuleId
from ocpihub.ocpi.version import ocpi_version

__all__ = ["ROUTES"]

MODULE = "sessions"


async def _put(
    request: Request, caller: Caller, version: str, cc: str, pid: str, session_id: str
) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, OWNER_ROLES)
    wire = parse_wire(runtime, version, "Session", await read_json(request), caller.platform)
    check_ids(wire, owner, {"id": session_id}, version)
    created = await service.put(
        runtime.db,
        runtime.enums,
        origin(request, caller),
        owner,
        session_id,
        wire,
    )
    return ocpi_response(http_status=201 if created else 200, include_data=False)


async def _patch(
    request: Request, caller: Caller, version: str, cc: str, pid: str, session_id: str
) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, OWNER_ROLES)
    wire = parse_wire(runtime, version, "SessionPatch", await read_json(request), caller.platform)
    check_ids(wire, owner, {"id": session_id}, version)
    await service.patch(
        runtime.db,
        runtime.enums,
        origin(request, caller),
        owner,
        session_id,
        wire,
    )
    return ocpi_response(include_data=False)


async def _get_own(
    request: Request, caller: Caller, version: str, cc: str, pid: str, session_id: str
) -> Response:
    check_version(caller, version)
    owner = await owned_party(request, caller, cc, pid, OWNER_ROLES)
    found = await get_own(runtime_of(request).db, MODULE, owner, session_id)
    if found is None:
        raise NotFound(f"the hub holds no session {session_id!r} of {owner[0]}-{owner[1]}")
    return ocpi_response(render(version, "Session", *found))


async def _charging_preferences(
    request: Request, caller: Caller, version: str, session_id: str
) -> Response:
    """Relay an eMSP's ChargingPreferences to the CPO of the session, and its answer back."""
    if not ocpi_version(version).has_charging_preferences:
        raise MethodNotAllowed(f"OCPI {version} has no charging preferences")
    check_version(caller, version)
    runtime = runtime_of(request)
    wire = parse_wire(
        runtime, version, "ChargingPreferences", await read_json(request), caller.platform
    )
    reply = await service.charging_preferences(
        runtime.db, runtime.relay, origin(request, caller), session_id, wire
    )
    return answer(request, version, reply)


def _receiver(version: str, path: str) -> list[HttpRoute]:
    own = "/{cc}/{pid}/{session_id}"
    return [
        HttpRoute("PUT", _put, own),
        HttpRoute("PATCH", _patch, own),
        HttpRoute("GET", _get_own, own),
    ]


def _sender(version: str, path: str) -> list[HttpRoute]:
    routes = [list_addressed_route(MODULE, "Session", path, require_date_from=True)]
    if ocpi_version(version).has_charging_preferences:
        preferences = "/{session_id}/charging_preferences"
        routes.append(HttpRoute("PUT", _charging_preferences, preferences))
    return routes


ROUTES: Declared = declare(ModuleId.SESSIONS, receiver=_receiver, sender=_sender)
