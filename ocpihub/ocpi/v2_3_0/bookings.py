"""Wire models of the OCPI 2.3.0 Bookings module (bookings edition only; digest §3.10, §4.4).

The CPO owns BookingLocations (bookable offers per Location, with Calendars of Timeslots and
BookingTerms) and Bookings; the eMSP sends BookingRequests. The module exists only in the
``v2.3.0-bookings`` edition (digest §7 item 3); its identifier is ``Booking`` (§7 item 4).

Request bodies and the model each one parses into (:data:`MODELS`): ``BookingLocation`` and
``Calendar`` (PUT, GET answers), ``BookingLocationPatch`` and ``CalendarPatch`` (PATCH),
``Booking`` (PUT, GET answers, the answer to a BookingRequest POST), ``BookingPatch`` (PATCH),
``BookingRequest`` (POST). The module's PATCH sections demand ``last_updated``, so every Patch
twin requires it. :class:`BookingRequestPatch` matches the spec's two
``booking_request_patch_example_*`` files, for which the spec defines no endpoint; it is
exported but left out of :data:`MODELS`, so no route serves it.

The edition's examples diverge from its tables (digest §3.10 "[SPEC-BUG]", §7 item 8). The
rule here: read tolerantly where the sender's intent is unambiguous, write only the tables'
names and shapes, refuse what cannot be read as any valid value.

Accepted on input, written back in the table's form (so ``dump(parse(x))`` differs from ``x``
exactly by these normalisations):

- ``calenders`` → ``calendars``; ``tariffs`` → ``tariff_id`` (BookingLocation);
  ``booking_token`` → ``booking_tokens`` (Booking); ``green_power_support`` →
  ``green_energy_support`` (Timeslot); ``timeslot`` → ``period`` (BookingRequest, used by the
  request PATCH example). All are plain renames of a field the table has.
- ``booking_required: <bool>`` (and a bare boolean under ``bookable``) →
  ``bookable: {"reservation_required": <bool>}``: the example's flag is the one required field of
  the table's ``Bookable`` object.
- A single ``BookingTerms`` object where BookingLocation's table says ``*`` (list) → a one-item
  list; both BookingLocation examples send one object.
- Integer ``location_id``/``evse_uid``/``connector_id``/``parking_id`` → their decimal string;
  the tables type them CiString(36).

Refused with 2001 (no valid value can be recovered): times such as ``23:59:99``,
``bookable_parking_option: {}`` (required sub-fields missing), empty ``supported_access_methods``
strings, partial nested objects in PATCH bodies (a PATCH replaces nested objects whole, see
:func:`ocpihub.ocpi.fields.partial_model`), and BookingRequests without the requester's
``country_code``/``party_id``.

Other choices: ``Cancellation.who_canceled`` is a ``Role`` (the table's type; its link points at
InterfaceRole). A BookingLocation must carry ``evse_uid`` or ``bookable_parking_options`` (the
spec's prose makes one of them mandatory); Timeslot powers are W and
``BookingRequest.power_required`` is kW, as the spec says — no conversion happens here.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import AliasChoices, BeforeValidator, Field, model_validator

from ocpihub.ocpi.fields import (
    Boolean,
    CiString,
    DateTime,
    Integer,
    Number,
    OcpiModel,
    Url,
    partial_model,
)
from ocpihub.ocpi.v2_3_0.common import CiString36, CountryCode, PartyId
from ocpihub.ocpi.v2_3_0.enums import (
    CanceledReason,
    ConnectorFormat,
    EVSEPosition,
    LocationAccess,
    ReservationRequestStatus,
    ReservationStatus,
    Role,
    TokenTypeField,
    VehicleTypeField,
)

__all__ = [
    "MODELS",
    "AccessMethod",
    "Bookable",
    "BookableParkingOption",
    "Booking",
    "BookingLocation",
    "BookingLocationPatch",
    "BookingPatch",
    "BookingRequest",
    "BookingRequestPatch",
    "BookingRequestStatus",
    "BookingTerms",
    "BookingToken",
    "Calendar",
    "CalendarPatch",
    "CanceledReason",
    "Cancellation",
    "LocationAccess",
    "ReservationRequestStatus",
    "ReservationStatus",
    "Timeslot",
]


def _id_from_int(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _one_as_list(value: object) -> object:
    return [value] if isinstance(value, dict) else value


def _bookable_from_flag(value: object) -> object:
    return {"reservation_required": value} if isinstance(value, bool) else value


ObjectRef = Annotated[str, CiString(36), BeforeValidator(_id_from_int)]
"""A CiString(36) reference to a Location/EVSE/Connector/parking; integers read as strings."""


class Timeslot(OcpiModel):
    """A period, with the power (W) guaranteed and available in it."""

    start_from: DateTime
    end_before: DateTime
    min_power: Number | None = None
    max_power: Number | None = None
    green_energy_support: Boolean | None = Field(
        default=None, validation_alias=AliasChoices("green_energy_support", "green_power_support")
    )


class Calendar(OcpiModel):
    """The availability of a BookingLocation over a span of time."""

    id: CiString36
    begin_from: DateTime
    end_before: DateTime
    step_size: Integer | None = None
    available_timeslots: Annotated[list[Timeslot], Field(min_length=1)]
    last_updated: DateTime


class Bookable(OcpiModel):
    """Whether a reservation is required, and how many ad-hoc charging options remain."""

    reservation_required: Boolean
    ad_hoc: Number | None = None


class BookableParkingOption(OcpiModel):
    """A parking place specification that can be booked (the spec's ``BookableParkingOptions``)."""

    evse_position: EVSEPosition | None = None
    vehicle_types: Annotated[list[VehicleTypeField], Field(min_length=1)]
    format: ConnectorFormat
    max_vehicle_weight: Number | None = None
    max_vehicle_height: Number | None = None
    max_vehicle_length: Number | None = None
    max_vehicle_width: Number | None = None
    parking_space_length: Number | None = None
    parking_space_width: Number | None = None
    dangerous_goods_allowed: Boolean | None = None
    drive_through: Boolean | None = None
    restricted_to_type: Boolean
    refrigeration_outlet: Boolean | None = None


class BookingTerms(OcpiModel):
    """The conditions of booking: access, change/cancel deadlines, no-show and late-stop rules."""

    RFID_auth_required: Boolean | None = None
    token_groups_supported: Boolean | None = None
    remote_auth_supported: Boolean | None = None
    supported_access_methods: Annotated[list[LocationAccess], Field(min_length=1)]
    change_until_minutes: Number
    cancel_until_minutes: Number
    change_not_allowed: Boolean | None = None
    early_start_allowed: Boolean | None = None
    early_start_time: Number | None = None
    noshow_timeout: Number | None = None
    noshow_fee: Boolean | None = None
    late_stop_allowed: Boolean | None = None
    late_stop_time: Number | None = None
    overlapping_bookings_allowed: Boolean | None = None
    booking_terms: Url | None = None


class BookingLocation(OcpiModel):
    """What a CPO offers for booking at one Location: EVSEs or parking options, terms, calendars."""

    country_code: CountryCode
    party_id: PartyId
    id: CiString36
    location_id: ObjectRef
    evse_uid: ObjectRef | None = None
    connector_id: ObjectRef | None = None
    bookable_parking_options: list[BookableParkingOption] | None = None
    bookable: Annotated[Bookable | None, BeforeValidator(_bookable_from_flag)] = Field(
        default=None, validation_alias=AliasChoices("bookable", "booking_required")
    )
    tariff_id: list[CiString36] | None = Field(
        default=None, validation_alias=AliasChoices("tariff_id", "tariffs")
    )
    booking_terms: Annotated[list[BookingTerms] | None, BeforeValidator(_one_as_list)] = None
    calendars: list[Calendar] | None = Field(
        default=None, validation_alias=AliasChoices("calendars", "calenders")
    )
    last_updated: DateTime

    @model_validator(mode="after")
    def _evse_or_parking(self) -> Self:
        if self.evse_uid is None and not self.bookable_parking_options:
            raise ValueError("a BookingLocation needs evse_uid or bookable_parking_options")
        return self


class BookingToken(OcpiModel):
    """A Token the driver may use to take up the booking."""

    country_code: CountryCode
    party_id: PartyId
    uid: CiString36
    type: TokenTypeField
    contract_id: CiString36


class Cancellation(OcpiModel):
    """Why a booking was canceled, and by which party role."""

    cancellation_reason: CanceledReason
    who_canceled: Role


class AccessMethod(OcpiModel):
    """How the driver gets into the location (licence plate, access code ...)."""

    location_access: LocationAccess
    value: str | None = None


class BookingRequest(OcpiModel):
    """What an eMSP asks of a CPO: a new booking, a change (same ``request_id``) or a cancel."""

    country_code: CountryCode
    party_id: PartyId
    request_id: CiString36
    bookable_parking_option: BookableParkingOption | None = None
    location_id: ObjectRef
    evse_uid: ObjectRef | None = None
    connector_id: ObjectRef | None = None
    tokens: list[BookingToken] | None = None
    period: Timeslot = Field(validation_alias=AliasChoices("period", "timeslot"))
    authorization_reference: CiString36
    power_required: Integer | None = None
    canceled: Cancellation | None = None


class BookingRequestStatus(OcpiModel):
    """One request made for a booking, with the CPO's verdict on it."""

    request_status: ReservationRequestStatus
    booking_request: BookingRequest
    request_received: DateTime


class Booking(OcpiModel):
    """A reservation at a CPO, with the history of every request made for it."""

    id: CiString36
    country_code: CountryCode
    party_id: PartyId
    request_id: CiString36
    bookable_parking_option: BookableParkingOption | None = None
    parking_id: ObjectRef | None = None
    location_id: ObjectRef
    evse_uid: ObjectRef | None = None
    connector_id: ObjectRef | None = None
    booking_tokens: list[BookingToken] | None = Field(
        default=None, validation_alias=AliasChoices("booking_tokens", "booking_token")
    )
    tariff_id: list[CiString36] | None = None
    period: Timeslot
    reservation_status: ReservationStatus
    canceled: Cancellation | None = None
    access_methods: list[AccessMethod] | None = None
    authorization_reference: CiString36
    booking_terms: BookingTerms
    booking_requests: Annotated[list[BookingRequestStatus], Field(min_length=1)]
    last_updated: DateTime


BookingLocationPatch = partial_model(BookingLocation, required=["last_updated"])
"""PATCH body of a BookingLocation; ``last_updated`` required."""
CalendarPatch = partial_model(Calendar, required=["last_updated"])
"""PATCH body of one Calendar (the receiver bumps the parent's ``last_updated`` too)."""
BookingPatch = partial_model(Booking, required=["last_updated"])
"""PATCH body of a Booking (status changes, late EVSE assignment); ``last_updated`` required."""
BookingRequestPatch = partial_model(BookingRequest)
"""Partial BookingRequest as in the spec's request PATCH examples; no endpoint takes it."""


MODELS: dict[str, type[OcpiModel]] = {
    "BookingLocation": BookingLocation,
    "BookingLocationPatch": BookingLocationPatch,
    "Calendar": Calendar,
    "CalendarPatch": CalendarPatch,
    "Booking": Booking,
    "BookingPatch": BookingPatch,
    "BookingRequest": BookingRequest,
}
