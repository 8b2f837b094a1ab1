"""Tariffs through the hub: the CPOs' pushes in, broadcast out, and the eMSPs' pulls.

- Receiver interface (``/ocpi/{v}/tariffs/receiver/{cc}/{pid}/{tariff_id}``): a CPO PUTs and
  DELETEs its Tariffs (2.1.1 CPOs may also PATCH), and may GET back what the hub holds. Each
  accepted push is stored and queued to every agreed receiver (broadcast, digest §1.9).
- A 2.1.1 PATCH is applied to the stored tariff; 2.1.1 receivers are sent the PATCH itself,
  2.2+ receivers (which have no tariff PATCH) the whole patched tariff as a PUT (digest §4.3).
- Sender interface (``/ocpi/{v}/tariffs/sender[/{tariff_id}]``): GET all, merged over the owners
  the caller's agreements cover, and GET one — from the hub's store, in the caller's version.

The work is ``hub/services/tariffs.py``'s.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from ocpihub.errors import NotFound
from ocpihub.hub.services import tariffs as service
from ocpihub.inbound.auth import Caller, check_version, runtime_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._objects import (
    check_ids,
    egress,
    list_visible_route,
    origin,
    owned_party,
    parse_wire,
)
from ocpihub.inbound.interfaces import Declared, HttpRoute, declare
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.modules import ModuleId
from ocpihub.ocpi.version import ocpi_version

__all__ = ["ROUTES"]

MODULE = "tariffs"
_OWNER_ROLES = ("CPO",)


async def _put_or_patch(
    request: Request,
    caller: Caller,
    version: str,
    cc: str,
    pid: str,
    tariff_id: str,
    *,
    patch: bool,
) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, _OWNER_ROLES)
    name = "TariffPatch" if patch else "Tariff"
    wire = parse_wire(runtime, version, name, await read_json(request), caller.platform)
    check_ids(wire, owner, {"id": tariff_id}, version)
    created = await service.put(
        runtime.db,
        origin(request, caller),
        owner,
        tariff_id,
        wire=wire,
        patch=patch,
        enums=runtime.enums,
    )
    return ocpi_response(http_status=201 if created else 200, include_data=False)


async def _delete(
    request: Request, caller: Caller, version: str, cc: str, pid: str, tariff_id: str
) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, _OWNER_ROLES)
    await service.delete(runtime.db, origin(request, caller), owner, tariff_id)
    return ocpi_response(include_data=False)


async def _get_own(
    request: Request, caller: Caller, version: str, cc: str, pid: str, tariff_id: str
) -> Response:
    check_version(caller, version)
    owner = await owned_party(request, caller, cc, pid, _OWNER_ROLES)
    stored = await service.get_own(runtime_of(request).db, owner, tariff_id)
    if stored is None:
        raise NotFound(f"the hub holds no tariff {tariff_id!r} of {owner[0]}-{owner[1]}")
    return ocpi_response(egress(version, "Tariff", stored))


async def _get_one(request: Request, caller: Caller, version: str, tariff_id: str) -> Response:
    check_version(caller, version)
    stored = await service.get_one(runtime_of(request).db, caller.platform.id, tariff_id)
    if stored is None:
        raise NotFound(f"no tariff {tariff_id!r} that your agreements let you see")
    return ocpi_response(egress(version, "Tariff", stored))


def _receiver(version: str, path: str) -> list[HttpRoute]:
    own = "/{cc}/{pid}/{tariff_id}"
    routes = [
        HttpRoute("PUT", _put_or_patch, own, {"patch": False}),
        HttpRoute("DELETE", _delete, own),
        HttpRoute("GET", _get_own, own),
    ]
    if ocpi_version(version).patches_tariffs:  # PATCH left the tariffs receiver in 2.2 (§4.3)
        routes.append(HttpRoute("PATCH", _put_or_patch, own, {"patch": True}))
    return routes


def _sender(version: str, path: str) -> list[HttpRoute]:
    return [list_visible_route(MODULE, "Tariff", path), HttpRoute("GET", _get_one, "/{tariff_id}")]


ROUTES: Declared = declare(ModuleId.TARIFFS, receiver=_receiver, sender=_sender)
