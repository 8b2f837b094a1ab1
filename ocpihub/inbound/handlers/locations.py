"""Locations through the hub: the CPOs' pushes in, broadcast out, and the eMSPs' pulls.

- Receiver interface (``/ocpi/{v}/locations/receiver/{cc}/{pid}/{location_id}[/{evse_uid}
  [/{connector_id}]]``): a CPO PUTs or PATCHes its Locations, EVSEs and Connectors, and may GET
  back what the hub holds. Each accepted push is stored into the Location tree and queued, at the
  same level and method, to every agreed receiver (broadcast, digest §1.9).
- Sender interface (``/ocpi/{v}/locations/sender[/{location_id}[/{evse_uid}
  [/{connector_id}]]]``): GET all, merged over the owners the caller's agreements cover, and
  GET one — both from the hub's store, in the caller's version.

The work — store, outbox, asking the owner for a Location the hub lacks — is
``hub/services/locations.py``'s.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from ocpihub.errors import NotFound
from ocpihub.hub.locations import find_part
from ocpihub.hub.relay import Reply
from ocpihub.hub.services import locations as service
from ocpihub.hub.services.locations import LocationIds
from ocpihub.inbound.auth import Caller, check_version, runtime_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._objects import (
    check_ids,
    egress,
    egress_backported,
    list_visible_route,
    origin,
    owned_party,
    parse_wire,
)
from ocpihub.inbound.handlers._relay import answer
from ocpihub.inbound.interfaces import Declared, HttpRoute, declare
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.modules import ModuleId
from ocpihub.translate import from_canonical

__all__ = ["ROUTES"]

MODULE = "locations"
_OWNER_ROLES = ("CPO",)


def _name(evse_uid: str | None, connector_id: str | None, patch: bool) -> str:
    base = "Location" if evse_uid is None else "EVSE" if connector_id is None else "Connector"
    return base + ("Patch" if patch else "")


async def _push(
    request: Request,
    caller: Caller,
    version: str,
    cc: str,
    pid: str,
    location_id: str,
    evse_uid: str | None = None,
    connector_id: str | None = None,
    *,
    patch: bool,
) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, _OWNER_ROLES)
    name = _name(evse_uid, connector_id, patch)
    wire = parse_wire(runtime, version, name, await read_json(request), caller.platform)
    ids = {"id": location_id} if evse_uid is None else {"uid": evse_uid}
    if connector_id is not None:
        ids = {"id": connector_id}
    check_ids(wire, owner, ids, version)
    created = await service.push(
        runtime.db,
        runtime.directory,
        origin(request, caller),
        owner,
        LocationIds(location_id, evse_uid, connector_id),
        name=name,
        wire=wire,
        patch=patch,
        enums=runtime.enums,
    )
    return ocpi_response(http_status=201 if created else 200, include_data=False)


async def _get_own(
    request: Request,
    caller: Caller,
    version: str,
    cc: str,
    pid: str,
    location_id: str,
    evse_uid: str | None = None,
    connector_id: str | None = None,
) -> Response:
    check_version(caller, version)
    owner = await owned_party(request, caller, cc, pid, _OWNER_ROLES)
    stored = await service.get_own(runtime_of(request).db, owner, location_id)
    part = find_part(stored.document, evse_uid, connector_id) if stored else None
    if part is None:
        raise NotFound(f"the hub holds no {_name(evse_uid, connector_id, False)} here")
    data, _ = from_canonical(version, _name(evse_uid, connector_id, False), part)
    return ocpi_response(data)


async def _get_one(
    request: Request,
    caller: Caller,
    version: str,
    location_id: str,
    evse_uid: str | None = None,
    connector_id: str | None = None,
) -> Response:
    """GET one: from the hub's store, or relayed from the owner OCPI-to names."""
    check_version(caller, version)
    runtime = runtime_of(request)
    ids = LocationIds(location_id, evse_uid, connector_id)
    found = await service.get_one(runtime.db, runtime.relay, origin(request, caller), ids)
    if isinstance(found, Reply):
        return answer(request, version, found)
    if found is None:
        raise NotFound(f"no location {location_id!r} that your agreements let you see")
    backports = caller.platform.profile.backports
    exact = found.original is not None and found.source_version == version
    if evse_uid is None and (exact or not backports):
        return ocpi_response(egress(version, "Location", found))
    name = "Location" if evse_uid is None else _name(evse_uid, connector_id, False)
    part = found.document if evse_uid is None else find_part(found.document, evse_uid, connector_id)
    if part is None:
        raise NotFound(f"location {location_id!r} has no such EVSE/connector")
    if backports:  # the caller's profile takes newer fields
        return ocpi_response(egress_backported(version, name, part, backports))
    data, _ = from_canonical(version, name, part)
    return ocpi_response(data)


_LEVELS = ("", "/{evse_uid}", "/{evse_uid}/{connector_id}")  # Location, EVSE, Connector


def _receiver(version: str, path: str) -> list[HttpRoute]:
    own = "/{cc}/{pid}/{location_id}"
    return [
        route
        for level in _LEVELS
        for route in (
            HttpRoute("PUT", _push, own + level, {"patch": False}),
            HttpRoute("PATCH", _push, own + level, {"patch": True}),
            HttpRoute("GET", _get_own, own + level),
        )
    ]


def _sender(version: str, path: str) -> list[HttpRoute]:
    one = [HttpRoute("GET", _get_one, "/{location_id}" + level) for level in _LEVELS]
    return [list_visible_route(MODULE, "Location", path), *one]


ROUTES: Declared = declare(ModuleId.LOCATIONS, receiver=_receiver, sender=_sender)
