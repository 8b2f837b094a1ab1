"""Charging Profiles through the hub (2.2.1 and 2.3.0): set/get/clear forwarded to the CPO of
the session through the one relay, with ``response_url`` replaced by a hub callback URL; the
result the CPO posts there relayed once to the requester; a CPO's ActiveChargingProfile relayed
to the party that last set a profile on that session with an ACCEPTED result (digest §3.7).

Charging profiles have no TIMEOUT result: when none comes, the hub sends nothing itself and
forgets the mapping after the CPO's ``timeout`` plus the grace period.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from ocpihub.errors import InvalidParameters, UnknownReceiver
from ocpihub.hub import commands as policy
from ocpihub.hub.origin import Origin, Party
from ocpihub.hub.relay import Relay, Reply, Route, translated
from ocpihub.hub.services.results import (
    BodyReader,
    CallbackUrl,
    accept_result,
    forward_pending,
    new_pending,
)
from ocpihub.model.parties import Target
from ocpihub.ocpi.version import ocpi_version
from ocpihub.outbound.urls import join_url
from ocpihub.store import pending as store
from ocpihub.store.db import Database
from ocpihub.store.objects import find_visible
from ocpihub.translate import TranslationContext

__all__ = ["ProfileRequest", "active_profile", "result", "send_request"]

MODULE = "chargingprofiles"
REQUESTER_ROLES = ("SCSP", "EMSP")
SETTER_MEMORY = timedelta(days=2)
"""How long the hub remembers who set a session's profile (longer than any charging session)."""
METHODS = {"SET": "PUT", "GET": "GET", "CLEAR": "DELETE"}

Doc = dict[str, Any]
ProfileRequest = tuple[str, str, str, Doc | None, dict[str, str]]
"""``(kind, session_id, response_url, SetChargingProfile or None, query parameters)``."""


async def _cpo_of(
    db: Database, targets: dict[Party, Target], to: Party | None, session_id: str
) -> Party | None:
    """The CPO of the session: OCPI-to, else the agreed owner of the stored Session."""
    if to is not None:
        return to
    async with db.read() as conn:
        stored = await find_visible(conn, "sessions", session_id, targets)
        cpo = None if stored is None else (stored.key.country_code, stored.key.party_id)
        others = set(targets) - {cpo} if cpo is not None else set()
        elsewhere = await find_visible(conn, "sessions", session_id, others)
    if elsewhere is not None:
        raise InvalidParameters(
            f"several CPOs have a session {session_id!r}: name the one to ask with the "
            "OCPI-to-country-code and OCPI-to-party-id headers"
        )
    return cpo


async def _route(
    db: Database, relay: Relay, requester: Party, to: Party | None, session_id: str
) -> Route:
    """The CPO of the session, with an ACTIVE agreement covering chargingprofiles."""
    targets = {
        t.party: t
        for t in await relay.directory.agreed_targets(requester, MODULE, interface_role="RECEIVER")
        if t.role == "CPO"
    }
    cpo = await _cpo_of(db, targets, to, session_id)
    if cpo is None or cpo not in targets:
        raise UnknownReceiver(
            f"no CPO you have an active agreement with covering chargingprofiles "
            f"{'is ' + cpo[0] + '-' + cpo[1] if cpo else 'has a session ' + repr(session_id)}: "
            "the hub does not forward your request"
        )
    speaks = targets[cpo].version
    if speaks is not None and not ocpi_version(speaks).has_charging_profiles:
        raise UnknownReceiver(
            f"{cpo[0]}-{cpo[1]} speaks OCPI {speaks}, which has no charging profiles"
        )
    return await relay.route_to(requester, targets[cpo], MODULE)


async def send_request(
    db: Database,
    relay: Relay,
    origin: Origin,
    asked: ProfileRequest,
    *,
    callback: CallbackUrl,
    grace: float,
) -> Reply:
    """Relay a set/get/clear to the CPO of the session, with the hub's callback URL."""
    kind, session_id, response_url, wire, params = asked
    requester = await relay.requester(origin.platform_id, origin.from_party, REQUESTER_ROLES)
    route = await _route(db, relay, requester, origin.to_party, session_id)
    req = new_pending(origin, route, MODULE, kind, response_url, session_id, relay.request_timeout)
    async with db.write() as conn:
        await store.add_pending(conn, req)
    hub_url = callback(route.version, req.id)
    body = None
    if wire is not None:
        ctx = TranslationContext(country_code=requester[0], party_id=requester[1])
        body = translated(
            {**wire, "response_url": hub_url},
            "SetChargingProfile",
            origin.version,
            route.version,
            ctx,
        )
    else:
        params = {**params, "response_url": hub_url}
    url = join_url(route.url, quote(session_id, safe=""))
    hop = (route, METHODS[kind], url)

    async def keep(seconds: int) -> None:
        await _keep_for_result(db, req, seconds, grace)

    name = "ChargingProfileResponse"
    found = await forward_pending(
        db, relay, req, hop, expect=name, keep=keep, json=body, params=params
    )
    if isinstance(found, Reply):
        return found
    answer, response = found
    if response["result"] == "ACCEPTED":
        await keep(int(response["timeout"]))
    else:
        async with db.write() as conn:
            await store.delete_pending(conn, req.id)
    out = translated(response, name, route.version, origin.version, TranslationContext())
    return Reply.success(answer, out)


async def _keep_for_result(
    db: Database, req: store.PendingRequest, seconds: int, grace: float
) -> None:
    limits = policy.profile_deadlines(datetime.now(UTC), seconds, grace)
    async with db.write() as conn:
        await store.set_deadlines(
            conn, req.id, result_due_at=limits.result_due, expires_at=limits.expires
        )


async def result(
    db: Database, relay: Relay, platform_id: int, request_id: str, read_body: BodyReader
) -> None:
    """A result on a hub callback URL: relayed once; an ACCEPTED set names the profile setter."""
    accepted = await accept_result(
        db,
        relay,
        platform_id,
        request_id,
        MODULE,
        lambda req: policy.PROFILE_REQUESTS[req.kind],
        policy.relays_once,
        read_body,
    )
    if accepted is None:
        return
    req, value = accepted  # queued for the requester by accept_result
    if req.kind == "SET" and value == "ACCEPTED":
        async with db.write() as conn:
            await store.set_setter(conn, req, datetime.now(UTC) + SETTER_MEMORY)


async def active_profile(
    db: Database, relay: Relay, origin: Origin, session_id: str, wire: Doc
) -> Reply:
    """A CPO's ActiveChargingProfile, relayed to the party that set the session's profile."""
    cpo = await relay.requester(origin.platform_id, origin.from_party, ("CPO",))
    async with db.read() as conn:
        setter = await store.get_setter(conn, cpo, session_id, datetime.now(UTC))
    if setter is None:
        raise UnknownReceiver(
            f"nobody set a charging profile on session {session_id!r} of {cpo[0]}-{cpo[1]} "
            "through the hub: there is no one to send this ActiveChargingProfile to"
        )
    targets = {
        t.party: t
        for t in await relay.directory.agreed_targets(cpo, MODULE, interface_role="SENDER")
        if t.role in REQUESTER_ROLES
    }
    if setter.requester not in targets:
        raise UnknownReceiver(
            f"{setter.requester[0]}-{setter.requester[1]} set this session's profile but "
            "has no active agreement with you covering chargingprofiles any more"
        )
    route = await relay.route_to(cpo, targets[setter.requester], MODULE)
    ctx = TranslationContext(country_code=cpo[0], party_id=cpo[1])
    body = translated(wire, "ActiveChargingProfile", origin.version, route.version, ctx)
    url = join_url(route.url, quote(session_id, safe=""))
    answer = await relay.forward(route, "PUT", url, correlation_id=origin.correlation_id, json=body)
    if not answer.success:
        return Reply.failure(answer)
    return Reply.success(answer, None)
