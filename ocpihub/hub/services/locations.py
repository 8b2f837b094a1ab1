"""Locations through the hub: a CPO's push stored into its Location tree and queued to the
receivers in one transaction; GET one from the store, or — when the hub lacks it and OCPI-to
names its owner — asked of that owner through the one relay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from ocpihub.errors import UnknownReceiver
from ocpihub.hub.enums import EnumRegistry
from ocpihub.hub.locations import apply_push
from ocpihub.hub.origin import Origin, Party
from ocpihub.hub.relay import Relay, Reply, single_object, translated
from ocpihub.hub.services.objects import (
    Push,
    addressed_owners,
    push_receivers,
    queue,
    store_object,
    visible_owners,
)
from ocpihub.outbound.urls import join_url
from ocpihub.store.db import Database
from ocpihub.store.directory import Directory
from ocpihub.store.objects import ObjectKey, StoredObject, find_visible, get_object
from ocpihub.store.routing import party_target
from ocpihub.translate import TranslationContext, to_canonical

__all__ = ["LocationIds", "ask_owner", "get_one", "get_own", "push"]

MODULE = "locations"
LEVELS = ("Location", "EVSE", "Connector")

Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class LocationIds:
    """The level a request is about: a Location, one of its EVSEs, or one Connector."""

    location_id: str
    evse_uid: str | None = None
    connector_id: str | None = None

    @property
    def path(self) -> list[str]:
        """The ids as URL segments below the module's endpoint."""
        return [self.location_id, *(i for i in (self.evse_uid, self.connector_id) if i is not None)]


async def push(
    db: Database,
    directory: Directory,
    origin: Origin,
    owner: Party,
    ids: LocationIds,
    *,
    name: str,
    wire: Doc,
    patch: bool,
    enums: EnumRegistry,
) -> bool:
    """Translate a PUT/PATCH (``wire``: the ``name`` object as the owner sent it), store it
    at its level and queue it, at the same level and method, to every agreed receiver (or the
    one OCPI-to names); whether the Location was created."""
    ctx = TranslationContext(
        country_code=owner[0],
        party_id=owner[1],
        now=datetime.now(UTC),
        enums=enums,
        time_zone=origin.time_zone,
    )
    canon = to_canonical(origin.version, name, wire, ctx)
    key = ObjectKey.of(MODULE, owner[0], owner[1], ids.location_id)
    # read before the transaction: a cache miss must not wait for a second pooled connection
    # while this one is held
    agreed = list(await directory.agreed_targets(owner, MODULE))
    async with db.write() as conn:
        stored = await get_object(conn, key, for_update=True)
        document, created = apply_push(
            stored.document if stored else None,
            ids.location_id,
            ids.evse_uid,
            ids.connector_id,
            canon,
            patch=patch,
        )
        whole = ids.evse_uid is None and not patch
        await store_object(
            conn, key, document, origin.version, wire if whole else None, newer_only=whole
        )
        receivers = push_receivers(origin, agreed, MODULE)
        suffix = "/" + "/".join([owner[0], owner[1], *ids.path])
        sent = ("PATCH" if patch else "PUT", suffix, ids.location_id)
        delivery = Push.of(origin, owner, MODULE, sent, name=name, payload=canon, original=wire)
        await queue(conn, delivery, receivers.targets, broadcast=receivers.broadcast)
    return created


async def get_own(db: Database, owner: Party, location_id: str) -> StoredObject | None:
    """The owner's stored Location, as the hub holds it."""
    async with db.read() as conn:
        return await get_object(conn, ObjectKey.of(MODULE, owner[0], owner[1], location_id))


async def get_one(
    db: Database, relay: Relay, origin: Origin, ids: LocationIds
) -> StoredObject | Reply | None:
    """GET one: from the hub's store, among the objects of the addressed party when OCPI-to
    names one (ids are unique per party only); one the hub lacks is asked of that party
    (:func:`ask_owner`). None: not there, and nobody to ask."""
    owner = origin.addressed()
    async with db.read() as conn:
        owners = addressed_owners(
            owner, await visible_owners(conn, origin.platform_id, MODULE), MODULE
        )
        stored = await find_visible(conn, MODULE, ids.location_id, owners)
    if stored is None and owner is not None:
        return await ask_owner(db, relay, origin, owner, ids)
    return stored


async def ask_owner(
    db: Database, relay: Relay, origin: Origin, owner: Party, ids: LocationIds
) -> Reply:
    """GET one the hub lacks, addressed to its owner: ask the owner, relay the answer in the
    caller's version."""
    async with db.read() as conn:
        targets = await party_target(conn, owner, MODULE, interface_role="SENDER")
    target = next((t for t in targets if t.role == "CPO" and t.endpoint_url), None)
    if target is None:
        raise UnknownReceiver(f"{owner[0]}-{owner[1]} publishes no locations Sender endpoint")
    requester = await relay.requester(origin.platform_id, origin.from_party)
    route = await relay.route_to(requester, target, MODULE)
    url = join_url(route.url, *(quote(i, safe="") for i in ids.path))
    answer = await relay.forward(route, "GET", url, correlation_id=origin.correlation_id)
    if not answer.success:
        return Reply.failure(answer)
    name = LEVELS[len(ids.path) - 1]
    data = single_object(answer, name)
    wire = relay.validated(answer, name, data)
    if route.platform.profile.tolerate:  # what its profile let through, in the spec's form
        data = wire
    if route.version != origin.version:
        ctx = TranslationContext(
            country_code=owner[0],
            party_id=owner[1],
            enums=relay.enums,
            time_zone=route.platform.default_time_zone,
        )
        data = translated(wire, name, route.version, origin.version, ctx)
    return Reply.success(answer, data)
