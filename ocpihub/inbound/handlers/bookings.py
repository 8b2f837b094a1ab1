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

The work — store, outbox, the hop to the CPO — is ``hub/services/bookings.py``'s.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from ocpihub.errors import NotFound
from ocpihub.hub.bookings import PRIVATE_KEY, find_calendar
from ocpihub.hub.services import bookings as service
from ocpihub.inbound.auth import Caller, check_version, runtime_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._objects import (
    Paging,
    check_ids,
    egress,
    origin,
    owned_party,
    parse_wire,
)
from ocpihub.inbound.handlers._relay import answer
from ocpihub.inbound.interfaces import Declared, HttpRoute, declare
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.modules import ModuleId, module
from ocpihub.store.objects import StoredObject

__all__ = ["ROUTES"]

MODULE = "bookings"
MODULE_NAME = "Bookings"
(VERSION,) = module(ModuleId.BOOKINGS).versions  # the one version that defines it
LOCATION = "booking_location"
BOOKING = "booking"
_CPO = ("CPO",)
_EMSP = ("EMSP",)

Doc = dict[str, Any]


def _wire(request: Request, name: str, body: Any) -> Doc:
    """A validated 2.3.0 body, without any key that poses as the hub's private annotation."""
    wire = parse_wire(runtime_of(request), VERSION, name, body)
    wire.pop(PRIVATE_KEY, None)
    return wire


# --- receiver interface: BookingLocations and Calendars from CPOs --------------------------------


async def _push_location(
    request: Request,
    caller: Caller,
    version: str,
    cc: str,
    pid: str,
    location_id: str,
    calendar_id: str | None = None,
    *,
    patch: bool,
) -> Response:
    check_version(caller, version, sole=MODULE_NAME)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, _CPO)
    name = ("BookingLocation" if calendar_id is None else "Calendar") + ("Patch" if patch else "")
    wire = _wire(request, name, await read_json(request))
    check_ids(wire, owner, {"id": calendar_id or location_id}, version)
    created = await service.push_location(
        runtime.db,
        origin(request, caller),
        owner,
        (location_id, calendar_id),
        name=name,
        wire=wire,
        patch=patch,
    )
    return ocpi_response(http_status=201 if created else 200, include_data=False)


async def _get_own_location(
    request: Request,
    caller: Caller,
    version: str,
    cc: str,
    pid: str,
    location_id: str,
    calendar_id: str | None = None,
) -> Response:
    check_version(caller, version, sole=MODULE_NAME)
    owner = await owned_party(request, caller, cc, pid, _CPO)
    stored = await service.get_own(runtime_of(request).db, owner, location_id, LOCATION)
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
    request: Request,
    caller: Caller,
    version: str,
    cc: str,
    pid: str,
    booking_id: str,
    *,
    patch: bool,
) -> Response:
    check_version(caller, version, sole=MODULE_NAME)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, _CPO)
    name = "BookingPatch" if patch else "Booking"
    wire = _wire(request, name, await read_json(request))
    check_ids(wire, owner, {"id": booking_id}, version)
    created = await service.push_booking(
        runtime.db, origin(request, caller), owner, booking_id, name=name, wire=wire, patch=patch
    )
    return ocpi_response(http_status=201 if created else 200, include_data=False)


async def _get_own_booking(
    request: Request, caller: Caller, version: str, cc: str, pid: str, booking_id: str
) -> Response:
    check_version(caller, version, sole=MODULE_NAME)
    owner = await owned_party(request, caller, cc, pid, _CPO)
    stored = await service.get_own(runtime_of(request).db, owner, booking_id, BOOKING)
    if stored is None:
        raise NotFound(f"the hub holds no booking {booking_id!r} of {owner[0]}-{owner[1]}")
    return ocpi_response(egress(version, "Booking", stored))


# --- sender interface: eMSPs pull and request ----------------------------------------------------


async def _get_location(
    request: Request, caller: Caller, version: str, location_id: str, calendar_id: str | None = None
) -> Response:
    check_version(caller, version, sole=MODULE_NAME)
    stored = await service.get_location(runtime_of(request).db, caller.platform.id, location_id)
    return _location_answer(stored, location_id, calendar_id)


async def _list(
    request: Request, caller: Caller, version: str, *, kind: str, name: str, base: str
) -> Response:
    check_version(caller, version, sole=MODULE_NAME)
    paging = Paging.of(request, MODULE, base)
    listed = await service.list_kind(runtime_of(request).db, caller.platform.id, kind, paging.page)
    data = [egress(version, name, item) for item in listed.items]
    return ocpi_response(data, headers=paging.headers(listed))


async def _request_booking(request: Request, caller: Caller, version: str) -> Response:
    check_version(caller, version, sole=MODULE_NAME)
    runtime = runtime_of(request)
    wire = _wire(request, "BookingRequest", await read_json(request))
    emsp = await owned_party(
        request, caller, str(wire["country_code"]), str(wire["party_id"]), _EMSP
    )
    reply = await service.request_booking(
        runtime.db, runtime.relay, origin(request, caller), emsp, wire
    )
    return answer(request, version, reply)


# --- routes --------------------------------------------------------------------------------------


_OWN_LOCATION = "/{cc}/{pid}/booking_locations/{location_id}"
_OWN_CALENDAR = _OWN_LOCATION + "/{calendar_id}"
_OWN_BOOKING = "/{cc}/{pid}/{booking_id}"
_LOCATIONS = "/booking_locations"


def _receiver(version: str, path: str) -> list[HttpRoute]:
    """BookingLocations and their Calendars, then Bookings, at the CPO's own URLs."""
    own_locations = [
        route
        for own in (_OWN_LOCATION, _OWN_CALENDAR)
        for route in (
            HttpRoute("PUT", _push_location, own, {"patch": False}),
            HttpRoute("PATCH", _push_location, own, {"patch": True}),
            HttpRoute("GET", _get_own_location, own),
        )
    ]
    return [
        *own_locations,
        HttpRoute("PUT", _push_booking, _OWN_BOOKING, {"patch": False}),
        HttpRoute("PATCH", _push_booking, _OWN_BOOKING, {"patch": True}),
        HttpRoute("GET", _get_own_booking, _OWN_BOOKING),
    ]


def _sender(version: str, path: str) -> list[HttpRoute]:
    locations = {"kind": LOCATION, "name": "BookingLocation", "base": path + _LOCATIONS}
    bookings = {"kind": BOOKING, "name": "Booking", "base": path}
    return [
        HttpRoute("GET", _list, _LOCATIONS, locations),
        HttpRoute("GET", _get_location, _LOCATIONS + "/{location_id}"),
        HttpRoute("GET", _get_location, _LOCATIONS + "/{location_id}/{calendar_id}"),
        HttpRoute("GET", _list, fixed=bookings),
        HttpRoute("POST", _request_booking),
    ]


ROUTES: Declared = declare(ModuleId.BOOKINGS, receiver=_receiver, sender=_sender)
