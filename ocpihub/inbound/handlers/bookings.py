"""Bookings through the hub (OCPI 2.3.0 bookings edition, digest §3.10).

- Receiver interface (``/ocpi/2.3.0/bookings/receiver/{cc}/{pid}/…``), used by CPOs:
  ``booking_locations/{id}[/{calendar_id}]`` PUT/PATCH/GET — stored (``kind``
  ``booking_location``; a Calendar push is merged into its BookingLocation) and broadcast at the
  same level to every agreed eMSP that publishes the module; ``{booking_id}`` PUT/PATCH/GET — a
  Booking's status changes, assignments and CPO cancellations, stored (``kind`` ``booking``) and
  addressed to the eMSP whose request created it (``hub/bookings.py``).
- Sender interface (``/ocpi/2.3.0/bookings/sender``), used by eMSPs: ``GET /booking_locations
  [/{id}[/{calendar_id}]]`` from the hub's store, over the CPOs the caller's agreements cover;
  ``GET`` of the caller's own Bookings; and ``POST`` of a BookingRequest (new booking, change with
  the same ``request_id``, or cancellation with ``canceled``), forwarded synchronously to the CPO
  (OCPI-to, else the agreed CPO owning a BookingLocation or Location with the request's
  ``location_id``) and its answer relayed; a Booking in a successful answer is stored with its
  requester, so the CPO's later updates find their way back.

The spec defines no endpoint for an eMSP's PATCH of a request (digest §3.10 "[SPEC-BUG]"): an eMSP
changes or cancels by POSTing a BookingRequest again. Only 2.3.0 partners publishing the module
take part; nothing of it is ever sent to 2.2.1/2.1.1 partners (their versions have no module).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from ocpihub.errors import (
    HubError,
    InvalidParameters,
    NotFound,
    UnknownLocation,
    UnknownReceiver,
)
from ocpihub.hub.bookings import (
    PRIVATE_KEY,
    apply_calendar,
    find_calendar,
    merge,
    requester_of,
    with_requester,
)
from ocpihub.hub.routing import addressed
from ocpihub.inbound.auth import Caller, check_version, registered, runtime_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._objects import (
    Push,
    check_ids,
    correlation_id,
    egress,
    list_selected,
    owned_party,
    parse_wire,
    push_receivers,
    queue,
    queue_to,
    visible_owners,
)
from ocpihub.inbound.handlers._relay import (
    forward,
    invalid_object,
    relay_failure,
    relay_object,
    route_to,
    single_object,
)
from ocpihub.inbound.interfaces import Declared, HttpRoute
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.fields import parse_datetime
from ocpihub.ocpi.headers import parse_routing_headers
from ocpihub.ocpi.modules import InterfaceRole, ModuleId
from ocpihub.ocpi.pagination import PageRequest
from ocpihub.outbox.items import ordering_key
from ocpihub.store.objects import (
    ObjectKey,
    StoredObject,
    find_visible,
    get_object,
    list_page,
    put_object,
)
from ocpihub.store.platforms import list_parties
from ocpihub.store.routing import Target, agreed_targets

__all__ = ["ROUTES"]

MODULE = "bookings"
MODULE_NAME = "Bookings"
VERSION = "2.3.0"
LOCATION = "booking_location"
BOOKING = "booking"
_CPO = ("CPO",)
_EMSP = ("EMSP",)

Doc = dict[str, Any]
Party = tuple[str, str]


def _wire(request: Request, name: str, body: Any) -> Doc:
    """A validated 2.3.0 body, without any key that poses as the hub's private annotation."""
    wire = parse_wire(runtime_of(request), VERSION, name, body)
    wire.pop(PRIVATE_KEY, None)
    return wire


def _push(
    request: Request, owner: Party, method: str, suffix: str, key: str, name: str, body: Doc
) -> Push:
    return Push(
        owner=owner,
        sender_platform_id=0,
        module=MODULE,
        method=method,
        url_suffix=suffix,
        object_name=name,
        payload=body,
        original=body,
        original_version=VERSION,
        ordering_key=ordering_key(MODULE, owner[0], owner[1], key),
        correlation_id=correlation_id(request),
    )


def _path(*parts: str) -> str:
    return "".join("/" + quote(p, safe="") for p in parts)


async def _put(
    conn: AsyncConnection, owner: Party, object_id: str, kind: str, doc: Doc, original: Doc | None
) -> bool:
    return await put_object(
        conn,
        ObjectKey.of(MODULE, owner[0], owner[1], object_id, kind),
        document=doc,
        last_updated=parse_datetime(doc["last_updated"]),
        source_version=VERSION,
        original=original,
    )


# --- receiver interface: BookingLocations and Calendars from CPOs --------------------------------


async def _push_location(
    request: Request,
    caller: Caller,
    cc: str,
    pid: str,
    location_id: str,
    calendar_id: str | None,
    *,
    patch: bool,
) -> Response:
    check_version(caller, VERSION, sole=MODULE_NAME)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, _CPO)
    name = ("BookingLocation" if calendar_id is None else "Calendar") + ("Patch" if patch else "")
    wire = _wire(request, name, await read_json(request))
    check_ids(wire, owner, {"id": calendar_id or location_id}, VERSION)
    key = ObjectKey.of(MODULE, owner[0], owner[1], location_id, LOCATION)
    async with runtime.db.write() as conn:
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
        receivers = push_receivers(
            request,
            runtime.settings.hub_party,
            await agreed_targets(conn, owner, MODULE),
            MODULE,
            sender_platform_id=caller.platform.id,
        )
        suffix = _path(owner[0], owner[1], "booking_locations", location_id) + (
            _path(calendar_id) if calendar_id else ""
        )
        method = "PATCH" if patch else "PUT"
        push = _push(request, owner, method, suffix, f"{LOCATION}:{location_id}", name, wire)
        await queue(conn, push, receivers.targets, broadcast=receivers.broadcast)
    return ocpi_response(http_status=201 if created else 200, include_data=False)


async def _get_own_location(
    request: Request, caller: Caller, cc: str, pid: str, location_id: str, calendar_id: str | None
) -> Response:
    check_version(caller, VERSION, sole=MODULE_NAME)
    owner = await owned_party(request, caller, cc, pid, _CPO)
    async with runtime_of(request).db.read() as conn:
        stored = await get_object(
            conn, ObjectKey.of(MODULE, owner[0], owner[1], location_id, LOCATION)
        )
    return _location_answer(stored, location_id, calendar_id)


def _location_answer(
    stored: StoredObject | None, location_id: str, calendar_id: str | None
) -> Response:
    if stored is None:
        raise NotFound(f"no booking location {location_id!r} here")
    if calendar_id is None:
        return ocpi_response(egress(VERSION, "BookingLocation", stored))
    calendar = find_calendar(stored.document, calendar_id)
    if calendar is None:
        raise NotFound(f"booking location {location_id!r} has no calendar {calendar_id!r}")
    return ocpi_response(calendar)


# --- receiver interface: Bookings from CPOs -----------------------------------------------------


async def _push_booking(
    request: Request, caller: Caller, cc: str, pid: str, booking_id: str, *, patch: bool
) -> Response:
    check_version(caller, VERSION, sole=MODULE_NAME)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, _CPO)
    name = "BookingPatch" if patch else "Booking"
    wire = _wire(request, name, await read_json(request))
    check_ids(wire, owner, {"id": booking_id}, VERSION)
    async with runtime.db.write() as conn:
        stored = await get_object(
            conn, ObjectKey.of(MODULE, owner[0], owner[1], booking_id, BOOKING), for_update=True
        )
        if patch and stored is None:
            raise NotFound(f"the hub holds no booking {booking_id!r} of yours to update")
        emsp = requester_of(wire, stored.document if stored else None)
        targets = await agreed_targets(conn, owner, MODULE)
        target = addressed(targets, emsp, MODULE, sender_platform_id=caller.platform.id)
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
        push = _push(request, owner, method, suffix, f"{BOOKING}:{booking_id}", name, wire)
        await queue_to(conn, push, target)
    return ocpi_response(http_status=201 if created else 200, include_data=False)


async def _get_own_booking(
    request: Request, caller: Caller, cc: str, pid: str, booking_id: str
) -> Response:
    check_version(caller, VERSION, sole=MODULE_NAME)
    owner = await owned_party(request, caller, cc, pid, _CPO)
    async with runtime_of(request).db.read() as conn:
        stored = await get_object(
            conn, ObjectKey.of(MODULE, owner[0], owner[1], booking_id, BOOKING)
        )
    if stored is None:
        raise NotFound(f"the hub holds no booking {booking_id!r} of {owner[0]}-{owner[1]}")
    return ocpi_response(egress(VERSION, "Booking", stored))


# --- sender interface: eMSPs pull and request ----------------------------------------------------


async def _get_location(
    request: Request, caller: Caller, location_id: str, calendar_id: str | None
) -> Response:
    check_version(caller, VERSION, sole=MODULE_NAME)
    async with runtime_of(request).db.read() as conn:
        owners = await visible_owners(conn, caller, MODULE)
        stored = await find_visible(conn, MODULE, location_id, owners, kind=LOCATION)
    return _location_answer(stored, location_id, calendar_id)


async def _list(request: Request, caller: Caller, kind: str, name: str, base: str) -> Response:
    check_version(caller, VERSION, sole=MODULE_NAME)
    async with runtime_of(request).db.read() as conn:
        owners = await visible_owners(conn, caller, MODULE)
        mine = {(p.country_code, p.party_id) for p in await list_parties(conn, caller.platform.id)}

    def wanted(item: StoredObject) -> bool:
        if item.key.kind != kind:
            return False
        if kind != BOOKING:
            return True
        entry = item.document.get(PRIVATE_KEY) or {}
        return tuple(entry.get("requester") or ()) in mine

    return await list_selected(request, caller, MODULE, name, owners, wanted, base_path=base)


async def _cpo_for(
    conn: AsyncConnection, request: Request, emsp: Party, location_id: str
) -> Target:
    """The CPO a BookingRequest goes to: OCPI-to, else the agreed owner of ``location_id``."""
    targets = [
        t
        for t in await agreed_targets(conn, emsp, MODULE, interface_role="SENDER")
        if t.role in _CPO
    ]
    agreed = {t.party for t in targets}
    to = parse_routing_headers(request.headers).to_party
    if to is not None:
        cpo = (to.country_code, to.party_id)
        if cpo not in agreed:
            raise UnknownReceiver(
                f"{cpo[0]}-{cpo[1]} (OCPI-to) is no CPO you have an active agreement with "
                "covering bookings: the hub does not forward your request"
            )
    else:
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
        cpo = owners.pop()
    for target in targets:
        if target.party == cpo and target.endpoint_url and target.version == VERSION:
            return target
    raise UnknownReceiver(
        f"{cpo[0]}-{cpo[1]} takes no booking requests: it publishes no OCPI 2.3.0 bookings "
        "Sender interface"
    )


async def _booking_locations(
    conn: AsyncConnection, owners: set[Party], location_id: str
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


async def _request_booking(request: Request, caller: Caller) -> Response:
    check_version(caller, VERSION, sole=MODULE_NAME)
    runtime = runtime_of(request)
    wire = _wire(request, "BookingRequest", await read_json(request))
    emsp = await owned_party(
        request, caller, str(wire["country_code"]), str(wire["party_id"]), _EMSP
    )
    async with runtime.db.read() as conn:
        target = await _cpo_for(conn, request, emsp, str(wire["location_id"]))
    route = await route_to(runtime.directory, emsp, target, MODULE)
    answer = await forward(runtime, request, route, "POST", route.url, json=wire, module=MODULE)
    if not answer.success:
        return relay_failure(VERSION, answer)
    try:
        booking = _wire(request, "Booking", single_object(answer, "Booking"))
    except InvalidParameters as exc:
        raise invalid_object(answer, "Booking", exc.message) from None
    cpo = route.receiver
    if (str(booking["country_code"]).upper(), str(booking["party_id"]).upper()) != cpo:
        raise HubError(f"{cpo[0]}-{cpo[1]} answered a Booking of another party")
    async with runtime.db.write() as conn:
        await _put(conn, cpo, str(booking["id"]), BOOKING, with_requester(booking, emsp), booking)
    return relay_object(VERSION, answer, booking)


# --- routes --------------------------------------------------------------------------------------


_OWN_LOCATION = "/{cc}/{pid}/booking_locations/{location_id}"
_OWN_CALENDAR = _OWN_LOCATION + "/{calendar_id}"
_OWN_BOOKING = "/{cc}/{pid}/{booking_id}"
_LOCATIONS = "/booking_locations"


def _own_locations() -> list[HttpRoute]:
    async def put_location(
        cc: str, pid: str, location_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _push_location(request, c, cc, pid, location_id, None, patch=False)

    async def patch_location(
        cc: str, pid: str, location_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _push_location(request, c, cc, pid, location_id, None, patch=True)

    async def get_own_location(
        cc: str, pid: str, location_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _get_own_location(request, c, cc, pid, location_id, None)

    return [
        HttpRoute("PUT", put_location, _OWN_LOCATION),
        HttpRoute("PATCH", patch_location, _OWN_LOCATION),
        HttpRoute("GET", get_own_location, _OWN_LOCATION),
    ]


def _own_calendars() -> list[HttpRoute]:
    async def put_calendar(
        cc: str,
        pid: str,
        location_id: str,
        calendar_id: str,
        request: Request,
        c: Caller = Depends(registered),
    ) -> Response:
        return await _push_location(request, c, cc, pid, location_id, calendar_id, patch=False)

    async def patch_calendar(
        cc: str,
        pid: str,
        location_id: str,
        calendar_id: str,
        request: Request,
        c: Caller = Depends(registered),
    ) -> Response:
        return await _push_location(request, c, cc, pid, location_id, calendar_id, patch=True)

    async def get_own_calendar(
        cc: str,
        pid: str,
        location_id: str,
        calendar_id: str,
        request: Request,
        c: Caller = Depends(registered),
    ) -> Response:
        return await _get_own_location(request, c, cc, pid, location_id, calendar_id)

    return [
        HttpRoute("PUT", put_calendar, _OWN_CALENDAR),
        HttpRoute("PATCH", patch_calendar, _OWN_CALENDAR),
        HttpRoute("GET", get_own_calendar, _OWN_CALENDAR),
    ]


def _own_bookings() -> list[HttpRoute]:
    async def put_booking(
        cc: str, pid: str, booking_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _push_booking(request, c, cc, pid, booking_id, patch=False)

    async def patch_booking(
        cc: str, pid: str, booking_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _push_booking(request, c, cc, pid, booking_id, patch=True)

    async def get_own_booking(
        cc: str, pid: str, booking_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _get_own_booking(request, c, cc, pid, booking_id)

    return [
        HttpRoute("PUT", put_booking, _OWN_BOOKING),
        HttpRoute("PATCH", patch_booking, _OWN_BOOKING),
        HttpRoute("GET", get_own_booking, _OWN_BOOKING),
    ]


def _receiver(version: str, path: str) -> list[HttpRoute]:
    return [*_own_locations(), *_own_calendars(), *_own_bookings()]


def _sender(version: str, path: str) -> list[HttpRoute]:
    async def list_locations(request: Request, c: Caller = Depends(registered)) -> Response:
        return await _list(request, c, LOCATION, "BookingLocation", path + _LOCATIONS)

    async def get_location(
        location_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _get_location(request, c, location_id, None)

    async def get_calendar(
        location_id: str, calendar_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _get_location(request, c, location_id, calendar_id)

    async def list_bookings(request: Request, c: Caller = Depends(registered)) -> Response:
        return await _list(request, c, BOOKING, "Booking", path)

    async def request_booking(request: Request, c: Caller = Depends(registered)) -> Response:
        return await _request_booking(request, c)

    return [
        HttpRoute("GET", list_locations, _LOCATIONS),
        HttpRoute("GET", get_location, _LOCATIONS + "/{location_id}"),
        HttpRoute("GET", get_calendar, _LOCATIONS + "/{location_id}/{calendar_id}"),
        HttpRoute("GET", list_bookings),
        HttpRoute("POST", request_booking),
    ]


ROUTES: Declared = {
    (ModuleId.BOOKINGS, InterfaceRole.RECEIVER): _receiver,
    (ModuleId.BOOKINGS, InterfaceRole.SENDER): _sender,
}
