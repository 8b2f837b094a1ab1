"""OCPI 2.3.0 Bookings wire models: the edition's examples, tolerant reading, bad input, fuzzing."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import OcpiModel, dump, parse
from ocpihub.ocpi.v2_3_0.bookings import (
    MODELS,
    Booking,
    BookingLocation,
    BookingLocationPatch,
    BookingPatch,
    BookingRequest,
    BookingRequestPatch,
    Calendar,
    CalendarPatch,
)
from tests.examples import example_files, load_example
from tests.unit.ocpi import strategies_v2_3_0_pb as s

EDITION = "2.3.0-bookings"

# examples that parse as given, with the model the examples README assigns them
ACCEPTED: dict[str, type[OcpiModel]] = {
    "booking_patch_example_evse_uid.json": BookingPatch,
    "booking_patch_example_status_update.json": BookingPatch,
    "booking_request_patch_example_tokens.json": BookingRequestPatch,
}
ACCESS_ERROR = (
    "Input should be 'OPEN', 'TOKEN', 'LICENSE_PLATE', 'ACCESS_CODE', 'INTERCOM' or "
    "'PARKING_TICKET' (got '')"
)
SECOND_99 = "second must be in 0..59 (got '2025-03-23T{}:59:99Z')"
# examples the tables make invalid (digest §3.10 [SPEC-BUG] list, §7 item 8): model, message
REFUSED: dict[str, tuple[type[OcpiModel], str]] = {
    "booking_example.json": (
        Booking,
        "bookable_parking_option.vehicle_types: field required; "
        "bookable_parking_option.format: field required; "
        "bookable_parking_option.restricted_to_type: field required; "
        f"booking_terms.supported_access_methods[0]: {ACCESS_ERROR}; "
        f"booking_terms.supported_access_methods[1]: {ACCESS_ERROR}; "
        "booking_requests[0].booking_request.country_code: field required; "
        "booking_requests[0].booking_request.party_id: field required; "
        "booking_requests[1].booking_request.country_code: field required; "
        "booking_requests[1].booking_request.party_id: field required",
    ),
    "booking_location_example.json": (
        BookingLocation,
        f"calenders[0].end_before: {SECOND_99.format('23')}; "
        f"calenders[0].available_timeslots[0].end_before: {SECOND_99.format('08')}; "
        f"calenders[1].end_before: {SECOND_99.format('23')}; "
        f"calenders[1].available_timeslots[0].end_before: {SECOND_99.format('08')}",
    ),
    "booking_location_patch_example_calendar.json": (
        CalendarPatch,
        f"available_timeslots[0].end_before: {SECOND_99.format('08')}",
    ),
    "booking_location_patch_example_terms.json": (
        BookingLocationPatch,
        "booking_terms[0].supported_access_methods: field required; "
        "booking_terms[0].change_until_minutes: field required; "
        "booking_terms[0].cancel_until_minutes: field required",
    ),
    "booking_request_patch_example_timeslot.json": (
        BookingRequestPatch,
        f"timeslot.end_before: {SECOND_99.format('08')}",
    ),
}


def test_every_bookings_example_is_covered() -> None:
    """Each file of the bookings edition examples has an expectation in this file."""
    assert {p.name for p in example_files(EDITION)} == set(ACCEPTED) | set(REFUSED)


@pytest.mark.parametrize(("name", "model"), sorted(ACCEPTED.items()))
def test_valid_example_parses_and_round_trips(name: str, model: type[OcpiModel]) -> None:
    """A valid bookings example parses into its model and dumps back unchanged."""
    data = load_example(EDITION, name)
    assert dump(parse(model, data)) == data


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_invalid_example_is_refused_with_exact_message(name: str) -> None:
    """Examples that break the tables (digest §3.10 [SPEC-BUG], §7 item 8) get this exact 2001."""
    model, message = REFUSED[name]
    with pytest.raises(InvalidParameters) as err:
        parse(model, load_example(EDITION, name))
    assert err.value.status_code == 2001
    assert err.value.message == message


def test_booking_location_example_spellings_are_normalised_once_times_are_valid() -> None:
    """With its :59:99 times fixed, the example's spellings are read and written as the table's."""
    data = _fix_times(load_example(EDITION, "booking_location_example.json"))
    out = dump(parse(BookingLocation, data))
    assert out["bookable"] == {"reservation_required": True}
    assert out["tariff_id"] == data["tariffs"]
    assert out["booking_terms"] == [data["booking_terms"]]
    assert [c["id"] for c in out["calendars"]] == ["CA112", "CA112"]
    slot = out["calendars"][0]["available_timeslots"][0]
    assert slot["green_energy_support"] is False
    assert "green_power_support" not in slot
    assert not {"booking_required", "tariffs", "calenders"} & set(out)
    # extension fields the table lacks are relayed untouched
    assert out["booking_terms"][0]["max_power_bookable"] == 400
    # the normalised form is a fixed point
    assert dump(parse(BookingLocation, out)) == out


def test_booking_example_is_read_tolerantly_once_its_broken_parts_are_fixed() -> None:
    """Numeric ids become strings and booking_token becomes booking_tokens (digest §3.10)."""
    data = load_example(EDITION, "booking_example.json")
    data["bookable_parking_option"] = {
        "vehicle_types": ["PERSONAL_VEHICLE"],
        "format": "CABLE",
        "restricted_to_type": False,
    }
    data["booking_terms"]["supported_access_methods"] = ["TOKEN"]
    for entry in data["booking_requests"]:
        entry["booking_request"].update(country_code="DE", party_id="MSP")
    out = dump(parse(Booking, data))
    assert (out["parking_id"], out["location_id"], out["evse_uid"]) == ("22314", "1234", "3256")
    assert out["booking_requests"][0]["booking_request"]["location_id"] == "1234"
    assert out["booking_tokens"] == data["booking_token"]
    assert "booking_token" not in out
    assert out["period"]["green_energy_support"] is False
    assert dump(parse(Booking, out)) == out


def test_booking_request_accepts_timeslot_for_period() -> None:
    """The request example's 'timeslot' is read as the table's 'period'."""
    slot = {"start_from": "2025-03-23T00:00:00Z", "end_before": "2025-03-23T08:59:59Z"}
    out = dump(parse(BookingRequest, _request(period=None, timeslot=slot)))
    assert out["period"] == slot
    assert "timeslot" not in out


def test_booking_location_needs_evse_or_parking_options() -> None:
    """A BookingLocation with neither evse_uid nor bookable_parking_options is refused."""
    data = {
        "country_code": "NL",
        "party_id": "CPO",
        "id": "BL1",
        "location_id": "LOC1",
        "last_updated": "2025-01-01T00:00:00Z",
    }
    with pytest.raises(InvalidParameters) as err:
        parse(BookingLocation, data)
    assert err.value.message.startswith(
        "(body): a BookingLocation needs evse_uid or bookable_parking_options (got {"
    )
    assert dump(parse(BookingLocation, {**data, "evse_uid": "#NA"}))["evse_uid"] == "#NA"


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (BookingPatch, {"reservation_status": "CANCELED"}),
        (BookingLocationPatch, {"tariff_id": ["T1"]}),
        (CalendarPatch, {"step_size": 15}),
    ],
)
def test_patch_bodies_require_last_updated(model: type[OcpiModel], body: dict[str, Any]) -> None:
    """Bookings PATCH bodies without last_updated are refused (the module demands it)."""
    with pytest.raises(InvalidParameters) as err:
        parse(model, body)
    assert err.value.message == "last_updated: field required"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"location_id": 12.5},
            "location_id: Input should be a valid string (got 12.5)",
        ),
        ({"evse_uid": True}, "evse_uid: Input should be a valid string (got True)"),
        (
            {"power_required": "lots"},
            "power_required: Input should be a valid integer (got 'lots')",
        ),
        (
            {"canceled": {"cancellation_reason": "BORED", "who_canceled": "HUB"}},
            "canceled.cancellation_reason: Input should be 'POWER_OUTAGE', 'BROKEN_CHARGER', "
            "'FULL', 'BLOCKED', 'TRAFFIC', 'BROKEN_VEHICLE', 'NO_CANCELED' or 'UNKNOWN' "
            "(got 'BORED'); canceled.who_canceled: Input should be 'CPO', 'EMSP', 'NAP', 'NSP', "
            "'OTHER' or 'SCSP' (got 'HUB')",
        ),
        (
            {"tokens": [{"country_code": "NL", "party_id": "MSP", "uid": "U1", "type": "RFID"}]},
            "tokens[0].contract_id: field required",
        ),
        (
            {"period": {"start_from": "2025-01-01T10:00:00Z", "end_before": "noon"}},
            "period.end_before: not an OCPI DateTime: 'noon' (got 'noon')",
        ),
    ],
)
def test_bad_booking_request_is_a_2001_naming_path_and_value(
    changes: dict[str, Any], message: str
) -> None:
    """One bad BookingRequest field gives a 2001 naming the JSON path and the value."""
    with pytest.raises(InvalidParameters) as err:
        parse(BookingRequest, _request(**changes))
    assert err.value.message == message


def test_bad_calendar_and_status_values_are_refused() -> None:
    """An empty timeslot list and an unknown reservation_status are 2001s naming the field."""
    with pytest.raises(InvalidParameters) as err:
        parse(CalendarPatch, {"available_timeslots": [], "last_updated": "2025-01-01T00:00:00Z"})
    assert err.value.message == (
        "available_timeslots: List should have at least 1 item after validation, not 0 (got [])"
    )
    with pytest.raises(InvalidParameters) as err:
        parse(
            BookingPatch, {"reservation_status": "BOOKED", "last_updated": "2025-01-01T00:00:00Z"}
        )
    assert err.value.message.startswith("reservation_status: Input should be 'PENDING', ")
    assert err.value.message.endswith("(got 'BOOKED')")


def test_models_lists_every_bookings_body() -> None:
    """MODELS holds every bookings body model; the endpoint-less request PATCH is not in it."""
    assert set(MODELS) == {
        "BookingLocation",
        "BookingLocationPatch",
        "Calendar",
        "CalendarPatch",
        "Booking",
        "BookingPatch",
        "BookingRequest",
    }
    assert all(model.__name__ == name for name, model in MODELS.items())
    assert MODELS["Calendar"] is Calendar


_FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FUZZ
@given(s.booking_locations)
def test_generated_booking_locations_parse_and_round_trip(data: dict[str, Any]) -> None:
    """Any valid BookingLocation parses (also as a PATCH body) and dumps unchanged."""
    assert dump(parse(BookingLocation, data)) == data
    assert dump(parse(BookingLocationPatch, data)) == data


@_FUZZ
@given(s.bookings)
def test_generated_bookings_parse_and_round_trip(data: dict[str, Any]) -> None:
    """Any valid Booking parses (also as a PATCH body) and dumps unchanged."""
    assert dump(parse(Booking, data)) == data
    assert dump(parse(BookingPatch, data)) == data


@_FUZZ
@given(s.booking_requests)
def test_generated_booking_requests_parse_and_round_trip(data: dict[str, Any]) -> None:
    """Any valid BookingRequest parses and dumps unchanged."""
    assert dump(parse(BookingRequest, data)) == data


@_FUZZ
@given(s.calendars)
def test_generated_calendars_parse_and_round_trip(data: dict[str, Any]) -> None:
    """Any valid Calendar parses (also as a PATCH body) and dumps unchanged."""
    assert dump(parse(Calendar, data)) == data
    assert dump(parse(CalendarPatch, data)) == data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(MODELS)),
    s.json_values
    | s.mutated(s.booking_locations)
    | s.mutated(s.bookings)
    | s.mutated(s.booking_requests),
)
def test_garbage_raises_only_invalid_parameters(name: str, data: Any) -> None:
    """Arbitrary JSON into any bookings model either parses or raises InvalidParameters."""
    with contextlib.suppress(InvalidParameters):
        parse(MODELS[name], data)


def _fix_times(data: Any) -> Any:
    """A deep copy of ``data`` with the examples' invalid ``:59:99`` seconds made ``:59:59``."""
    if isinstance(data, dict):
        return {k: _fix_times(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_fix_times(v) for v in data]
    if isinstance(data, str):
        return data.replace(":59:99Z", ":59:59Z")
    return copy.copy(data)


def _request(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "country_code": "DE",
        "party_id": "MSP",
        "request_id": "R1",
        "location_id": "LOC1",
        "period": {"start_from": "2025-01-01T10:00:00Z", "end_before": "2025-01-01T11:00:00Z"},
        "authorization_reference": "AUTH1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
