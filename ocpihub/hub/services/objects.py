"""Steps every stored module shares (Locations, Tariffs, Tokens, Sessions, CDRs, Payments,
Bookings): who receives a push and queueing it in the push's transaction, and reading what a
pull may see.

Receiver side: a push is stored and its deliveries queued in the same transaction
(``outbox/enqueue.py``); :func:`push_receivers` reads OCPI-to (broadcast, or the one addressed
party, or 4001 — raised inside the transaction, so nothing is stored). Sender side: a pull
reads the objects of the owners the caller's agreements cover, or of the one party its OCPI-to
names (:func:`addressed_owners`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from ocpihub.errors import UnknownReceiver
from ocpihub.hub.agreements import partners
from ocpihub.hub.origin import Origin, Party
from ocpihub.hub.routing import addressed, broadcast
from ocpihub.model.outbox import Delivery, ordering_key
from ocpihub.model.parties import Target
from ocpihub.ocpi.fields import parse_datetime
from ocpihub.ocpi.pagination import PageRequest
from ocpihub.outbox.enqueue import enqueue
from ocpihub.store.agreements import list_agreements
from ocpihub.store.db import Connection, Database
from ocpihub.store.objects import ObjectKey, StoredObject, list_page, list_page_json, put_object
from ocpihub.store.platforms import list_parties
from ocpihub.store.routing import agreed_targets

__all__ = [
    "Listed",
    "Push",
    "Receivers",
    "addressed_owners",
    "agreed_receivers",
    "list_selected",
    "list_visible",
    "push_receivers",
    "queue",
    "queue_to",
    "store_object",
    "visible_owners",
]


@dataclass(frozen=True, slots=True)
class Push:
    """What one accepted push implies for the receivers."""

    owner: Party
    module: str
    method: str
    url_suffix: str
    object_name: str
    payload: dict[str, Any] | None
    original: dict[str, Any] | None
    original_version: str
    ordering_key: str
    correlation_id: str

    @classmethod
    def of(
        cls,
        origin: Origin,
        owner: Party,
        module: str,
        sent: tuple[str, str, str],
        *,
        name: str = "",
        payload: dict[str, Any] | None = None,
        original: dict[str, Any] | None = None,
        original_version: str | None = None,
        ordered_by: Party | None = None,
    ) -> Push:
        """The push of ``owner``'s object in the request from ``origin``; ``sent``: the method,
        the URL suffix below the receiver's endpoint and the object's id, whose deliveries keep
        their order (per ``ordered_by``'s objects, else the owner's). ``original_version``:
        the version of ``original`` when not the caller's."""
        method, url_suffix, object_id = sent
        party = ordered_by or owner
        return cls(
            owner=owner,
            module=module,
            method=method,
            url_suffix=url_suffix,
            object_name=name,
            payload=payload,
            original=original,
            original_version=original_version or origin.version,
            ordering_key=ordering_key(module, party[0], party[1], object_id),
            correlation_id=origin.correlation_id,
        )

    def delivery(
        self, target: Target, *, broadcast: bool = False, interface_role: str = "RECEIVER"
    ) -> Delivery:
        """The outbox item carrying this push to ``target``'s ``interface_role`` endpoint."""
        return Delivery(
            receiver_platform_id=target.platform_id,
            receiver_party=target.party,
            sender_party=self.owner,
            module=self.module,
            method=self.method,
            url_suffix=self.url_suffix,
            ordering_key=self.ordering_key,
            correlation_id=self.correlation_id,
            interface_role=interface_role,
            object_name=self.object_name if self.payload is not None else None,
            payload=self.payload,
            original=self.original,
            original_version=self.original_version if self.original is not None else None,
            broadcast=broadcast,
        )


@dataclass(frozen=True, slots=True)
class Receivers:
    """Who gets a push of a stored module, and whether it goes out as a broadcast."""

    targets: list[Target]
    broadcast: bool


def push_receivers(origin: Origin, agreed: Iterable[Target], module: str) -> Receivers:
    """The receivers of a push of a stored module (Locations, Tariffs, Tokens, BookingLocations).

    OCPI-to the hub, or none: a broadcast to every agreed receiver. OCPI-to naming a party:
    that party only, and a 4001 when it is not an agreed receiver the hub can deliver to —
    raised inside the push's transaction, so nothing is stored or queued.
    """
    party, sender = origin.addressed(), origin.platform_id
    candidates = list(agreed)
    if party is None:
        return Receivers(broadcast(candidates, module, sender_platform_id=sender), True)
    target = addressed(candidates, party, module, sender_platform_id=sender)
    if target is None or target.platform_id == sender:
        raise UnknownReceiver(
            f"OCPI-to names {party[0]}-{party[1]}, which has no ACTIVE agreement with you "
            f"covering {module} or publishes no {module} receiver endpoint: nothing was stored "
            "or sent (to reach every agreed party, address the hub or omit OCPI-to)"
        )
    return Receivers([target], False)


async def agreed_receivers(
    conn: Connection, origin: Origin, owner: Party, module: str
) -> Receivers:
    """:func:`push_receivers` among the parties ``owner`` has agreements covering ``module``
    with, read in the push's transaction."""
    return push_receivers(origin, await agreed_targets(conn, owner, module), module)


async def store_object(
    conn: Connection,
    key: ObjectKey,
    document: dict[str, Any],
    source_version: str,
    original: dict[str, Any] | None,
    *,
    newer_only: bool = False,
) -> bool:
    """Store a canonical ``document`` (ordered by its ``last_updated``) with the ``original``
    wire form of ``source_version``, in the caller's transaction; whether it was created."""
    return await put_object(
        conn,
        key,
        document=document,
        last_updated=parse_datetime(document["last_updated"]),
        source_version=source_version,
        original=original,
        newer_only=newer_only,
    )


async def queue(conn: Connection, push: Push, targets: list[Target], *, broadcast: bool) -> int:
    """Queue one delivery of ``push`` per target, in the caller's transaction."""
    deliveries = [push.delivery(t, broadcast=broadcast) for t in targets]
    if deliveries:
        await enqueue(conn, deliveries)
    return len(deliveries)


async def queue_to(
    conn: Connection, push: Push, target: Target, *, interface_role: str = "RECEIVER"
) -> None:
    """Queue one addressed delivery of ``push`` to ``target``'s ``interface_role`` endpoint.

    For modules where a party writes to its counterpart's Sender interface (Payments: the CPO
    assigns terminals at the PTP), ``interface_role`` is ``SENDER``.
    """
    await enqueue(conn, [push.delivery(target, interface_role=interface_role)])


async def visible_owners(conn: Connection, platform_id: int, module: str) -> set[Party]:
    """Owners whose ``module`` objects a platform may see: its parties' agreed partners."""
    owners: set[Party] = set()
    for party in await list_parties(conn, platform_id):
        code = (party.country_code, party.party_id)
        owners |= partners(await list_agreements(conn, code), code, module)
    return owners


def addressed_owners(party: Party | None, owners: set[Party], module: str) -> set[Party]:
    """The owners a pull may read: the addressed ``party`` only when OCPI-to names one (ids
    are unique per party only), 4001 when the caller's agreements do not reach it; else
    ``owners``."""
    if party is None:
        return owners
    if party not in owners:
        raise UnknownReceiver(
            f"{party[0]}-{party[1]} (OCPI-to) is not a party your agreements let you reach for "
            f"{module}"
        )
    return {party}


@dataclass(frozen=True, slots=True)
class Listed:
    """One page of a list: its items, the total matching count, whether more follow (None:
    the page is the last when it reaches the total)."""

    items: list[Any]
    total: int
    more: bool | None = None

    @property
    def last_key(self) -> int | None:
        """The creation-order key of the page's last item (the next page's cursor)."""
        return self.items[-1].seq if self.items else None


async def list_visible(db: Database, origin: Origin, module: str, page: PageRequest) -> Listed:
    """GET all on a hub Sender interface: a page of the stored objects of agreed owners (or of
    the one party OCPI-to names), each as JSON text in the caller's version where stored so."""
    async with db.read() as conn:
        owners = addressed_owners(
            origin.addressed(), await visible_owners(conn, origin.platform_id, module), module
        )
        items, total, more = await list_page_json(
            conn, module, page, version=origin.version, owners=owners
        )
    return Listed(items, total, more)


async def list_selected(
    db: Database,
    module: str,
    owners: Collection[Party],
    select: Callable[[StoredObject], bool],
    page: PageRequest,
) -> Listed:
    """A page of the stored ``module`` objects of ``owners`` that ``select`` keeps.

    For modules that keep several kinds of object under one module name (Payments, Bookings):
    the selection runs over the owners' objects in creation order, then the page is cut with
    the same offset/limit/cursor rules as :func:`list_visible`.
    """
    everything = PageRequest(0, 2**31 - 1, page.date_from, page.date_to)
    async with db.read() as conn:
        stored, _ = await list_page(conn, module, everything, owners=owners)
    chosen = [item for item in stored if select(item)]
    if page.cursor is not None:
        window = [item for item in chosen if item.seq > page.cursor][: page.limit]
    else:
        window = chosen[page.offset : page.offset + page.limit]
    return Listed(window, len(chosen))
