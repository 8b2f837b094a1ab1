"""Commands through the hub: an eMSP's command forwarded to its CPO through the one relay,
with ``response_url`` replaced by a hub callback URL, and the CPO's CommandResponse relayed
back; the pending command kept until its result (``hub/services/results.py``).

The CPO is the one the OCPI-to headers name, else the owner of the stored Location
(``location_id``), of the stored Session (``session_id``), or the CPO that took the RESERVE_NOW
with that ``reservation_id`` (digest §1.9 cheat sheet); without an ACTIVE agreement covering
commands nothing is forwarded (4001). The CommandResponse's ``timeout`` is lengthened by the
grace after which the hub sends a TIMEOUT result itself (``hub/commands.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ocpihub.errors import InvalidParameters, UnknownReceiver
from ocpihub.hub import commands as policy
from ocpihub.hub.origin import Origin, Party
from ocpihub.hub.relay import Relay, Reply, Route
from ocpihub.hub.services.results import CallbackUrl, forward_pending, new_pending
from ocpihub.model.parties import Target
from ocpihub.ocpi.fields import parse_datetime
from ocpihub.outbound.urls import join_url
from ocpihub.store import pending as store
from ocpihub.store.db import Database
from ocpihub.store.objects import find_visible
from ocpihub.translate import TranslationContext, from_canonical, to_canonical

__all__ = ["send_command"]

MODULE = "commands"
SENDER_ROLES = ("EMSP", "OTHER")

Doc = dict[str, Any]


async def _stored_owner(
    db: Database, targets: dict[Party, Target], key: policy.RoutingKey, requester: Party
) -> Party | None:
    """The agreed CPO owning the stored fact the routing key names (None: nobody)."""
    if key.kind == "reservation":
        async with db.read() as conn:
            reservation = await store.find_reservation(
                conn, requester, key.value, datetime.now(UTC)
            )
        return None if reservation is None else reservation.receiver
    module = "locations" if key.kind == "location" else "sessions"
    async with db.read() as conn:
        stored = await find_visible(conn, module, key.value, targets)
        found = None if stored is None else (stored.key.country_code, stored.key.party_id)
        others = set(targets) - {found} if found is not None else set()
        elsewhere = await find_visible(conn, module, key.value, others)
    if elsewhere is not None:
        raise InvalidParameters(
            f"several CPOs have a {key.kind} {key.value!r}: name the one to ask with the "
            "OCPI-to-country-code and OCPI-to-party-id headers"
        )
    return found


async def _route(
    db: Database, relay: Relay, requester: Party, to: Party | None, command: str, body: Doc
) -> Route:
    """Decide the CPO: OCPI-to headers, else the routing key of the command."""
    targets = {
        t.party: t
        for t in await relay.directory.agreed_targets(requester, MODULE, interface_role="RECEIVER")
        if t.role == "CPO"
    }
    if to is not None:
        if to not in targets:
            raise UnknownReceiver(
                f"{to[0]}-{to[1]} (OCPI-to) is no CPO you have an active agreement with "
                "covering commands: the hub does not forward your command"
            )
        return await relay.route_to(requester, targets[to], MODULE)
    key = policy.routing_key(command, body)
    found = await _stored_owner(db, targets, key, requester)
    if found is None or found not in targets:
        raise UnknownReceiver(
            f"the hub knows no {key.kind} {key.value!r} of a CPO you have an active agreement "
            "with covering commands: name the CPO with the OCPI-to headers"
        )
    return await relay.route_to(requester, targets[found], MODULE)


async def send_command(
    db: Database,
    relay: Relay,
    origin: Origin,
    command: str,
    wire: Doc,
    response_url: str,
    *,
    callback: CallbackUrl,
    grace: float,
) -> Reply:
    """Forward the command to its CPO and relay the CPO's CommandResponse; a CANCEL_RESERVATION
    a 2.1.1 CPO cannot take is answered NOT_SUPPORTED by the hub itself."""
    version, name = origin.version, policy.COMMAND_OBJECTS[command]
    requester = await relay.requester(origin.platform_id, origin.from_party, SENDER_ROLES)
    ctx = TranslationContext(country_code=requester[0], party_id=requester[1])
    canon = to_canonical(version, name, wire, ctx)
    route = await _route(db, relay, requester, origin.to_party, command, canon)
    if policy.cancel_unsupported(command, route.version):
        refusal, _ = from_canonical(version, "CommandResponse", policy.not_supported_response())
        return Reply(route, 1000, None, 200, refusal)
    reference = str(canon["reservation_id"]) if command == "RESERVE_NOW" else None
    req = new_pending(
        origin, route, MODULE, command, response_url, reference, relay.request_timeout
    )
    await db.batched(lambda conn: store.add_pending(conn, req))
    hub_url = callback(route.version, req.id)
    if version == route.version:
        body = {**wire, "response_url": hub_url}
    else:
        body, _ = from_canonical(route.version, name, {**canon, "response_url": hub_url}, ctx)
    hop = (route, "POST", join_url(route.url, command))

    async def keep(cpo_timeout: int) -> None:
        await _wait_for_result(db, req, canon, cpo_timeout, grace)

    found = await forward_pending(
        db, relay, req, hop, expect="CommandResponse", keep=keep, json=body
    )
    if isinstance(found, Reply):
        return found
    answer, wire = found
    response = to_canonical(route.version, "CommandResponse", wire)
    if response["result"] == "ACCEPTED":
        await keep(int(response["timeout"]))
        response["timeout"] = policy.announced_timeout(int(response["timeout"]), grace)
    else:
        await db.batched(lambda conn: store.delete_pending(conn, req.id))
    out, _ = from_canonical(version, "CommandResponse", response)
    return Reply.success(answer, out)


async def _wait_for_result(
    db: Database, req: store.PendingRequest, canon: Doc, cpo_timeout: int, grace: float
) -> None:
    """Keep the pending command until its result, or until the hub's TIMEOUT result."""
    expiry = canon.get("expiry_date")
    limits = policy.deadlines(
        req.kind,
        datetime.now(UTC),
        cpo_timeout,
        grace,
        parse_datetime(expiry) if isinstance(expiry, str) else None,
    )
    await db.batched(
        lambda conn: store.set_deadlines(
            conn, req.id, result_due_at=limits.result_due, expires_at=limits.expires
        )
    )
