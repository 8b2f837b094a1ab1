"""Bookings policy: calendar pushes into a BookingLocation, PATCH merges, the requester."""

from __future__ import annotations

import pytest

from ocpihub.errors import InvalidParameters, NotFound
from ocpihub.hub.bookings import (
    PRIVATE_KEY,
    apply_calendar,
    find_calendar,
    merge,
    requester_of,
    with_requester,
)


def location() -> dict[str, object]:
    """A stored BookingLocation with one calendar."""
    return {
        "id": "BL1",
        "calendars": [{"id": "CA1", "step_size": 1, "last_updated": "2025-01-01T00:00:00Z"}],
        "last_updated": "2025-01-01T00:00:00Z",
    }


def test_calendar_patch_merges_and_bumps_parent() -> None:
    """A Calendar PATCH changes only its fields, and the parent takes its last_updated."""
    out = apply_calendar(
        location(), "ca1", {"step_size": 5, "last_updated": "2025-02-01T00:00:00Z"}, patch=True
    )
    assert find_calendar(out, "CA1") == {
        "id": "CA1",
        "step_size": 5,
        "last_updated": "2025-02-01T00:00:00Z",
    }
    assert out["last_updated"] == "2025-02-01T00:00:00Z"


def test_calendar_put_adds_or_replaces_and_patch_needs_one() -> None:
    """PUT of a new calendar id appends it; PATCH of an unknown calendar is refused."""
    new = {"id": "CA2", "last_updated": "2025-02-01T00:00:00Z"}
    out = apply_calendar(location(), "CA2", new, patch=False)
    assert [c["id"] for c in out["calendars"]] == ["CA1", "CA2"]  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        apply_calendar(location(), "CA9", new, patch=True)


def test_requester_remembered_not_taken_from_body() -> None:
    """The stored requester counts; a body's own private key is never trusted."""
    stored = with_requester({"id": "B1"}, ("DE", "MSP"))
    forged = {"id": "B1", PRIVATE_KEY: {"requester": ["FR", "OUT"]}}
    assert requester_of(forged, stored) == ("DE", "MSP")
    assert merge(stored, forged)[PRIVATE_KEY] == {"requester": ["DE", "MSP"]}


def test_requester_from_booking_requests() -> None:
    """A Booking the hub has not seen names its requester in booking_requests, exactly one."""

    def req(cc: str, pid: str) -> dict[str, object]:
        return {"booking_request": {"country_code": cc, "party_id": pid}}

    assert requester_of({"booking_requests": [req("de", "msp")]}) == ("DE", "MSP")
    with pytest.raises(InvalidParameters):
        requester_of({"booking_requests": [req("DE", "MSP"), req("FR", "OUT")]})
    with pytest.raises(InvalidParameters):
        requester_of({"booking_requests": []})
