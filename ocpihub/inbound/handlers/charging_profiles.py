"""Charging Profiles through the hub (2.2.1 and 2.3.0; 2.1.1 has none, digest §4.3).

- Receiver interface (``/ocpi/{v}/chargingprofiles/receiver/{session_id}``): an SCSP or eMSP
  sets (PUT ``SetChargingProfile``), gets (GET ``?duration=&response_url=``) or clears (DELETE
  ``?response_url=``) the profile of a session. The CPO is the one the OCPI-to headers name, else
  the owner of the stored Session; an ACTIVE agreement covering chargingprofiles is required. The
  request goes on synchronously with ``response_url`` (body or query string) replaced by a hub
  callback URL, and the CPO's ChargingProfileResponse comes back translated.
- Sender interface (``/ocpi/{v}/chargingprofiles/sender``): ``POST /results/{id}`` is the hub
  callback URL; the result it receives is an ActiveChargingProfileResult, ChargingProfileResult
  or ClearProfileResult according to the request that URL was made for, relayed once to the
  requester's own ``response_url``. ``PUT /{session_id}`` takes a CPO's ActiveChargingProfile
  and relays it to the party that last set a profile on that session with an ACCEPTED result
  (digest §3.7: only such a party may receive them).

Charging profiles have no TIMEOUT result: when none comes, the hub sends nothing itself and
forgets the mapping after the CPO's ``timeout`` plus the grace period.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.responses import Response

from ocpihub.errors import HubError, InvalidParameters, UnknownReceiver
from ocpihub.hub import commands as policy
from ocpihub.inbound.auth import Caller, check_version, registered, runtime_of, version_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._objects import correlation_id, parse_wire
from ocpihub.inbound.handlers._relay import (
    Relayed,
    Route,
    forward,
    invalid_object,
    relay_failure,
    relay_object,
    requester_of,
    route_to,
    single_object,
)
from ocpihub.inbound.handlers.commands import (
    accept_result,
    callback_url,
    translated,
)
from ocpihub.inbound.interfaces import Declared, HttpRoute
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.headers import parse_routing_headers
from ocpihub.ocpi.modules import InterfaceRole, ModuleId
from ocpihub.outbound.urls import check_partner_url, join_url
from ocpihub.runtime import Runtime
from ocpihub.store import pending as store
from ocpihub.store.objects import find_visible
from ocpihub.store.routing import Target
from ocpihub.translate import TranslationContext

__all__ = ["ROUTES"]

MODULE = "chargingprofiles"
REQUESTER_ROLES = ("SCSP", "EMSP")
SETTER_MEMORY = timedelta(days=2)
"""How long the hub remembers who set a session's profile (longer than any charging session)."""

Doc = dict[str, Any]


async def _route(
    runtime: Runtime, request: Request, requester: tuple[str, str], session_id: str
) -> Route:
    """The CPO of the session: OCPI-to headers, else the owner of the stored Session."""
    targets = {
        t.party: t
        for t in await agreed_targets_cpo(runtime, requester, "RECEIVER")
        if t.role == "CPO"
    }
    to = parse_routing_headers(request.headers).to_party
    if to is not None:
        cpo: tuple[str, str] | None = (to.country_code, to.party_id)
    else:
        async with runtime.db.read() as conn:
            stored = await find_visible(conn, "sessions", session_id, targets)
            cpo = None if stored is None else (stored.key.country_code, stored.key.party_id)
            others = set(targets) - {cpo} if cpo is not None else set()
            elsewhere = await find_visible(conn, "sessions", session_id, others)
        if elsewhere is not None:
            raise InvalidParameters(
                f"several CPOs have a session {session_id!r}: name the one to ask with the "
                "OCPI-to-country-code and OCPI-to-party-id headers"
            )
    if cpo is None or cpo not in targets:
        raise UnknownReceiver(
            f"no CPO you have an active agreement with covering chargingprofiles "
            f"{'is ' + cpo[0] + '-' + cpo[1] if cpo else 'has a session ' + repr(session_id)}: "
            "the hub does not forward your request"
        )
    if targets[cpo].version == "2.1.1":
        raise UnknownReceiver(
            f"{cpo[0]}-{cpo[1]} speaks OCPI 2.1.1, which has no charging profiles"
        )
    return await route_to(runtime.directory, requester, targets[cpo], MODULE)


async def agreed_targets_cpo(
    runtime: Runtime, party: tuple[str, str], interface_role: str
) -> tuple[Target, ...]:
    """Agreed parties of ``party`` for chargingprofiles with their ``interface_role`` endpoint."""
    return await runtime.directory.agreed_targets(party, MODULE, interface_role=interface_role)


async def _request(
    request: Request, caller: Caller, version: str, session_id: str, kind: str
) -> Response:
    """Relay a set/get/clear to the CPO of the session, with the hub's callback URL."""
    check_version(caller, version)
    runtime = runtime_of(request)
    settings = runtime.settings
    wire: Doc | None = None
    if kind == "SET":
        wire = parse_wire(runtime, version, "SetChargingProfile", await read_json(request))
        given = wire.get("response_url")
    else:
        given = request.query_params.get("response_url")
    response_url = check_partner_url(
        str(given or ""), allow_private=settings.allow_private_addresses, field="response_url"
    )
    params: dict[str, str] = {}
    if kind == "GET":
        duration = request.query_params.get("duration", "")
        if not duration.isdigit():
            raise InvalidParameters(
                f"duration: a whole number of seconds is required, got {duration!r}"
            )
        params["duration"] = duration
    requester = await requester_of(runtime.directory, request, caller, REQUESTER_ROLES)
    route = await _route(runtime, request, requester, session_id)
    now = datetime.now(UTC)
    req = store.PendingRequest(
        id=secrets.token_urlsafe(24),
        module=MODULE,
        kind=kind,
        requester_platform_id=caller.platform.id,
        requester=requester,
        requester_version=version_of(caller),
        receiver_platform_id=route.platform.id,
        receiver=route.receiver,
        receiver_version=route.version,
        response_url=response_url,
        correlation_id=correlation_id(request),
        reference=session_id,
        expires_at=now + timedelta(seconds=settings.request_timeout + 60),
        created_at=now,
    )
    async with runtime.db.write() as conn:
        await store.add_pending(conn, req)
    hub_url = callback_url(runtime, route.version, ModuleId.CHARGING_PROFILES, req.id)
    url = join_url(route.url, quote(session_id, safe=""))
    body = None
    if wire is not None:
        ctx = TranslationContext(country_code=requester[0], party_id=requester[1])
        body = translated(
            {**wire, "response_url": hub_url}, "SetChargingProfile", version, route.version, ctx
        )
    else:
        params["response_url"] = hub_url
    method = {"SET": "PUT", "GET": "GET", "CLEAR": "DELETE"}[kind]
    try:
        answer = await forward(
            runtime, request, route, method, url, json=body, params=params, module=MODULE
        )
    except BaseException:
        async with runtime.db.write() as conn:
            await store.delete_pending(conn, req.id)
        raise
    return await _answer(runtime, version, req, answer)


async def _keep_for_result(runtime: Runtime, req: store.PendingRequest, seconds: int) -> None:
    limits = policy.profile_deadlines(
        datetime.now(UTC), seconds, runtime.settings.command_result_grace_seconds
    )
    async with runtime.db.write() as conn:
        await store.set_deadlines(
            conn, req.id, result_due_at=limits.result_due, expires_at=limits.expires
        )


async def _answer(
    runtime: Runtime, version: str, req: store.PendingRequest, answer: Relayed
) -> Response:
    """The CPO's ChargingProfileResponse, relayed; ACCEPTED keeps the mapping for the result.

    A success without a valid ChargingProfileResponse is answered 4000; the mapping is kept
    (the default wait) so that the result the CPO posts later still reaches the requester.
    """
    if not answer.success:
        async with runtime.db.write() as conn:
            await store.delete_pending(conn, req.id)
        return relay_failure(version, answer)
    name = "ChargingProfileResponse"
    try:
        route = answer.route
        wire = parse_wire(runtime, route.version, name, single_object(answer, name), route.platform)
    except (HubError, InvalidParameters) as exc:
        await _keep_for_result(runtime, req, policy.UNANSWERED_TIMEOUT)
        if isinstance(exc, HubError):
            raise
        raise invalid_object(answer, name, exc.message) from None
    if wire["result"] == "ACCEPTED":
        await _keep_for_result(runtime, req, int(wire["timeout"]))
    else:
        async with runtime.db.write() as conn:
            await store.delete_pending(conn, req.id)
    out = translated(wire, name, answer.route.version, version, TranslationContext())
    return relay_object(version, answer, out)


async def _result(request: Request, caller: Caller, request_id: str) -> Response:
    """A result on a hub callback URL: relayed once; an ACCEPTED set names the profile setter."""
    runtime = runtime_of(request)
    accepted = await accept_result(
        request,
        caller,
        request_id,
        ModuleId.CHARGING_PROFILES,
        lambda req: policy.PROFILE_REQUESTS[req.kind],
        policy.relays_once,
    )
    if isinstance(accepted, Response):
        return accepted
    req, _body, result = accepted  # queued for the requester by accept_result
    if req.kind == "SET" and result == "ACCEPTED":
        async with runtime.db.write() as conn:
            await store.set_setter(conn, req, datetime.now(UTC) + SETTER_MEMORY)
    return ocpi_response(include_data=False)


async def _active_profile(
    request: Request, caller: Caller, version: str, session_id: str
) -> Response:
    """A CPO's ActiveChargingProfile, relayed to the party that set the session's profile."""
    check_version(caller, version)
    runtime = runtime_of(request)
    wire = parse_wire(runtime, version, "ActiveChargingProfile", await read_json(request))
    cpo = await requester_of(runtime.directory, request, caller, ("CPO",))
    async with runtime.db.read() as conn:
        setter = await store.get_setter(conn, cpo, session_id, datetime.now(UTC))
    if setter is None:
        raise UnknownReceiver(
            f"nobody set a charging profile on session {session_id!r} of {cpo[0]}-{cpo[1]} "
            "through the hub: there is no one to send this ActiveChargingProfile to"
        )
    targets = {
        t.party: t
        for t in await agreed_targets_cpo(runtime, cpo, "SENDER")
        if t.role in REQUESTER_ROLES
    }
    if setter.requester not in targets:
        raise UnknownReceiver(
            f"{setter.requester[0]}-{setter.requester[1]} set this session's profile but "
            "has no active agreement with you covering chargingprofiles any more"
        )
    route = await route_to(runtime.directory, cpo, targets[setter.requester], MODULE)
    ctx = TranslationContext(country_code=cpo[0], party_id=cpo[1])
    body = translated(wire, "ActiveChargingProfile", version, route.version, ctx)
    url = join_url(route.url, quote(session_id, safe=""))
    answer = await forward(runtime, request, route, "PUT", url, json=body, module=MODULE)
    if not answer.success:
        return relay_failure(version, answer)
    return relay_object(version, answer, None)


# --- routes --------------------------------------------------------------------------------------


def _receiver(version: str, path: str) -> list[HttpRoute]:
    async def set_profile(
        session_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _request(request, c, version, session_id, "SET")

    async def get_profile(
        session_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _request(request, c, version, session_id, "GET")

    async def clear_profile(
        session_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _request(request, c, version, session_id, "CLEAR")

    own = "/{session_id}"
    return [
        HttpRoute("PUT", set_profile, own),
        HttpRoute("GET", get_profile, own),
        HttpRoute("DELETE", clear_profile, own),
    ]


def _sender(version: str, path: str) -> list[HttpRoute]:
    async def post_profile_result(
        request_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _result(request, c, request_id)

    async def put_active_profile(
        session_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _active_profile(request, c, version, session_id)

    return [
        HttpRoute("POST", post_profile_result, "/results/{request_id}"),
        HttpRoute("PUT", put_active_profile, "/{session_id}"),
    ]


ROUTES: Declared = {
    (ModuleId.CHARGING_PROFILES, InterfaceRole.RECEIVER): _receiver,
    (ModuleId.CHARGING_PROFILES, InterfaceRole.SENDER): _sender,
}
