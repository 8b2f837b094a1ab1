"""Hypothesis strategies for OCPI 2.3.0 Payments and Bookings JSON (valid bodies and garbage).

Valid bodies use only the tables' field names and shapes, so parsing then dumping them must give
them back unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from ocpihub.ocpi.fields import format_datetime
from ocpihub.ocpi.v2_3_0.enums import (
    CanceledReason,
    CaptureStatusCode,
    ConnectorFormat,
    EVSEPosition,
    InvoiceCreator,
    LocationAccess,
    ReservationRequestStatus,
    ReservationStatus,
    Role,
    TokenType,
    VehicleType,
)

Json = dict[str, Any]

_PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
_UNICODE = st.characters(exclude_categories=["Cs"])


def cistring(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    """Printable-ASCII strings of ``min_size`` to ``max_size`` characters."""
    return st.text(_PRINTABLE, min_size=min_size, max_size=max_size)


def enum_value(enum: type[Any]) -> st.SearchStrategy[str]:
    """One value of a StrEnum, as its JSON string."""
    return st.sampled_from([str(member) for member in enum])


datetimes = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
).map(format_datetime)
numbers = st.integers(-(10**6), 10**6) | st.floats(-1e9, 1e9, allow_nan=False)
ids = cistring(36, min_size=1)


def _obj(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy[Json]:
    return st.fixed_dictionaries(required, optional=optional)


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


# --- payments -------------------------------------------------------------------------------

geolocations = _obj({"latitude": cistring(10), "longitude": cistring(11)}, {})
terminals = _obj(
    {"terminal_id": ids, "last_updated": datetimes},
    {
        "customer_reference": _opt(cistring(36)),
        "party_id": _opt(cistring(3)),
        "country_code": _opt(cistring(2)),
        "address": _opt(cistring(45)),
        "city": _opt(cistring(45)),
        "postal_code": _opt(cistring(10)),
        "state": _opt(cistring(20)),
        "country": _opt(st.sampled_from(["NL", "nld", "DEU", "be"])),
        "coordinates": _opt(geolocations),
        "invoice_base_url": _opt(st.text(_UNICODE, max_size=255)),
        "invoice_creator": _opt(enum_value(InvoiceCreator)),
        "reference": _opt(cistring(36)),
        "location_ids": _opt(st.lists(ids, max_size=3)),
        "evse_uids": _opt(st.lists(ids, max_size=3)),
    },
)
tax_amounts = _obj(
    {"name": st.text(_UNICODE, max_size=20), "amount": numbers},
    {"account_number": _opt(st.text(_UNICODE, max_size=20)), "percentage": _opt(numbers)},
)
prices = _obj({"before_taxes": numbers}, {"taxes": _opt(st.lists(tax_amounts, max_size=2))})
financial_advice_confirmations = _obj(
    {
        "id": ids,
        "authorization_reference": ids,
        "total_costs": prices,
        "currency": st.sampled_from(["EUR", "eur", "Chf"]),
        "eft_data": st.lists(cistring(255, min_size=1), min_size=1, max_size=4),
        "capture_status_code": enum_value(CaptureStatusCode),
        "last_updated": datetimes,
    },
    {"capture_status_message": _opt(cistring(255, min_size=1))},
)

# --- bookings -------------------------------------------------------------------------------

timeslots = _obj(
    {"start_from": datetimes, "end_before": datetimes},
    {
        "min_power": _opt(numbers),
        "max_power": _opt(numbers),
        "green_energy_support": _opt(st.booleans()),
    },
)
calendars = _obj(
    {
        "id": ids,
        "begin_from": datetimes,
        "end_before": datetimes,
        "available_timeslots": st.lists(timeslots, min_size=1, max_size=3),
        "last_updated": datetimes,
    },
    {"step_size": _opt(st.integers(0, 1440))},
)
parking_options = _obj(
    {
        "vehicle_types": st.lists(enum_value(VehicleType), min_size=1, max_size=3),
        "format": enum_value(ConnectorFormat),
        "restricted_to_type": st.booleans(),
    },
    {
        "evse_position": _opt(enum_value(EVSEPosition)),
        "max_vehicle_weight": _opt(numbers),
        "max_vehicle_height": _opt(numbers),
        "parking_space_length": _opt(numbers),
        "dangerous_goods_allowed": _opt(st.booleans()),
        "drive_through": _opt(st.booleans()),
        "refrigeration_outlet": _opt(st.booleans()),
    },
)
booking_terms = _obj(
    {
        "supported_access_methods": st.lists(enum_value(LocationAccess), min_size=1, max_size=3),
        "change_until_minutes": numbers,
        "cancel_until_minutes": numbers,
    },
    {
        "RFID_auth_required": _opt(st.booleans()),
        "token_groups_supported": _opt(st.booleans()),
        "early_start_time": _opt(numbers),
        "noshow_timeout": _opt(numbers),
        "noshow_fee": _opt(st.booleans()),
        "overlapping_bookings_allowed": _opt(st.booleans()),
        "booking_terms": _opt(st.text(_UNICODE, max_size=255)),
    },
)
booking_locations = _obj(
    {
        "country_code": cistring(2, 2),
        "party_id": cistring(3, 3),
        "id": ids,
        "location_id": ids,
        "last_updated": datetimes,
    },
    {
        "evse_uid": _opt(ids),
        "connector_id": _opt(ids),
        "bookable_parking_options": _opt(st.lists(parking_options, max_size=2)),
        "bookable": _opt(_obj({"reservation_required": st.booleans()}, {"ad_hoc": _opt(numbers)})),
        "tariff_id": _opt(st.lists(ids, max_size=3)),
        "booking_terms": _opt(st.lists(booking_terms, max_size=2)),
        "calendars": _opt(st.lists(calendars, max_size=2)),
    },
).filter(lambda d: d.get("evse_uid") is not None or bool(d.get("bookable_parking_options")))
booking_tokens = _obj(
    {
        "country_code": cistring(2, 2),
        "party_id": cistring(3, 3),
        "uid": ids,
        "type": enum_value(TokenType),
        "contract_id": ids,
    },
    {},
)
cancellations = _obj(
    {"cancellation_reason": enum_value(CanceledReason), "who_canceled": enum_value(Role)}, {}
)
booking_requests = _obj(
    {
        "country_code": cistring(2, 2),
        "party_id": cistring(3, 3),
        "request_id": ids,
        "location_id": ids,
        "period": timeslots,
        "authorization_reference": ids,
    },
    {
        "bookable_parking_option": _opt(parking_options),
        "evse_uid": _opt(ids),
        "connector_id": _opt(ids),
        "tokens": _opt(st.lists(booking_tokens, max_size=2)),
        "power_required": _opt(st.integers(0, 1000)),
        "canceled": _opt(cancellations),
    },
)
bookings = _obj(
    {
        "id": ids,
        "country_code": cistring(2, 2),
        "party_id": cistring(3, 3),
        "request_id": ids,
        "location_id": ids,
        "period": timeslots,
        "reservation_status": enum_value(ReservationStatus),
        "authorization_reference": ids,
        "booking_terms": booking_terms,
        "booking_requests": st.lists(
            _obj(
                {
                    "request_status": enum_value(ReservationRequestStatus),
                    "booking_request": booking_requests,
                    "request_received": datetimes,
                },
                {},
            ),
            min_size=1,
            max_size=2,
        ),
        "last_updated": datetimes,
    },
    {
        "bookable_parking_option": _opt(parking_options),
        "parking_id": _opt(ids),
        "evse_uid": _opt(ids),
        "connector_id": _opt(ids),
        "booking_tokens": _opt(st.lists(booking_tokens, max_size=2)),
        "tariff_id": _opt(st.lists(ids, max_size=2)),
        "canceled": _opt(cancellations),
        "access_methods": _opt(
            st.lists(
                _obj(
                    {"location_access": enum_value(LocationAccess)},
                    {"value": _opt(st.text(_UNICODE, max_size=10))},
                ),
                max_size=2,
            )
        ),
    },
)

# --- garbage --------------------------------------------------------------------------------

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(_UNICODE, max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
"""Any JSON value."""


def mutated(valid: st.SearchStrategy[Json]) -> st.SearchStrategy[Json]:
    """A valid body with one top-level field replaced by an arbitrary JSON value."""

    @st.composite
    def build(draw: st.DrawFn) -> Json:
        body = dict(draw(valid))
        key = draw(st.sampled_from(sorted(body)))
        body[key] = draw(json_values)
        return body

    return build()
