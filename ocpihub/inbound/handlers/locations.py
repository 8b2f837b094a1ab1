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

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from ocpihub.errors import NotFound, UnknownReceiver
from ocpihub.hub.locations import apply_push, find_part
from ocpihub.hub.routing import broadcast
from ocpihub.inbound.auth import Caller, registered, runtime_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._objects import (
    Push,
    canonical,
    check_ids,
    correlation_id,
    egress,
    list_visible,
    owned_party,
    parse_wire,
    queue,
    version_of,
    visible_owners,
)
from ocpihub.inbound.interfaces import InterfaceRegistry
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.fields import parse_datetime
from ocpihub.ocpi.headers import PartyRef, parse_routing_headers
from ocpihub.ocpi.versions import SUPPORTED_VERSIONS, InterfaceRole, ModuleId
from ocpihub.outbound.auth import PartnerAuth
from ocpihub.outbound.headers import request_headers
from ocpihub.outbound.urls import join_url
from ocpihub.outbox.items import ordering_key
from ocpihub.store.objects import ObjectKey, find_visible, get_object, put_object
from ocpihub.store.platforms import get_platform
from ocpihub.store.routing import party_target
from ocpihub.translate import TranslationContext, from_canonical

__all__ = ["mount"]

MODULE = "locations"
_OWNER_ROLES = ("CPO",)


def _name(evse_uid: str | None, connector_id: str | None, patch: bool) -> str:
    base = "Location" if evse_uid is None else "EVSE" if connector_id is None else "Connector"
    return base + ("Patch" if patch else "")


def _suffix(cc: str, pid: str, *ids: str | None) -> str:
    return "/" + "/".join([cc, pid, *(i for i in ids if i is not None)])


def _check_version(caller: Caller, version: str) -> None:
    if version_of(caller) != version:
        raise NotFound(
            f"your platform registered with OCPI {caller.platform.version}: use its endpoints"
        )


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
    _check_version(caller, version)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, _OWNER_ROLES)
    name = _name(evse_uid, connector_id, patch)
    wire = parse_wire(runtime, version, name, await read_json(request))
    ids = {"id": location_id} if evse_uid is None else {"uid": evse_uid}
    if connector_id is not None:
        ids = {"id": connector_id}
    check_ids(wire, owner, ids, version)
    ctx = TranslationContext(
        country_code=owner[0], party_id=owner[1], now=datetime.now(UTC), enums=runtime.enums
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
        targets = broadcast(agreed, MODULE, sender_platform_id=caller.platform.id)
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
            targets,
            broadcast=True,
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
    _check_version(caller, version)
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
    _check_version(caller, version)
    runtime = runtime_of(request)
    async with runtime.db.read() as conn:
        owners = await visible_owners(conn, caller, MODULE)
        stored = await find_visible(conn, MODULE, location_id, owners)
    if stored is None:
        to_party = parse_routing_headers(request.headers).to_party
        if to_party is not None:
            return await _forward_get(request, caller, version, to_party, owners, request.url.path)
        raise NotFound(f"no location {location_id!r} that your agreements let you see")
    if evse_uid is None:
        return ocpi_response(egress(version, "Location", stored))
    part = find_part(stored.document, evse_uid, connector_id)
    if part is None:
        raise NotFound(f"location {location_id!r} has no such EVSE/connector")
    data, _ = from_canonical(version, _name(evse_uid, connector_id, False), part)
    return ocpi_response(data)


async def _forward_get(
    request: Request,
    caller: Caller,
    version: str,
    to_party: PartyRef,
    owners: set[tuple[str, str]],
    path: str,
) -> Response:
    """GET one the hub lacks, addressed to its owner: ask the owner, relay the answer."""
    owner = (to_party.country_code, to_party.party_id)
    if owner not in owners:
        raise UnknownReceiver(f"{to_party} is not a party your agreements let you reach")
    runtime = runtime_of(request)
    async with runtime.db.read() as conn:
        targets = await party_target(conn, owner, MODULE, interface_role="SENDER")
        target = next((t for t in targets if t.role == "CPO" and t.endpoint_url), None)
        platform = await get_platform(conn, target.platform_id) if target else None
    if target is None or target.endpoint_url is None or platform is None:
        raise UnknownReceiver(f"{to_party} publishes no locations Sender endpoint")
    suffix = path.split("/locations/sender", 1)[1]
    requester = parse_routing_headers(request.headers).from_party
    headers = request_headers(
        version=platform.version,
        module=MODULE,
        correlation_id=correlation_id(request),
        sender=None if requester is None else (requester.country_code, requester.party_id),
        receiver=owner,
    )
    answer = await runtime.client.request(
        "GET",
        join_url(target.endpoint_url, suffix),
        auth=PartnerAuth.of(platform),
        headers=headers,
        timeout=runtime.settings.request_timeout,
        extra={"module": "locations", "platform_id": platform.id},
    )
    data = answer.data
    if answer.status != 200 or answer.ocpi_status != 1000 or not isinstance(data, dict):
        status = answer.ocpi_status or 2000
        message = f"the owner {to_party} answered HTTP {answer.status}, status_code {status}"
        return ocpi_response(
            status_code=status if status < 4000 else 4000,
            status_message=message,
            http_status=answer.status if 400 <= answer.status < 500 else 200,
        )
    name = (
        "Location" if suffix.count("/") == 1 else "EVSE" if suffix.count("/") == 2 else "Connector"
    )
    owner_version = platform.version or version
    if owner_version != version:
        ctx = TranslationContext(country_code=owner[0], party_id=owner[1], enums=runtime.enums)
        wire = parse_wire(runtime, owner_version, name, data)
        data, _ = from_canonical(version, name, canonical(owner_version, name, wire, ctx))
    return ocpi_response(data)


def mount(router: APIRouter, interfaces: InterfaceRegistry) -> None:
    """Add the Locations routes of every version to ``router`` and list them in ``interfaces``."""
    for version in SUPPORTED_VERSIONS:
        receiver = interfaces.add(version, ModuleId.LOCATIONS, InterfaceRole.RECEIVER)
        sender = interfaces.add(version, ModuleId.LOCATIONS, InterfaceRole.SENDER)
        _mount_version(router, version, receiver, sender)


def _ids(request: Request) -> tuple[str | None, str | None]:
    params = request.path_params
    return params.get("evse_uid"), params.get("connector_id")


def _mount_version(router: APIRouter, version: str, receiver: str, sender: str) -> None:
    own = f"{receiver}/{{cc}}/{{pid}}/{{location_id}}"

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

    async def list_all(request: Request, c: Caller = Depends(registered)) -> Response:
        _check_version(c, version)
        return await list_visible(request, c, MODULE, "Location", base_path=sender)

    async def get_one(
        location_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        evse_uid, connector_id = _ids(request)
        return await _get_one(request, c, version, location_id, evse_uid, connector_id)

    levels = ("", "/{evse_uid}", "/{evse_uid}/{connector_id}")
    for level in levels:
        for handler, method in ((put, "PUT"), (patch, "PATCH"), (get_own, "GET")):
            router.add_api_route(
                own + level, handler, methods=[method], name=f"{version}:{method}:{level}"
            )
    router.add_api_route(sender, list_all, methods=["GET"], name=f"{version}:list")
    for level in levels:
        router.add_api_route(
            sender + "/{location_id}" + level,
            get_one,
            methods=["GET"],
            name=f"{version}:one{level}",
        )
