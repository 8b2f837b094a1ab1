"""Bookings policy (pure): how pushes change stored objects, and who a booking concerns.

The Bookings module (OCPI 2.3.0 bookings edition, digest §3.10) has CPO-owned BookingLocations
(with Calendars) that are broadcast like Locations, and CPO-owned Bookings that concern one
eMSP: the one whose BookingRequest created them. The CPO's later PUT/PATCH of a Booking names
only the CPO in its URL, so the hub remembers the requester in the stored Booking's hub-private
annotation; a Booking the hub has not seen yet names its requester in ``booking_requests``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ocpihub.errors import InvalidParameters, NotFound
from ocpihub.ocpi.fields import is_later

__all__ = [
    "PRIVATE_KEY",
    "apply_calendar",
    "find_calendar",
    "merge",
    "requester_of",
    "with_requester",
]

PRIVATE_KEY = "_ocpihub"
"""Hub-private key of a stored Booking holding its requester (never sent out)."""

Doc = dict[str, Any]
Party = tuple[str, str]


def merge(stored: Doc, change: Doc) -> Doc:
    """``stored`` with a PATCH applied: given top-level fields replace (lists and objects whole)."""
    out = dict(stored)
    out.update({k: v for k, v in change.items() if k != PRIVATE_KEY})
    return out


def find_calendar(location: Doc, calendar_id: str) -> Doc | None:
    """The calendar ``calendar_id`` of a BookingLocation (ids compare case-insensitively)."""
    for calendar in location.get("calendars") or []:
        if isinstance(calendar, dict) and _same(calendar.get("id"), calendar_id):
            return calendar
    return None


def _same(a: object, b: str) -> bool:
    return str(a or "").upper() == b.upper()


def apply_calendar(location: Doc, calendar_id: str, change: Doc, *, patch: bool) -> Doc:
    """A BookingLocation with one Calendar PUT or PATCHed into it.

    PUT adds or replaces the calendar; PATCH needs it to exist. The parent's ``last_updated``
    follows the calendar's when that is a later instant (the spec: a Calendar PATCH updates
    the BookingLocation too; it never moves back).
    """
    calendars = [dict(c) for c in location.get("calendars") or [] if isinstance(c, dict)]
    index = next(
        (i for i, c in enumerate(calendars) if _same(c.get("id"), calendar_id)),
        None,
    )
    if patch:
        if index is None:
            raise NotFound(f"the booking location has no calendar {calendar_id!r} to patch")
        calendars[index] = merge(calendars[index], change)
    elif index is None:
        calendars.append(change)
    else:
        calendars[index] = change
    out = dict(location)
    out["calendars"] = calendars
    if is_later(change.get("last_updated"), location.get("last_updated")):
        out["last_updated"] = change["last_updated"]
    return out


def with_requester(booking: Doc, requester: Party) -> Doc:
    """A canonical Booking annotated with the eMSP that asked for it."""
    return {**booking, PRIVATE_KEY: {"requester": list(requester)}}


def _requests(booking: Doc) -> Iterable[Party]:
    for item in booking.get("booking_requests") or []:
        req = item.get("booking_request") if isinstance(item, dict) else None
        if isinstance(req, dict) and req.get("country_code") and req.get("party_id"):
            yield (str(req["country_code"]).upper(), str(req["party_id"]).upper())


def requester_of(booking: Doc, stored: Doc | None = None) -> Party:
    """The eMSP a Booking concerns: remembered from its request, else named in its requests.

    A Booking whose requests name several parties, or none, cannot be routed (2001).
    """
    entry = stored.get(PRIVATE_KEY) if stored else None
    if isinstance(entry, dict) and isinstance(entry.get("requester"), list):
        cc, pid = entry["requester"]
        return (str(cc), str(pid))
    named = set(_requests(booking))
    if stored is not None:
        named |= set(_requests(stored))
    if len(named) != 1:
        raise InvalidParameters(
            "booking_requests must name the one eMSP that asked for this booking "
            f"(country_code/party_id of its booking_request), found {len(named)}"
        )
    return named.pop()
