"""CDRs through the hub: the CPOs' POSTs in, addressed out, and the eMSPs' pulls.

- Receiver interface (``/ocpi/{v}/cdrs/receiver``): a CPO POSTs a final CDR. It is stored
  (immutable: the same id again is accepted only with the same content, as a retry) and queued
  as a POST to the ONE party it concerns (OCPI-to headers, else the ``cdr_token`` owner; for
  2.1.1 the token cache by ``auth_id``). The answer's ``Location`` header is the hub's own URL
  of the CDR (digest §7 item 12), ``{receiver}/{cc}/{pid}/{cdr_id}``, where the CPO GETs it back.
- Sender interface (``/ocpi/{v}/cdrs/sender``): GET all lists the CDRs addressed to the
  caller's own parties, in the caller's version.

A CDR is never dropped in translation (digest §7 item 18): the translators map what an older
version lacks; the stored Location fills what a 2.1.1 CDR's embedded Location needs.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Depends, Request
from starlette.responses import Response

from ocpihub.errors import InvalidParameters, NotFound
from ocpihub.hub.sessions import addressee
from ocpihub.inbound.auth import Caller, check_version, registered, runtime_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._addressed import (
    OWNER_ROLES,
    down_context,
    file_in_mailbox,
    list_addressed,
    receiver_for,
    render,
    target_body,
    to_party,
    up_context,
)
from ocpihub.inbound.handlers._objects import (
    Push,
    canonical,
    check_ids,
    correlation_id,
    owned_party,
    parse_wire,
    queue,
)
from ocpihub.inbound.interfaces import Declared, HttpRoute
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.fields import parse_datetime
from ocpihub.ocpi.modules import InterfaceRole, ModuleId
from ocpihub.outbox.items import ordering_key
from ocpihub.store.objects import ObjectKey, get_object, put_object
from ocpihub.store.platforms import list_parties

__all__ = ["ROUTES"]

MODULE = "cdrs"


async def _owner(
    request: Request, caller: Caller, version: str, wire: dict[str, object]
) -> tuple[str, str]:
    """The CPO a posted CDR belongs to: its own fields (2.2+), or the platform's one CPO
    (a 2.1.1 CDR names no owner and a 2.1.1 platform hosts one party)."""
    if version != "2.1.1":
        return await owned_party(
            request, caller, str(wire["country_code"]), str(wire["party_id"]), OWNER_ROLES
        )
    async with runtime_of(request).db.read() as conn:
        cpos = [p for p in await list_parties(conn, caller.platform.id) if p.role in OWNER_ROLES]
    if len(cpos) != 1:
        raise NotFound("your platform hosts no CPO (or several): a 2.1.1 CDR names no owner")
    return await owned_party(request, caller, cpos[0].country_code, cpos[0].party_id, OWNER_ROLES)


def _location(request: Request, receiver: str, owner: tuple[str, str], cdr_id: str) -> str:
    public = runtime_of(request).settings.public_url.rstrip("/")
    return f"{public}{receiver}/{owner[0]}/{owner[1]}/{quote(cdr_id, safe='')}"


async def _post(request: Request, caller: Caller, version: str, receiver: str) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    wire = parse_wire(runtime, version, "CDR", await read_json(request), caller.platform)
    owner = await _owner(request, caller, version, wire)
    cdr_id = str(wire["id"])
    check_ids(wire, owner, {}, version)
    async with runtime.db.read() as conn:
        ctx = await up_context(conn, runtime, owner, version, wire, MODULE)
    canon = canonical(version, "CDR", wire, ctx)
    party = addressee(to_party(request), canon, runtime.settings.hub_party)
    key = ObjectKey.of(MODULE, owner[0], owner[1], cdr_id)
    location = {"Location": _location(request, receiver, owner, cdr_id)}
    async with runtime.db.write() as conn:
        existing = await get_object(conn, key)
        if existing is not None:
            if existing.source_version == version and existing.original == wire:
                # a retry of a POST whose answer was lost: already stored and queued
                return ocpi_response(include_data=False, headers=location)
            raise InvalidParameters(
                f"CDR {cdr_id!r} of {owner[0]}-{owner[1]} exists with other content: CDRs "
                "cannot be changed (send a credit CDR and a new one)"
            )
        target = await receiver_for(conn, owner, party, MODULE, caller.platform.id)
        assert target.version is not None  # addressed() only returns usable targets
        down = await down_context(conn, owner, [canon])
        original, original_version = target_body(target.version, version, wire, "CDR", canon, down)
        await put_object(
            conn,
            key,
            document=canon,
            last_updated=parse_datetime(canon["last_updated"]),
            source_version=version,
            original=wire,
        )
        await file_in_mailbox(
            conn,
            MODULE,
            owner,
            party,
            cdr_id,
            document=canon,
            source_version=version,
            original=wire,
        )
        await queue(
            conn,
            Push(
                owner=owner,
                sender_platform_id=caller.platform.id,
                module=MODULE,
                method="POST",
                url_suffix="",
                object_name="CDR",
                payload=canon,
                original=original,
                original_version=original_version,
                ordering_key=ordering_key(MODULE, owner[0], owner[1], cdr_id),
                correlation_id=correlation_id(request),
            ),
            [target],
            broadcast=False,
        )
    return ocpi_response(http_status=201, include_data=False, headers=location)


async def _get_own(
    request: Request, caller: Caller, version: str, cc: str, pid: str, cdr_id: str
) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, OWNER_ROLES)
    async with runtime.db.read() as conn:
        stored = await get_object(conn, ObjectKey.of(MODULE, owner[0], owner[1], cdr_id))
        if stored is None:
            raise NotFound(f"the hub holds no CDR {cdr_id!r} of {owner[0]}-{owner[1]}")
        ctx = await down_context(conn, owner, [stored.document])
    return ocpi_response(render(version, "CDR", stored, ctx))


def _receiver(version: str, path: str) -> list[HttpRoute]:
    async def post_cdr(request: Request, c: Caller = Depends(registered)) -> Response:
        return await _post(request, c, version, path)

    async def get_cdr(
        cc: str, pid: str, cdr_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _get_own(request, c, version, cc, pid, cdr_id)

    return [HttpRoute("POST", post_cdr), HttpRoute("GET", get_cdr, "/{cc}/{pid}/{cdr_id}")]


def _sender(version: str, path: str) -> list[HttpRoute]:
    async def list_cdrs(request: Request, c: Caller = Depends(registered)) -> Response:
        check_version(c, version)
        return await list_addressed(
            request, c, MODULE, "CDR", base_path=path, require_date_from=False
        )

    return [HttpRoute("GET", list_cdrs)]


ROUTES: Declared = {
    (ModuleId.CDRS, InterfaceRole.RECEIVER): _receiver,
    (ModuleId.CDRS, InterfaceRole.SENDER): _sender,
}
