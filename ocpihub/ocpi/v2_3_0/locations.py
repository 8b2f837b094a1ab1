"""OCPI 2.3.0 Locations module: Location, EVSE, Connector and their parts (digest §3.1, §4.4).

A Receiver accepts PUT and PATCH at each of the three levels, so each level has a PATCH twin
(:data:`LocationPatch`, :data:`EVSEPatch`, :data:`ConnectorPatch`); 2.2+ PATCH bodies must carry
``last_updated`` (digest §1.3), so that field stays required in the twins.

``EVSE.parking`` is a list of :class:`EVSEParking` objects as the table says. The spec's own
``location_example.json`` writes plain strings there (digest §7 item 6); the digest recommends
no tolerance for it, so such a body is refused with 2001 like any other wrong type.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ocpihub.ocpi.fields import (
    Boolean,
    CiString,
    CountryAlpha3,
    DateTime,
    Integer,
    Number,
    OcpiModel,
    String,
    Url,
    partial_model,
)
from ocpihub.ocpi.v2_3_0.common import (
    AdditionalGeoLocation,
    BusinessDetails,
    CiString36,
    CountryCode,
    DisplayText,
    EnergyMix,
    GeoLocation,
    Image,
    PartyId,
)
from ocpihub.ocpi.v2_3_0.enums import (
    CapabilityField,
    ConnectorCapabilityField,
    ConnectorFormat,
    ConnectorTypeField,
    EVSEPosition,
    FacilityField,
    ParkingDirection,
    ParkingRestrictionField,
    ParkingTypeField,
    PowerType,
    Status,
    TokenTypeField,
    VehicleTypeField,
)

__all__ = [
    "EVSE",
    "Connector",
    "ConnectorPatch",
    "EVSEParking",
    "EVSEPatch",
    "ExceptionalPeriod",
    "Hours",
    "Location",
    "LocationPatch",
    "Parking",
    "PublishTokenType",
    "RegularHours",
    "StatusSchedule",
]


class PublishTokenType(OcpiModel):
    """A token (or token group) allowed to see an unpublished Location."""

    uid: CiString36 | None = None
    type: TokenTypeField | None = None
    visual_number: Annotated[str, String(64)] | None = None
    issuer: Annotated[str, String(64)] | None = None
    group_id: CiString36 | None = None


class RegularHours(OcpiModel):
    """Opening period on one weekday (1 = Monday ... 7 = Sunday), local time ``HH:MM``."""

    weekday: Annotated[Integer, Field(ge=1, le=7)]
    period_begin: Annotated[str, String(5)]
    period_end: Annotated[str, String(5)]


class ExceptionalPeriod(OcpiModel):
    """A dated exception to the regular opening hours (UTC)."""

    period_begin: DateTime
    period_end: DateTime


class Hours(OcpiModel):
    """Opening times of a Location: 24/7 or weekday periods, plus dated exceptions."""

    twentyfourseven: Boolean
    regular_hours: list[RegularHours] | None = None
    exceptional_openings: list[ExceptionalPeriod] | None = None
    exceptional_closings: list[ExceptionalPeriod] | None = None


class StatusSchedule(OcpiModel):
    """A planned status of an EVSE over a period."""

    period_begin: DateTime
    period_end: DateTime | None = None
    status: Status


class Parking(OcpiModel):
    """A parking place of a Location and what vehicles it suits (new in 2.3.0, AFIR)."""

    id: CiString36
    physical_reference: Annotated[str, String(12)] | None = None
    vehicle_types: Annotated[list[VehicleTypeField], Field(min_length=1)]
    max_vehicle_weight: Number | None = None
    max_vehicle_height: Number | None = None
    max_vehicle_length: Number | None = None
    max_vehicle_width: Number | None = None
    parking_space_length: Number | None = None
    parking_space_width: Number | None = None
    dangerous_goods_allowed: Boolean | None = None
    direction: ParkingDirection | None = None
    drive_through: Boolean | None = None
    restricted_to_type: Boolean
    reservation_required: Boolean
    time_limit: Number | None = None
    roofed: Boolean | None = None
    images: list[Image] | None = None
    lighting: Boolean | None = None
    refrigeration_outlet: Boolean | None = None
    standards: list[CiString36] | None = None
    # the table gives no length; 255 bounds it like every other unsized identifier here
    apds_reference: Annotated[str, CiString(255)] | None = None


class EVSEParking(OcpiModel):
    """Link from an EVSE to a Parking of its Location."""

    parking_id: CiString36
    evse_position: EVSEPosition | None = None


class Connector(OcpiModel):
    """One socket or cable of an EVSE."""

    id: CiString36
    standard: ConnectorTypeField
    format: ConnectorFormat
    power_type: PowerType
    max_voltage: Integer
    max_amperage: Integer
    max_electric_power: Integer | None = None
    tariff_ids: list[CiString36] | None = None
    terms_and_conditions: Url | None = None
    capabilities: list[ConnectorCapabilityField] | None = None
    last_updated: DateTime


class EVSE(OcpiModel):
    """One charging unit of a Location, with its connectors; REMOVED status = deleted."""

    uid: CiString36
    evse_id: Annotated[str, CiString(48)] | None = None
    status: Status
    status_schedule: list[StatusSchedule] | None = None
    capabilities: list[CapabilityField] | None = None
    connectors: Annotated[list[Connector], Field(min_length=1)]
    floor_level: Annotated[str, String(4)] | None = None
    coordinates: GeoLocation | None = None
    physical_reference: Annotated[str, String(16)] | None = None
    directions: list[DisplayText] | None = None
    parking_restrictions: list[ParkingRestrictionField] | None = None
    parking: list[EVSEParking] | None = None
    images: list[Image] | None = None
    accepted_service_providers: list[Annotated[str, String(50)]] | None = None
    last_updated: DateTime


class Location(OcpiModel):
    """A charging location of a CPO, with its EVSEs."""

    country_code: CountryCode
    party_id: PartyId
    id: CiString36
    publish: Boolean
    publish_allowed_to: list[PublishTokenType] | None = None
    name: Annotated[str, String(255)] | None = None
    address: Annotated[str, String(45)]
    city: Annotated[str, String(45)]
    postal_code: Annotated[str, String(10)] | None = None
    state: Annotated[str, String(20)] | None = None
    country: CountryAlpha3
    coordinates: GeoLocation
    related_locations: list[AdditionalGeoLocation] | None = None
    parking_type: ParkingTypeField | None = None
    evses: list[EVSE] | None = None
    parking_places: list[Parking] | None = None
    directions: list[DisplayText] | None = None
    operator: BusinessDetails | None = None
    suboperator: BusinessDetails | None = None
    owner: BusinessDetails | None = None
    facilities: list[FacilityField] | None = None
    time_zone: Annotated[str, String(255)]
    opening_times: Hours | None = None
    charging_when_closed: Boolean | None = None
    images: list[Image] | None = None
    energy_mix: EnergyMix | None = None
    help_phone: Annotated[str, CiString(25)] | None = None
    last_updated: DateTime


LocationPatch = partial_model(Location, required=["last_updated"])
"""PATCH body of a Location: any subset of fields, ``last_updated`` always present."""
EVSEPatch = partial_model(EVSE, required=["last_updated"])
"""PATCH body of an EVSE: any subset of fields, ``last_updated`` always present."""
ConnectorPatch = partial_model(Connector, required=["last_updated"])
"""PATCH body of a Connector: any subset of fields, ``last_updated`` always present."""
