"""Sessions through the hub: a CPO's PUT or PATCH translated, stored (PATCH merged with the
spec's append rule, ``hub/sessions.py``) and queued to the ONE party it concerns in one
transaction; the stored Session read back; an eMSP's ChargingPreferences relayed to the CPO."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ocpihub.errors import HubError, InvalidParameters, NotFound, UnknownReceiver
from ocpihub.hub.enums import EnumRegistry
from ocpihub.hub.origin import Origin, Party
from ocpihub.hub.relay import Relay, Reply, single_value
from ocpihub.hub.services.addressed import (
    down_context,
    keep_and_queue,
    receiver_for,
    target_body,
    up_context,
)
from ocpihub.hub.services.objects import Push
from ocpihub.hub.sessions import (
    addressee,
    appended_periods,
    mailbox_key,
    mailbox_module,
    merge_patch,
)
from ocpihub.model.parties import Target
from ocpihub.ocpi.version import ocpi_version
from ocpihub.outbound.urls import join_url
from ocpihub.store.db import Database
from ocpihub.store.objects import ObjectKey, find_visible, get_object
from ocpihub.store.platforms import list_parties
from ocpihub.store.routing import agreed_targets
from ocpihub.translate import TranslationContext, from_canonical, to_canonical

__all__ = ["charging_preferences", "patch", "put"]

MODULE = "sessions"

Doc = dict[str, Any]


def _push(
    origin: Origin, owner: Party, session_id: str, delivery: tuple[str, str, Doc, Doc | None, str]
) -> Push:
    method, name, payload, original, original_version = delivery
    return Push.of(
        origin,
        owner,
        MODULE,
        (method, f"/{owner[0]}/{owner[1]}/{session_id}", session_id),
        name=name,
        payload=payload,
        original=original,
        original_version=original_version,
    )


async def put(
    db: Database,
    enums: EnumRegistry,
    origin: Origin,
    owner: Party,
    session_id: str,
    wire: Doc,
) -> bool:
    """Store a Session and queue it to the party it concerns; whether it was created."""
    version = origin.version
    ctx = await up_context(db, enums, owner, version, wire, MODULE)
    canon = to_canonical(version, "Session", wire, ctx)
    party = addressee(origin.to_party, canon, origin.hub)
    async with db.write() as conn:
        target = await receiver_for(conn, owner, party, MODULE, origin.platform_id)
        down = await down_context(conn, owner, [canon])
        assert target.version is not None  # addressed() only returns usable targets
        original, original_version = target_body(
            target.version, version, wire, "Session", canon, down
        )
        delivery = ("PUT", "Session", canon, original, original_version)
        return await keep_and_queue(
            conn,
            _push(origin, owner, session_id, delivery),
            target,
            session_id,
            document=canon,
            source_version=version,
            original=wire,
            newer_only=True,
        )


def _patch_delivery(
    target_version: str,
    version: str,
    wire: Doc,
    patch: Doc,
    stored: Doc,
    merged: Doc,
    ctx: TranslationContext,
) -> tuple[str, str, Doc, Doc | None, str]:
    """(method, object name, canonical payload, original, its version) for one receiver.

    The receiver's PATCH semantics decide (digest §4.3 Sessions): a 2.1.1 receiver has no
    append rule, so a 2.2+ PATCH reaches it with the whole resulting ``charging_periods``; a
    2.2+ receiver appends, so a 2.1.1 PATCH's replacing list reaches it as the periods it adds
    — or, when it changes earlier periods, as a PUT of the whole merged Session.
    """
    if target_version == version:
        return "PATCH", "SessionPatch", patch, wire, version
    if not ocpi_version(target_version).appends_charging_periods:
        payload = dict(patch)
        if patch.get("charging_periods"):
            payload["charging_periods"] = merged.get("charging_periods") or []
        else:
            payload.pop("charging_periods", None)
        original, _ = target_body(target_version, version, wire, "SessionPatch", payload, ctx)
        return "PATCH", "SessionPatch", payload, original, target_version
    if not ocpi_version(version).appends_charging_periods and "charging_periods" in patch:
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


async def patch(
    db: Database,
    enums: EnumRegistry,
    origin: Origin,
    owner: Party,
    session_id: str,
    wire: Doc,
) -> None:
    """Merge a PATCH into the stored Session and queue it, in the receiver's PATCH semantics,
    to the party the Session concerns."""
    version = origin.version
    ctx = await up_context(db, enums, owner, version, wire, MODULE)
    change = to_canonical(version, "SessionPatch", wire, ctx)
    append = ocpi_version(version).appends_charging_periods
    async with db.write() as conn:
        stored = await get_object(
            conn, ObjectKey.of(MODULE, owner[0], owner[1], session_id), for_update=True
        )
        if stored is None:
            raise NotFound(
                f"the hub holds no session {session_id!r} of {owner[0]}-{owner[1]}: PUT it"
            )
        merged = merge_patch(stored.document, change, append_periods=append)
        party = addressee(origin.to_party, merged, origin.hub)
        target = await receiver_for(conn, owner, party, MODULE, origin.platform_id)
        assert target.version is not None
        down = await down_context(conn, owner, [merged])
        delivery = _patch_delivery(
            target.version, version, wire, change, stored.document, merged, down
        )
        # the stored original stays exact only while every change came in its version
        kept = None
        if stored.original is not None and stored.source_version == version:
            kept = merge_patch(stored.original, wire, append_periods=append)
        await keep_and_queue(
            conn,
            _push(origin, owner, session_id, delivery),
            target,
            session_id,
            document=merged,
            source_version=version if kept is not None else stored.source_version,
            original=kept,
        )


async def _preferences_target(
    db: Database, origin: Origin, session_id: str
) -> tuple[Party, str, Target]:
    """(requester, the CPO's session id, the CPO's target) of a ChargingPreferences request:
    from the mailbox copy of the session the caller's party was sent."""
    async with db.read() as conn:
        mine = {(p.country_code, p.party_id) for p in await list_parties(conn, origin.platform_id)}
        if origin.from_party is not None:
            if origin.from_party not in mine:
                named = "-".join(origin.from_party)
                raise InvalidParameters(
                    f"header OCPI-from ({named}) is not a party of your platform"
                )
            mine = {origin.from_party}
        to = origin.to_party
        kind = None if to is None or to == origin.hub else mailbox_key(to)
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
    speaks = target.version
    if speaks is not None and not ocpi_version(speaks).has_charging_preferences:
        raise HubError(f"{cpo[0]}-{cpo[1]} speaks OCPI {speaks}, which has no charging preferences")
    return requester, copy.key.object_id, target


async def charging_preferences(
    db: Database, relay: Relay, origin: Origin, session_id: str, wire: Doc
) -> Reply:
    """Relay an eMSP's ChargingPreferences to the CPO of the session, and its answer back."""
    requester, cpo_session_id, target = await _preferences_target(db, origin, session_id)
    route = await relay.route_to(requester, target, MODULE)
    body, _ = from_canonical(
        route.version,
        "ChargingPreferences",
        to_canonical(origin.version, "ChargingPreferences", wire, TranslationContext()),
    )
    url = join_url(route.url, quote(cpo_session_id, safe=""), "charging_preferences")
    answer = await relay.forward(route, "PUT", url, correlation_id=origin.correlation_id, json=body)
    if not answer.success:
        return Reply.failure(answer)
    return Reply.success(answer, single_value(answer, "ChargingPreferencesResponse"))
