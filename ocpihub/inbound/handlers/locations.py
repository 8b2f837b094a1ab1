"""Locations through the hub: the CPOs' pushes in, broadcast out, and the eMSPs' pulls.

- Receiver interface (``/ocpi/{v}/locations/receiver/{cc}/{pid}/{location_id}[/{evse_uid}
  [/{connector_id}]]``): a CPO PUTs or PATCHes its Locations, EVSEs and Connectors, and may GET
  back what the hub holds. Each accepted push is stored into the Location tree and queued, at the
  same level and method, to every agreed receiver (broadcast, digest §1.9).
- Sender interface (``/ocpi/{v}/locations/sender[/{location_id}[/{evse_uid}
  [/{connector_id}]]]``): GET all, merged over the owners the caller's agreements cover, and
  GET one — both from the hub's store, in the caller's version.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.responses import Response

from ocpihub.errors import InvalidParameters, NotFound, UnknownReceiver
from ocpihub.hub.locations import apply_push, find_part
from ocpihub.inbound.auth import Caller, check_version, registered, runtime_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._objects import (
    Push,
    addressed_owners,
    addressed_party,
    canonical,
    check_ids,
    correlation_id,
    egress,
    egress_backported,
    list_visible,
    owned_party,
    parse_wire,
    push_receivers,
    queue,
    visible_owners,
)
from ocpihub.inbound.handlers._relay import (
    forward,
    invalid_object,
    relay_failure,
    relay_object,
    requester_of,
    route_to,
    single_object,
)
from ocpihub.inbound.interfaces import Declared, HttpRoute
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.fields import parse_datetime
from ocpihub.ocpi.modules import InterfaceRole, ModuleId
from ocpihub.outbound.urls import join_url
from ocpihub.outbox.items import ordering_key
from ocpihub.store.objects import ObjectKey, find_visible, get_object, put_object
from ocpihub.store.routing import party_target
from ocpihub.translate import TranslationContext, from_canonical

__all__ = ["ROUTES"]

MODULE = "locations"
_OWNER_ROLES = ("CPO",)


def _name(evse_uid: str | None, connector_id: str | None, patch: bool) -> str:
    base = "Location" if evse_uid is None else "EVSE" if connector_id is None else "Connector"
    return base + ("Patch" if patch else "")


def _suffix(cc: str, pid: str, *ids: str | None) -> str:
    return "/" + "/".join([cc, pid, *(i for i in ids if i is not None)])


async def _push(
    request: Request,
    caller: Caller,
    version: str,
    cc: str,
    pid: str,
    location_id: str,
    evse_uid: str | None,
    connector_id: str | None,
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
    ctx = TranslationContext(
        country_code=owner[0],
        party_id=owner[1],
        now=datetime.now(UTC),
        enums=runtime.enums,
        time_zone=caller.platform.default_time_zone,
    )
    canon = canonical(version, name, wire, ctx)
    key = ObjectKey.of(MODULE, owner[0], owner[1], location_id)
    # read before the transaction: a cache miss must not wait for a second pooled connection
    # while this one is held
    agreed = list(await runtime.directory.agreed_targets(owner, MODULE))
    async with runtime.db.write() as conn:
        stored = await get_object(conn, key, for_update=True)
        document, created = apply_push(
            stored.document if stored else None,
            location_id,
            evse_uid,
            connector_id,
            canon,
            patch=patch,
        )
        whole = evse_uid is None and not patch
        await put_object(
            conn,
            key,
            document=document,
            last_updated=parse_datetime(document["last_updated"]),
            source_version=version,
            original=wire if whole else None,
            newer_only=whole,
        )
        receivers = push_receivers(
            request,
            runtime.settings.hub_party,
            agreed,
            MODULE,
            sender_platform_id=caller.platform.id,
        )
        await queue(
            conn,
            Push(
                owner=owner,
                sender_platform_id=caller.platform.id,
                module=MODULE,
                method="PATCH" if patch else "PUT",
                url_suffix=_suffix(owner[0], owner[1], location_id, evse_uid, connector_id),
                object_name=name,
                payload=canon,
                original=wire,
                original_version=version,
                ordering_key=ordering_key(MODULE, owner[0], owner[1], location_id),
                correlation_id=correlation_id(request),
            ),
            receivers.targets,
            broadcast=receivers.broadcast,
        )
    return ocpi_response(http_status=201 if created else 200, include_data=False)


async def _get_own(
    request: Request,
    caller: Caller,
    version: str,
    cc: str,
    pid: str,
    location_id: str,
    evse_uid: str | None,
    connector_id: str | None,
) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, _OWNER_ROLES)
    async with runtime.db.read() as conn:
        stored = await get_object(conn, ObjectKey.of(MODULE, owner[0], owner[1], location_id))
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
    evse_uid: str | None,
    connector_id: str | None,
) -> Response:
    """GET one: from the hub's store, among the objects of the addressed party when OCPI-to
    names one (ids are unique per party only); one the hub lacks is asked of that party."""
    check_version(caller, version)
    runtime = runtime_of(request)
    owner = addressed_party(request, runtime.settings.hub_party)
    async with runtime.db.read() as conn:
        owners = addressed_owners(
            request, runtime, await visible_owners(conn, caller, MODULE), MODULE
        )
        stored = await find_visible(conn, MODULE, location_id, owners)
    if stored is None:
        if owner is not None:
            return await _forward_get(request, caller, version, owner)
        raise NotFound(f"no location {location_id!r} that your agreements let you see")
    backports = caller.platform.profile.backports
    exact = stored.original is not None and stored.source_version == version
    if evse_uid is None and (exact or not backports):
        return ocpi_response(egress(version, "Location", stored))
    name = "Location" if evse_uid is None else _name(evse_uid, connector_id, False)
    part = (
        stored.document if evse_uid is None else find_part(stored.document, evse_uid, connector_id)
    )
    if part is None:
        raise NotFound(f"location {location_id!r} has no such EVSE/connector")
    if backports:  # the caller's profile takes newer fields
        return ocpi_response(egress_backported(version, name, part, backports))
    data, _ = from_canonical(version, name, part)
    return ocpi_response(data)


async def _forward_get(
    request: Request, caller: Caller, version: str, owner: tuple[str, str]
) -> Response:
    """GET one the hub lacks, addressed to its owner: ask the owner, relay the answer."""
    runtime = runtime_of(request)
    async with runtime.db.read() as conn:
        targets = await party_target(conn, owner, MODULE, interface_role="SENDER")
    target = next((t for t in targets if t.role == "CPO" and t.endpoint_url), None)
    if target is None:
        raise UnknownReceiver(f"{owner[0]}-{owner[1]} publishes no locations Sender endpoint")
    requester = await requester_of(runtime.directory, request, caller)
    route = await route_to(runtime.directory, requester, target, MODULE)
    ids = [request.path_params["location_id"], *(i for i in _ids(request) if i is not None)]
    url = join_url(route.url, *(quote(i, safe="") for i in ids))
    answer = await forward(runtime, request, route, "GET", url, module=MODULE)
    if not answer.success:
        return relay_failure(version, answer)
    name = ("Location", "EVSE", "Connector")[len(ids) - 1]
    try:
        data = single_object(answer, name)
        wire = parse_wire(runtime, route.version, name, data, route.platform)
    except InvalidParameters as exc:
        raise invalid_object(answer, name, exc.message) from None
    if route.platform.profile.tolerate:  # what its profile let through, in the spec's form
        data = wire
    if route.version != version:
        ctx = TranslationContext(
            country_code=owner[0],
            party_id=owner[1],
            enums=runtime.enums,
            time_zone=route.platform.default_time_zone,
        )
        data, _ = from_canonical(version, name, canonical(route.version, name, wire, ctx))
    return relay_object(version, answer, data)


def _ids(request: Request) -> tuple[str | None, str | None]:
    params = request.path_params
    return params.get("evse_uid"), params.get("connector_id")


_LEVELS = ("", "/{evse_uid}", "/{evse_uid}/{connector_id}")


def _receiver(version: str, path: str) -> list[HttpRoute]:
    async def put(
        cc: str, pid: str, location_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        evse_uid, connector_id = _ids(request)
        return await _push(
            request, c, version, cc, pid, location_id, evse_uid, connector_id, patch=False
        )

    async def patch(
        cc: str, pid: str, location_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        evse_uid, connector_id = _ids(request)
        return await _push(
            request, c, version, cc, pid, location_id, evse_uid, connector_id, patch=True
        )

    async def get_own(
        cc: str, pid: str, location_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        evse_uid, connector_id = _ids(request)
        return await _get_own(request, c, version, cc, pid, location_id, evse_uid, connector_id)

    own = "/{cc}/{pid}/{location_id}"
    return [
        HttpRoute(method, handler, own + level)
        for level in _LEVELS
        for handler, method in ((put, "PUT"), (patch, "PATCH"), (get_own, "GET"))
    ]


def _sender(version: str, path: str) -> list[HttpRoute]:
    async def list_all(request: Request, c: Caller = Depends(registered)) -> Response:
        check_version(c, version)
        return await list_visible(request, c, MODULE, "Location", base_path=path)

    async def get_one(
        location_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        evse_uid, connector_id = _ids(request)
        return await _get_one(request, c, version, location_id, evse_uid, connector_id)

    one = [HttpRoute("GET", get_one, "/{location_id}" + level) for level in _LEVELS]
    return [HttpRoute("GET", list_all), *one]


ROUTES: Declared = {
    (ModuleId.LOCATIONS, InterfaceRole.RECEIVER): _receiver,
    (ModuleId.LOCATIONS, InterfaceRole.SENDER): _sender,
}
