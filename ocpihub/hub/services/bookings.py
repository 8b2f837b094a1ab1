"""Bookings through the hub (OCPI 2.3.0 bookings edition, digest §3.10): what the handler
asks, done in the store, the outbox and through the one relay.

- A CPO's BookingLocation or Calendar push is stored (``kind`` ``booking_location``; a Calendar
  merged into its BookingLocation) and queued at the same level to every agreed eMSP (or the
  one OCPI-to names); a Booking push is stored (``kind`` ``booking``) and queued to the eMSP
  whose request created it (``hub/bookings.py``) — each in one transaction.
- An eMSP's BookingRequest goes to the CPO (OCPI-to, else the agreed CPO owning a
  BookingLocation or Location with the request's ``location_id``); a Booking in a successful
  answer is stored with its requester, so the CPO's later updates find their way back.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ocpihub.errors import HubError, InvalidParameters, NotFound, UnknownLocation, UnknownReceiver
from ocpihub.hub.bookings import PRIVATE_KEY, apply_calendar, merge, requester_of, with_requester
from ocpihub.hub.origin import Origin, Party
from ocpihub.hub.relay import Relay, Reply
from ocpihub.hub.routing import addressed
from ocpihub.hub.services.objects import (
    Listed,
    Push,
    agreed_receivers,
    list_selected,
    queue,
    queue_to,
    store_object,
    visible_owners,
)
from ocpihub.model.parties import Target
from ocpihub.ocpi.modules import ModuleId, module
from ocpihub.ocpi.pagination import PageRequest
from ocpihub.store.db import Connection, Database
from ocpihub.store.objects import (
    ObjectKey,
    StoredObject,
    find_visible,
    get_object,
    list_page,
)
from ocpihub.store.platforms import list_parties
from ocpihub.store.routing import agreed_targets

__all__ = [
    "get_location",
    "get_own",
    "list_kind",
    "push_booking",
    "push_location",
    "request_booking",
]

MODULE = "bookings"
(VERSION,) = module(ModuleId.BOOKINGS).versions  # the one version that defines it
LOCATION = "booking_location"
BOOKING = "booking"
_CPO = ("CPO",)

Doc = dict[str, Any]


def _push(
    origin: Origin, owner: Party, method: str, suffix: str, key: str, name: str, body: Doc
) -> Push:
    return Push.of(
        origin, owner, MODULE, (method, suffix, key), name=name, payload=body, original=body
    )


def _path(*parts: str) -> str:
    return "".join("/" + quote(p, safe="") for p in parts)


async def _put(
    conn: Connection, owner: Party, object_id: str, kind: str, doc: Doc, original: Doc | None
) -> bool:
    return await store_object(
        conn, ObjectKey.of(MODULE, owner[0], owner[1], object_id, kind), doc, VERSION, original
    )


async def push_location(
    db: Database,
    origin: Origin,
    owner: Party,
    ids: tuple[str, str | None],
    *,
    name: str,
    wire: Doc,
    patch: bool,
) -> bool:
    """Store a BookingLocation (``ids``: its id, no calendar) or Calendar push and queue it;
    whether the BookingLocation was created."""
    location_id, calendar_id = ids
    key = ObjectKey.of(MODULE, owner[0], owner[1], location_id, LOCATION)
    async with db.write() as conn:
        stored = await get_object(conn, key, for_update=True)
        if stored is None and (patch or calendar_id is not None):
            raise NotFound(f"the hub holds no booking location {location_id!r} of yours to update")
        if calendar_id is not None:
            assert stored is not None
            doc = apply_calendar(stored.document, calendar_id, wire, patch=patch)
        else:
            doc = merge(stored.document, wire) if patch and stored else wire
        whole = calendar_id is None and not patch
        created = await _put(conn, owner, location_id, LOCATION, doc, wire if whole else None)
        receivers = await agreed_receivers(conn, origin, owner, MODULE)
        suffix = _path(owner[0], owner[1], "booking_locations", location_id) + (
            _path(calendar_id) if calendar_id else ""
        )
        method = "PATCH" if patch else "PUT"
        push = _push(origin, owner, method, suffix, f"{LOCATION}:{location_id}", name, wire)
        await queue(conn, push, receivers.targets, broadcast=receivers.broadcast)
    return created


async def get_own(db: Database, owner: Party, object_id: str, kind: str) -> StoredObject | None:
    """The owner's stored BookingLocation or Booking (``kind``)."""
    async with db.read() as conn:
        return await get_object(conn, ObjectKey.of(MODULE, owner[0], owner[1], object_id, kind))


async def push_booking(
    db: Database,
    origin: Origin,
    owner: Party,
    booking_id: str,
    *,
    name: str,
    wire: Doc,
    patch: bool,
) -> bool:
    """Store a CPO's Booking push and queue it to the eMSP that asked for the booking;
    whether it was created."""
    async with db.write() as conn:
        stored = await get_object(
            conn, ObjectKey.of(MODULE, owner[0], owner[1], booking_id, BOOKING), for_update=True
        )
        if patch and stored is None:
            raise NotFound(f"the hub holds no booking {booking_id!r} of yours to update")
        emsp = requester_of(wire, stored.document if stored else None)
        targets = await agreed_targets(conn, owner, MODULE)
        target = addressed(targets, emsp, MODULE, sender_platform_id=origin.platform_id)
        if target is None:
            raise UnknownReceiver(
                f"{emsp[0]}-{emsp[1]}, which asked for this booking, is not reachable for "
                "bookings: no active agreement with you, or no OCPI 2.3.0 bookings interface"
            )
        doc = merge(stored.document, wire) if patch and stored else wire
        created = await _put(
            conn, owner, booking_id, BOOKING, with_requester(doc, emsp), None if patch else wire
        )
        suffix = _path(owner[0], owner[1], booking_id)
        method = "PATCH" if patch else "PUT"
        push = _push(origin, owner, method, suffix, f"{BOOKING}:{booking_id}", name, wire)
        await queue_to(conn, push, target)
    return created


async def get_location(db: Database, platform_id: int, location_id: str) -> StoredObject | None:
    """A stored BookingLocation of a CPO the platform's agreements cover."""
    async with db.read() as conn:
        owners = await visible_owners(conn, platform_id, MODULE)
        return await find_visible(conn, MODULE, location_id, owners, kind=LOCATION)


async def list_kind(db: Database, platform_id: int, kind: str, page: PageRequest) -> Listed:
    """A page of the BookingLocations of agreed CPOs, or of the Bookings the platform's own
    parties asked for (``kind``)."""
    async with db.read() as conn:
        owners = await visible_owners(conn, platform_id, MODULE)
        mine = {(p.country_code, p.party_id) for p in await list_parties(conn, platform_id)}

    def wanted(item: StoredObject) -> bool:
        if item.key.kind != kind:
            return False
        if kind != BOOKING:
            return True
        entry = item.document.get(PRIVATE_KEY) or {}
        return tuple(entry.get("requester") or ()) in mine

    return await list_selected(db, MODULE, owners, wanted, page)


async def _booking_locations(
    conn: Connection, owners: set[Party], location_id: str
) -> list[StoredObject]:
    """Stored BookingLocations of ``owners`` that offer the Location ``location_id``."""
    if not owners:
        return []
    items, _ = await list_page(conn, MODULE, PageRequest(0, 2**31 - 1), owners=owners)
    return [
        i
        for i in items
        if i.key.kind == LOCATION and str(i.document.get("location_id")) == location_id
    ]


async def _location_owner(conn: Connection, agreed: set[Party], location_id: str) -> Party:
    """The agreed CPO offering ``location_id`` (a BookingLocation, else a Location)."""
    owners: set[Party] = set()
    for item in await _booking_locations(conn, agreed, location_id):
        owners.add((item.key.country_code, item.key.party_id))
    if not owners:
        found = await find_visible(conn, "locations", location_id, agreed)
        owners = {(found.key.country_code, found.key.party_id)} if found else set()
    if not owners:
        raise UnknownLocation(
            f"no location {location_id!r} of a CPO your agreements let you book with"
        )
    if len(owners) > 1:
        raise InvalidParameters(
            f"several CPOs offer a location {location_id!r}: name the one to ask with the "
            "OCPI-to-country-code and OCPI-to-party-id headers"
        )
    return owners.pop()


async def _cpo_for(db: Database, to: Party | None, emsp: Party, location_id: str) -> Target:
    """The CPO a BookingRequest goes to: OCPI-to, else the agreed owner of ``location_id``."""
    async with db.read() as conn:
        targets = [
            t
            for t in await agreed_targets(conn, emsp, MODULE, interface_role="SENDER")
            if t.role in _CPO
        ]
        agreed = {t.party for t in targets}
        if to is not None:
            if to not in agreed:
                raise UnknownReceiver(
                    f"{to[0]}-{to[1]} (OCPI-to) is no CPO you have an active agreement with "
                    "covering bookings: the hub does not forward your request"
                )
            cpo = to
        else:
            cpo = await _location_owner(conn, agreed, location_id)
    for target in targets:
        if target.party == cpo and target.endpoint_url and target.version == VERSION:
            return target
    raise UnknownReceiver(
        f"{cpo[0]}-{cpo[1]} takes no booking requests: it publishes no OCPI 2.3.0 bookings "
        "Sender interface"
    )


async def request_booking(
    db: Database, relay: Relay, origin: Origin, emsp: Party, wire: Doc
) -> Reply:
    """Forward an eMSP's BookingRequest to the CPO and relay its answer; a Booking it answers
    is stored with its requester."""
    target = await _cpo_for(db, origin.to_party, emsp, str(wire["location_id"]))
    route = await relay.route_to(emsp, target, MODULE)
    answer = await relay.forward(
        route, "POST", route.url, correlation_id=origin.correlation_id, json=wire
    )
    if not answer.success:
        return Reply.failure(answer)
    booking = relay.checked(answer, "Booking", strict=True)
    booking.pop(PRIVATE_KEY, None)
    cpo = route.receiver
    if (str(booking["country_code"]).upper(), str(booking["party_id"]).upper()) != cpo:
        raise HubError(f"{cpo[0]}-{cpo[1]} answered a Booking of another party")
    async with db.write() as conn:
        await _put(conn, cpo, str(booking["id"]), BOOKING, with_requester(booking, emsp), booking)
    return Reply.success(answer, booking)
