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

The addressed-push steps shared with CDRs live in :mod:`._addressed`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import structlog
from fastapi import Depends, Request
from starlette.responses import Response

from ocpihub.errors import (
    HubError,
    InvalidParameters,
    MethodNotAllowed,
    NotFound,
    UnknownReceiver,
)
from ocpihub.hub.sessions import (
    addressee,
    appended_periods,
    mailbox_key,
    mailbox_module,
    merge_patch,
)
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
from ocpihub.inbound.handlers._relay import (
    forward,
    relay_failure,
    relay_object,
    route_to,
    single_value,
)
from ocpihub.inbound.interfaces import Declared, HttpRoute
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.fields import parse_datetime
from ocpihub.ocpi.headers import parse_routing_headers
from ocpihub.ocpi.modules import InterfaceRole, ModuleId
from ocpihub.outbound.urls import join_url
from ocpihub.outbox.items import ordering_key
from ocpihub.store.objects import (
    ObjectKey,
    find_visible,
    get_object,
    put_object,
)
from ocpihub.store.platforms import list_parties
from ocpihub.store.routing import agreed_targets
from ocpihub.translate import TranslationContext, from_canonical

__all__ = ["ROUTES"]

MODULE = "sessions"
log = structlog.get_logger("ocpihub.sessions")


# --- Sessions --------------------------------------------------------------------------------


def _suffix(owner: tuple[str, str], session_id: str) -> str:
    return f"/{owner[0]}/{owner[1]}/{session_id}"


async def _put(
    request: Request, caller: Caller, version: str, cc: str, pid: str, session_id: str
) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, OWNER_ROLES)
    wire = parse_wire(runtime, version, "Session", await read_json(request), caller.platform)
    check_ids(wire, owner, {"id": session_id}, version)
    async with runtime.db.read() as conn:
        ctx = await up_context(conn, runtime, owner, version, wire, MODULE)
    canon = canonical(version, "Session", wire, ctx)
    party = addressee(to_party(request), canon, runtime.settings.hub_party)
    key = ObjectKey.of(MODULE, owner[0], owner[1], session_id)
    async with runtime.db.write() as conn:
        target = await receiver_for(conn, owner, party, MODULE, caller.platform.id)
        down = await down_context(conn, owner, [canon])
        assert target.version is not None  # addressed() only returns usable targets
        original, original_version = target_body(
            target.version, version, wire, "Session", canon, down
        )
        created = await put_object(
            conn,
            key,
            document=canon,
            last_updated=parse_datetime(canon["last_updated"]),
            source_version=version,
            original=wire,
            newer_only=True,
        )
        await file_in_mailbox(
            conn,
            MODULE,
            owner,
            party,
            session_id,
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
                method="PUT",
                url_suffix=_suffix(owner, session_id),
                object_name="Session",
                payload=canon,
                original=original,
                original_version=original_version,
                ordering_key=ordering_key(MODULE, owner[0], owner[1], session_id),
                correlation_id=correlation_id(request),
            ),
            [target],
            broadcast=False,
        )
    return ocpi_response(http_status=201 if created else 200, include_data=False)


def _patch_delivery(
    target_version: str,
    version: str,
    wire: dict[str, Any],
    patch: dict[str, Any],
    stored: dict[str, Any],
    merged: dict[str, Any],
    ctx: TranslationContext,
) -> tuple[str, str, dict[str, Any], dict[str, Any] | None, str]:
    """(method, object name, canonical payload, original, its version) for one receiver.

    The receiver's PATCH semantics decide (digest §4.3 Sessions): a 2.1.1 receiver has no
    append rule, so a 2.2+ PATCH reaches it with the whole resulting ``charging_periods``; a
    2.2+ receiver appends, so a 2.1.1 PATCH's replacing list reaches it as the periods it adds
    — or, when it changes earlier periods, as a PUT of the whole merged Session.
    """
    if target_version == version:
        return "PATCH", "SessionPatch", patch, wire, version
    if target_version == "2.1.1":
        payload = dict(patch)
        if patch.get("charging_periods"):
            payload["charging_periods"] = merged.get("charging_periods") or []
        else:
            payload.pop("charging_periods", None)
        original, _ = target_body("2.1.1", version, wire, "SessionPatch", payload, ctx)
        return "PATCH", "SessionPatch", payload, original, "2.1.1"
    if version == "2.1.1" and "charging_periods" in patch:
        added = appended_periods(stored.get("charging_periods"), patch["charging_periods"])
        if added is None:
            return "PUT", "Session", merged, None, version
        payload = dict(patch)
        if added:
            payload["charging_periods"] = added
        else:
            payload.pop("charging_periods")
        return "PATCH", "SessionPatch", payload, None, version
    return "PATCH", "SessionPatch", patch, None, version


async def _patch(
    request: Request, caller: Caller, version: str, cc: str, pid: str, session_id: str
) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, OWNER_ROLES)
    wire = parse_wire(runtime, version, "SessionPatch", await read_json(request), caller.platform)
    check_ids(wire, owner, {"id": session_id}, version)
    async with runtime.db.read() as conn:
        ctx = await up_context(conn, runtime, owner, version, wire, MODULE)
    patch = canonical(version, "SessionPatch", wire, ctx)
    append = version != "2.1.1"
    key = ObjectKey.of(MODULE, owner[0], owner[1], session_id)
    async with runtime.db.write() as conn:
        stored = await get_object(conn, key, for_update=True)
        if stored is None:
            raise NotFound(
                f"the hub holds no session {session_id!r} of {owner[0]}-{owner[1]}: PUT it"
            )
        merged = merge_patch(stored.document, patch, append_periods=append)
        party = addressee(to_party(request), merged, runtime.settings.hub_party)
        target = await receiver_for(conn, owner, party, MODULE, caller.platform.id)
        assert target.version is not None
        down = await down_context(conn, owner, [merged])
        method, name, payload, original, original_version = _patch_delivery(
            target.version, version, wire, patch, stored.document, merged, down
        )
        # the stored original stays exact only while every change came in its version
        kept = None
        if stored.original is not None and stored.source_version == version:
            kept = merge_patch(stored.original, wire, append_periods=append)
        source = version if kept is not None else stored.source_version
        await put_object(
            conn,
            key,
            document=merged,
            last_updated=parse_datetime(merged["last_updated"]),
            source_version=source,
            original=kept,
        )
        await file_in_mailbox(
            conn,
            MODULE,
            owner,
            party,
            session_id,
            document=merged,
            source_version=source,
            original=kept,
        )
        await queue(
            conn,
            Push(
                owner=owner,
                sender_platform_id=caller.platform.id,
                module=MODULE,
                method=method,
                url_suffix=_suffix(owner, session_id),
                object_name=name,
                payload=payload,
                original=original,
                original_version=original_version,
                ordering_key=ordering_key(MODULE, owner[0], owner[1], session_id),
                correlation_id=correlation_id(request),
            ),
            [target],
            broadcast=False,
        )
    return ocpi_response(include_data=False)


async def _get_own(
    request: Request, caller: Caller, version: str, cc: str, pid: str, session_id: str
) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, OWNER_ROLES)
    async with runtime.db.read() as conn:
        stored = await get_object(conn, ObjectKey.of(MODULE, owner[0], owner[1], session_id))
        if stored is None:
            raise NotFound(f"the hub holds no session {session_id!r} of {owner[0]}-{owner[1]}")
        ctx = await down_context(conn, owner, [stored.document])
    return ocpi_response(render(version, "Session", stored, ctx))


async def _charging_preferences(
    request: Request, caller: Caller, version: str, session_id: str
) -> Response:
    """Relay an eMSP's ChargingPreferences to the CPO of the session, and its answer back."""
    check_version(caller, version)
    runtime = runtime_of(request)
    wire = parse_wire(
        runtime, version, "ChargingPreferences", await read_json(request), caller.platform
    )
    headers = parse_routing_headers(request.headers)
    to = to_party(request)
    async with runtime.db.read() as conn:
        mine = {(p.country_code, p.party_id) for p in await list_parties(conn, caller.platform.id)}
        if headers.from_party is not None:
            requested = (headers.from_party.country_code, headers.from_party.party_id)
            if requested not in mine:
                raise InvalidParameters(
                    f"header OCPI-from ({headers.from_party}) is not a party of your platform"
                )
            mine = {requested}
        kind = None if to is None or to == runtime.settings.hub_party else mailbox_key(to)
        copy = await find_visible(conn, mailbox_module(MODULE), session_id, mine, kind=kind)
        if copy is None:
            raise NotFound(f"the hub knows no session {session_id!r} of yours")
        requester = (copy.key.country_code, copy.key.party_id)
        cpo = (copy.key.kind[:2], copy.key.kind[2:])
        targets = await agreed_targets(conn, requester, MODULE, interface_role="SENDER")
        target = next(
            (t for t in targets if t.party == cpo and t.role == "CPO" and t.endpoint_url), None
        )
        if target is None:
            raise UnknownReceiver(
                f"{cpo[0]}-{cpo[1]} is not reachable for sessions: no ACTIVE agreement with "
                f"{requester[0]}-{requester[1]}, or no sessions sender endpoint"
            )
    if target.version == "2.1.1":
        raise HubError(f"{cpo[0]}-{cpo[1]} speaks OCPI 2.1.1, which has no charging preferences")
    route = await route_to(runtime.directory, requester, target, MODULE)
    body, _ = from_canonical(
        route.version,
        "ChargingPreferences",
        canonical(version, "ChargingPreferences", wire, TranslationContext()),
    )
    url = join_url(route.url, quote(copy.key.object_id, safe=""), "charging_preferences")
    answer = await forward(runtime, request, route, "PUT", url, json=body, module=MODULE)
    if not answer.success:
        return relay_failure(version, answer)
    return relay_object(version, answer, single_value(answer, "ChargingPreferencesResponse"))


def _receiver(version: str, path: str) -> list[HttpRoute]:
    async def put_session(
        cc: str, pid: str, session_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _put(request, c, version, cc, pid, session_id)

    async def patch_session(
        cc: str, pid: str, session_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _patch(request, c, version, cc, pid, session_id)

    async def get_session(
        cc: str, pid: str, session_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _get_own(request, c, version, cc, pid, session_id)

    own = "/{cc}/{pid}/{session_id}"
    return [
        HttpRoute("PUT", put_session, own),
        HttpRoute("PATCH", patch_session, own),
        HttpRoute("GET", get_session, own),
    ]


def _sender(version: str, path: str) -> list[HttpRoute]:
    async def list_sessions(request: Request, c: Caller = Depends(registered)) -> Response:
        check_version(c, version)
        return await list_addressed(
            request, c, MODULE, "Session", base_path=path, require_date_from=True
        )

    async def put_charging_preferences(
        session_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        if version == "2.1.1":
            raise MethodNotAllowed("OCPI 2.1.1 has no charging preferences")
        return await _charging_preferences(request, c, version, session_id)

    routes = [HttpRoute("GET", list_sessions)]
    if version != "2.1.1":
        preferences = "/{session_id}/charging_preferences"
        routes.append(HttpRoute("PUT", put_charging_preferences, preferences))
    return routes


ROUTES: Declared = {
    (ModuleId.SESSIONS, InterfaceRole.RECEIVER): _receiver,
    (ModuleId.SESSIONS, InterfaceRole.SENDER): _sender,
}
