"""Tariffs through the hub: the CPOs' pushes in, broadcast out, and the eMSPs' pulls.

- Receiver interface (``/ocpi/{v}/tariffs/receiver/{cc}/{pid}/{tariff_id}``): a CPO PUTs and
  DELETEs its Tariffs (2.1.1 CPOs may also PATCH), and may GET back what the hub holds. Each
  accepted push is stored and queued to every agreed receiver (broadcast, digest §1.9).
- A 2.1.1 PATCH is applied to the stored tariff; 2.1.1 receivers are sent the PATCH itself,
  2.2+ receivers (which have no tariff PATCH) the whole patched tariff as a PUT (digest §4.3).
- Sender interface (``/ocpi/{v}/tariffs/sender[/{tariff_id}]``): GET all, merged over the owners
  the caller's agreements cover, and GET one — from the hub's store, in the caller's version.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from ocpihub.errors import NotFound
from ocpihub.inbound.auth import Caller, check_version, registered, runtime_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._objects import (
    Push,
    Receivers,
    canonical,
    check_ids,
    correlation_id,
    egress,
    list_visible,
    owned_party,
    parse_wire,
    push_receivers,
    queue,
    visible_owners,
)
from ocpihub.inbound.interfaces import Declared, HttpRoute
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.fields import parse_datetime
from ocpihub.ocpi.modules import InterfaceRole, ModuleId
from ocpihub.outbox.items import ordering_key
from ocpihub.store.objects import ObjectKey, delete_object, find_visible, get_object, put_object
from ocpihub.store.routing import agreed_targets
from ocpihub.translate import PRIVATE_KEY, TranslationContext

__all__ = ["ROUTES"]

MODULE = "tariffs"
_OWNER_ROLES = ("CPO",)


def _patched(stored: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """A PATCH replaces the fields it names, lists and objects whole (digest §1.3)."""
    merged = dict(stored)
    merged.update({k: v for k, v in patch.items() if k != PRIVATE_KEY})
    return merged


async def _targets(
    conn: AsyncConnection, request: Request, owner: tuple[str, str], caller: Caller
) -> Receivers:
    return push_receivers(
        request,
        runtime_of(request).settings.hub_party,
        await agreed_targets(conn, owner, MODULE),
        MODULE,
        sender_platform_id=caller.platform.id,
    )


def _push(
    request: Request,
    caller: Caller,
    owner: tuple[str, str],
    tariff_id: str,
    version: str,
    *,
    method: str,
    name: str | None,
    payload: dict[str, Any] | None,
    original: dict[str, Any] | None,
) -> Push:
    return Push(
        owner=owner,
        sender_platform_id=caller.platform.id,
        module=MODULE,
        method=method,
        url_suffix=f"/{owner[0]}/{owner[1]}/{tariff_id}",
        object_name=name or "Tariff",
        payload=payload,
        original=original,
        original_version=version,
        ordering_key=ordering_key(MODULE, owner[0], owner[1], tariff_id),
        correlation_id=correlation_id(request),
    )


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
    ctx = TranslationContext(
        country_code=owner[0], party_id=owner[1], now=datetime.now(UTC), enums=runtime.enums
    )
    canon = canonical(version, name, wire, ctx)
    key = ObjectKey.of(MODULE, owner[0], owner[1], tariff_id)
    async with runtime.db.write() as conn:
        stored = await get_object(conn, key, for_update=True)
        if patch and stored is None:
            raise NotFound(
                f"the hub holds no tariff {tariff_id!r} of {owner[0]}-{owner[1]}: PUT it"
            )
        document = _patched(stored.document, canon) if stored and patch else canon
        created = await put_object(
            conn,
            key,
            document=document,
            last_updated=parse_datetime(document["last_updated"]),
            source_version=version,
            original=None if patch else wire,
            newer_only=not patch,
        )
        receivers = await _targets(conn, request, owner, caller)
        targets, fan_out = receivers.targets, receivers.broadcast
        if not patch:
            push = _push(
                request,
                caller,
                owner,
                tariff_id,
                version,
                method="PUT",
                name="Tariff",
                payload=canon,
                original=wire,
            )
            await queue(conn, push, targets, broadcast=fan_out)
        else:
            as_patch = [t for t in targets if t.version == "2.1.1"]
            as_put = [t for t in targets if t.version != "2.1.1"]
            patch_push = _push(
                request,
                caller,
                owner,
                tariff_id,
                version,
                method="PATCH",
                name="TariffPatch",
                payload=canon,
                original=wire,
            )
            put_push = _push(
                request,
                caller,
                owner,
                tariff_id,
                version,
                method="PUT",
                name="Tariff",
                payload=document,
                original=None,
            )
            await queue(conn, patch_push, as_patch, broadcast=fan_out)
            await queue(conn, put_push, as_put, broadcast=fan_out)
    return ocpi_response(http_status=201 if created else 200, include_data=False)


async def _delete(
    request: Request, caller: Caller, version: str, cc: str, pid: str, tariff_id: str
) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, _OWNER_ROLES)
    key = ObjectKey.of(MODULE, owner[0], owner[1], tariff_id)
    async with runtime.db.write() as conn:
        if not await delete_object(conn, key):
            raise NotFound(f"the hub holds no tariff {tariff_id!r} of {owner[0]}-{owner[1]}")
        push = _push(
            request,
            caller,
            owner,
            tariff_id,
            version,
            method="DELETE",
            name=None,
            payload=None,
            original=None,
        )
        receivers = await _targets(conn, request, owner, caller)
        await queue(conn, push, receivers.targets, broadcast=receivers.broadcast)
    return ocpi_response(include_data=False)


async def _get_own(
    request: Request, caller: Caller, version: str, cc: str, pid: str, tariff_id: str
) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, _OWNER_ROLES)
    async with runtime.db.read() as conn:
        stored = await get_object(conn, ObjectKey.of(MODULE, owner[0], owner[1], tariff_id))
    if stored is None:
        raise NotFound(f"the hub holds no tariff {tariff_id!r} of {owner[0]}-{owner[1]}")
    return ocpi_response(egress(version, "Tariff", stored))


async def _get_one(request: Request, caller: Caller, version: str, tariff_id: str) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    async with runtime.db.read() as conn:
        owners = await visible_owners(conn, caller, MODULE)
        stored = await find_visible(conn, MODULE, tariff_id, owners)
    if stored is None:
        raise NotFound(f"no tariff {tariff_id!r} that your agreements let you see")
    return ocpi_response(egress(version, "Tariff", stored))


def _receiver(version: str, path: str) -> list[HttpRoute]:
    async def put_tariff(
        cc: str, pid: str, tariff_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _put_or_patch(request, c, version, cc, pid, tariff_id, patch=False)

    async def patch_tariff(
        cc: str, pid: str, tariff_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _put_or_patch(request, c, version, cc, pid, tariff_id, patch=True)

    async def delete_tariff(
        cc: str, pid: str, tariff_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _delete(request, c, version, cc, pid, tariff_id)

    async def get_tariff(
        cc: str, pid: str, tariff_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _get_own(request, c, version, cc, pid, tariff_id)

    own = "/{cc}/{pid}/{tariff_id}"
    routes = [
        HttpRoute("PUT", put_tariff, own),
        HttpRoute("DELETE", delete_tariff, own),
        HttpRoute("GET", get_tariff, own),
    ]
    if version == "2.1.1":  # PATCH left the tariffs receiver interface in 2.2 (digest §4.3)
        routes.append(HttpRoute("PATCH", patch_tariff, own))
    return routes


def _sender(version: str, path: str) -> list[HttpRoute]:
    async def list_tariffs(request: Request, c: Caller = Depends(registered)) -> Response:
        check_version(c, version)
        return await list_visible(request, c, MODULE, "Tariff", base_path=path)

    async def get_one_tariff(
        tariff_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _get_one(request, c, version, tariff_id)

    return [HttpRoute("GET", list_tariffs), HttpRoute("GET", get_one_tariff, "/{tariff_id}")]


ROUTES: Declared = {
    (ModuleId.TARIFFS, InterfaceRole.RECEIVER): _receiver,
    (ModuleId.TARIFFS, InterfaceRole.SENDER): _sender,
}
