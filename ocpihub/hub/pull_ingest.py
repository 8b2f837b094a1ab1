"""Storing what a scheduled pull brought, exactly as if the partner had pushed it.

Each object of a page is validated with the partner's version (the same models and open-enum
registry as a push), must belong to a party the platform hosts in the module's owner role (the
push's ownership rule, DESIGN rule 3), is translated to canonical and stored with the push's
ordering rule (an object stored with a later ``last_updated`` is kept; one with the same
``last_updated`` is unchanged and not sent again), and is queued to every agreed receiver as
the broadcast PUT a new agreement partner receives (``hub/initial_sync.py``). A refused object
is counted with its reason and nothing of it is stored.

A full pull that read the partner's whole list then removes what the list no longer holds,
as the module allows (:class:`~ocpihub.hub.pull_plan.Removal`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ocpihub.errors import InvalidParameters, OcpiError, Superseded
from ocpihub.hub.enums import EnumRegistry
from ocpihub.hub.initial_sync import delivery_of
from ocpihub.hub.pull_plan import Pulled, Removal
from ocpihub.hub.routing import broadcast
from ocpihub.hub.tokens import DEFAULT_TOKEN_TYPE
from ocpihub.model.outbox import Delivery, ordering_key
from ocpihub.model.parties import Target
from ocpihub.ocpi.fields import dump, is_later, parse, parse_datetime
from ocpihub.ocpi.pagination import PageRequest
from ocpihub.ocpi.registry import model
from ocpihub.ocpi.tolerant import Repair, parse_tolerant
from ocpihub.ocpi.version import ocpi_version
from ocpihub.outbox.enqueue import enqueue
from ocpihub.store.db import Connection
from ocpihub.store.objects import (
    ObjectKey,
    StoredObject,
    delete_object,
    get_object,
    list_page,
    put_object,
)
from ocpihub.store.pulls import PullProgress
from ocpihub.store.routing import agreed_targets
from ocpihub.translate import CANONICAL_VERSION, TranslationContext, to_canonical

__all__ = ["PullSource", "Seen", "ingest_page", "remove_absent"]

Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class PullSource:
    """The platform pulled: its id, name, version and the parties it hosts in the owner role."""

    platform_id: int
    name: str
    version: str
    owners: tuple[tuple[str, str], ...]
    # the deviations its interoperability profile tolerates, and who counts their uses
    tolerate: frozenset[str] = frozenset()
    tolerated: Callable[[str, list[Repair]], None] | None = None


@dataclass(slots=True)
class Seen:
    """The objects a pull met, by owner and upper-cased id; ``unidentified``: an item had no
    id to read, so a full pull cannot tell what is absent and removes nothing."""

    ids: set[tuple[str, str, str]] = field(default_factory=set)
    unidentified: bool = False


def _identify(how: Pulled, source: PullSource, raw: Any, seen: Seen) -> str | None:
    value = raw.get(how.id_field) if isinstance(raw, dict) else None
    if not isinstance(value, str) or not value:
        seen.unidentified = True
        return None
    if not ocpi_version(source.version).has_roles:
        owners = source.owners
    else:
        cc, pid = raw.get("country_code"), raw.get("party_id")
        owners = ((str(cc).upper(), str(pid).upper()),)
    for cc, pid in owners:
        seen.ids.add((cc, pid, value.upper()))
    return value


def _owner(how: Pulled, source: PullSource, wire: Doc, object_id: str) -> tuple[str, str]:
    if not ocpi_version(source.version).has_roles:  # 2.1.1 objects name no owner: its one party
        return source.owners[0]
    owner = (str(wire["country_code"]).upper(), str(wire["party_id"]).upper())
    if owner not in source.owners:
        raise InvalidParameters(
            f"country_code/party_id: {owner[0]}-{owner[1]} is not a {how.owner_role} hosted by "
            f"platform {source.name!r}; {how.object_name} {object_id!r} not stored"
        )
    return owner


class _Receivers:
    """The agreed receivers of each owner, read once per page."""

    def __init__(self, conn: Connection, module: str, sender_platform_id: int) -> None:
        self.conn, self.module, self.sender = conn, module, sender_platform_id
        self._by_owner: dict[tuple[str, str], list[Target]] = {}

    async def of(self, owner: tuple[str, str]) -> list[Target]:
        if owner not in self._by_owner:
            agreed = await agreed_targets(self.conn, owner, self.module)
            self._by_owner[owner] = broadcast(agreed, self.module, sender_platform_id=self.sender)
        return self._by_owner[owner]


async def _queue_put(
    conn: Connection,
    how: Pulled,
    item: StoredObject,
    targets: list[Target],
    correlation_id: str,
) -> None:
    key = item.key
    rfid_twin = (
        how.module == "tokens"
        and key.kind != DEFAULT_TOKEN_TYPE
        and await get_object(
            conn,
            ObjectKey.of(
                how.module, key.country_code, key.party_id, key.object_id, DEFAULT_TOKEN_TYPE
            ),
        )
        is not None
    )
    deliveries = [
        d
        for t in targets
        if (
            d := delivery_of(
                item, t, how.module, how.object_name, correlation_id, rfid_twin=rfid_twin
            )
        )
        is not None
    ]
    if deliveries:
        await enqueue(conn, deliveries)


def _parsed(how: Pulled, source: PullSource, raw: Any, enums: EnumRegistry) -> Doc:
    """The object validated as a push from that partner is (its profile's tolerances too)."""
    wanted = model(source.version, how.object_name)
    if not source.tolerate:
        return dump(parse(wanted, raw, enums=enums))
    parsed, repairs = parse_tolerant(wanted, raw, tolerate=source.tolerate, enums=enums)
    if repairs and source.tolerated is not None:
        source.tolerated(how.object_name, repairs)
    return dump(parsed)


def _newer(pulled: Doc, stored: Doc) -> bool:
    """Whether a pulled object changes the stored one: a later ``last_updated``, or the same
    one with other content (a Token the hub invalidated, listed again)."""
    if is_later(pulled["last_updated"], stored.get("last_updated")):
        return True
    return not is_later(stored.get("last_updated"), pulled["last_updated"]) and pulled != stored


async def _store_one(
    conn: Connection,
    how: Pulled,
    source: PullSource,
    raw: Any,
    object_id: str,
    *,
    enums: EnumRegistry,
    now: datetime,
    receivers: _Receivers,
    correlation_id: str,
) -> bool:
    """Store one pulled object like a push; whether it changed what the hub holds."""
    wire = _parsed(how, source, raw, enums)
    owner = _owner(how, source, wire, object_id)
    ctx = TranslationContext(country_code=owner[0], party_id=owner[1], now=now, enums=enums)
    canon = to_canonical(source.version, how.object_name, wire, ctx)
    kind = str(canon["type"]) if how.module == "tokens" else ""
    key = ObjectKey.of(how.module, owner[0], owner[1], object_id, kind)
    last_updated = parse_datetime(canon["last_updated"])
    stored = await get_object(conn, key, for_update=True)
    if stored is not None and not _newer(canon, stored.document):
        return False  # the same or an older version: the hub's copy stands
    try:
        await put_object(
            conn,
            key,
            document=canon,
            last_updated=last_updated,
            source_version=source.version,
            original=wire,
            newer_only=True,
        )
    except Superseded:  # a push of a later version landed first
        return False
    item = StoredObject(key, 0, last_updated, canon, source.version, wire)
    await _queue_put(conn, how, item, await receivers.of(owner), correlation_id)
    return True


async def ingest_page(
    conn: Connection,
    how: Pulled,
    source: PullSource,
    items: list[Any],
    *,
    enums: EnumRegistry,
    now: datetime,
    correlation_id: str,
    progress: PullProgress,
    seen: Seen,
) -> None:
    """Store one page of pulled objects, in the caller's transaction."""
    receivers = _Receivers(conn, how.module, source.platform_id)
    for raw in items:
        object_id = _identify(how, source, raw, seen)
        if object_id is None:
            progress.error(f"a {how.object_name} without {how.id_field}: not stored")
            continue
        try:
            changed = await _store_one(
                conn,
                how,
                source,
                raw,
                object_id,
                enums=enums,
                now=now,
                receivers=receivers,
                correlation_id=correlation_id,
            )
        except OcpiError as exc:
            progress.error(f"{how.object_name} {object_id!r}: {exc.message}")
            continue
        progress.stored += changed


async def _absent(
    conn: Connection,
    how: Pulled,
    owners: Collection[tuple[str, str]],
    seen: Seen,
) -> list[StoredObject]:
    gone: list[StoredObject] = []
    cursor: int | None = None
    while True:
        page = PageRequest(0, 500, cursor=cursor)
        items, _ = await list_page(conn, how.module, page, owners=owners)
        for item in items:
            key = item.key
            if (key.country_code, key.party_id, key.object_id.upper()) not in seen.ids:
                gone.append(item)
        if len(items) < page.limit:
            return gone
        cursor = items[-1].seq


async def remove_absent(
    conn: Connection,
    how: Pulled,
    source: PullSource,
    seen: Seen,
    *,
    addressed: tuple[str, str],
    correlation_id: str,
    progress: PullProgress,
) -> None:
    """After a complete full pull: remove what the partner no longer lists, as the module
    allows, and queue the module's removal form to the agreed receivers.

    Only objects of the party the pull was addressed to (OCPI-to) and of parties the list
    showed objects of are looked at: a platform hosting several parties may answer for the
    addressed one only, and silence about the others proves nothing.
    """
    if how.removal is Removal.NONE or seen.unidentified:
        return
    listed = {(cc, pid) for cc, pid, _ in seen.ids}
    owners = [o for o in source.owners if o == addressed or o in listed]
    receivers = _Receivers(conn, how.module, source.platform_id)
    for item in await _absent(conn, how, owners, seen):
        key = item.key
        owner = (key.country_code, key.party_id)
        targets = await receivers.of(owner)
        if how.removal is Removal.DELETE:
            await delete_object(conn, key)
            await enqueue(conn, [_deletion(how, key, t, correlation_id) for t in targets])
        else:
            if item.document.get("valid") is False:
                continue
            document = {**item.document, "valid": False}
            await put_object(
                conn,
                key,
                document=document,
                last_updated=item.last_updated,
                source_version=item.source_version,
                original=None,
            )
            invalid = StoredObject(
                key, item.seq, item.last_updated, document, CANONICAL_VERSION, None
            )
            await _queue_put(conn, how, invalid, targets, correlation_id)
        progress.removed += 1


def _deletion(how: Pulled, key: ObjectKey, target: Target, correlation_id: str) -> Delivery:
    return Delivery(
        receiver_platform_id=target.platform_id,
        receiver_party=target.party,
        sender_party=(key.country_code, key.party_id),
        module=how.module,
        method="DELETE",
        url_suffix=f"/{key.country_code}/{key.party_id}/{key.object_id}",
        ordering_key=ordering_key(how.module, key.country_code, key.party_id, key.object_id),
        correlation_id=correlation_id,
        object_name=None,
        payload=None,
        original=None,
        original_version=None,
        broadcast=True,
    )
