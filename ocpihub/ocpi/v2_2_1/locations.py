"""Locations module of OCPI 2.2.1: Location, EVSE, Connector and their classes.

Shapes follow the 2.2.1 tables (digest §4.4 Locations). Choices where the tables leave room:

- Cross-field rules of the prose (``regular_hours`` required when ``twentyfourseven`` is false,
  coordinate regexes, ``HH:MM`` formats) are not enforced here: the tables are, and partners'
  near-misses should reach the hub's translator rather than be refused for a formatting nit.
- PATCH bodies of all three levels must carry ``last_updated`` in 2.2+ (digest §1.3), so the
  ``*Patch`` twins keep it required.
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

from .common import BusinessDetails, CountryCode, DisplayText, Id36, Image, PartyId
from .enums import (
    Capability,
    ConnectorFormat,
    ConnectorType,
    EnergySourceCategory,
    EnvironmentalImpactCategory,
    Facility,
    ParkingRestriction,
    ParkingType,
    PowerType,
    Status,
    TokenType,
)

__all__ = [
    "EVSE",
    "AdditionalGeoLocation",
    "BusinessDetails",
    "Connector",
    "ConnectorPatch",
    "EVSEPatch",
    "EnergyMix",
    "EnergySource",
    "EnvironmentalImpact",
    "ExceptionalPeriod",
    "GeoLocation",
    "Hours",
    "Image",
    "Location",
    "LocationPatch",
    "PublishTokenType",
    "RegularHours",
    "StatusSchedule",
]


class GeoLocation(OcpiModel):
    """Latitude and longitude as decimal-degree strings."""

    latitude: Annotated[str, String(10)]
    longitude: Annotated[str, String(11)]


class AdditionalGeoLocation(OcpiModel):
    """A related point (entrance, exit, ...) with an optional name."""

    latitude: Annotated[str, String(10)]
    longitude: Annotated[str, String(11)]
    name: DisplayText | None = None


class PublishTokenType(OcpiModel):
    """A token (or token group) that may see an unpublished location."""

    uid: Id36 | None = None
    type: TokenType | None = None
    visual_number: Annotated[str, String(64)] | None = None
    issuer: Annotated[str, String(64)] | None = None
    group_id: Id36 | None = None


class RegularHours(OcpiModel):
    """One weekly opening period: weekday 1 (Monday) to 7 (Sunday), HH:MM begin and end."""

    weekday: Annotated[Integer, Field(ge=1, le=7)]
    period_begin: Annotated[str, String(5)]
    period_end: Annotated[str, String(5)]


class ExceptionalPeriod(OcpiModel):
    """A one-off opening or closing period."""

    period_begin: DateTime
    period_end: DateTime


class Hours(OcpiModel):
    """Opening times of a location."""

    twentyfourseven: Boolean
    regular_hours: list[RegularHours] | None = None
    exceptional_openings: list[ExceptionalPeriod] | None = None
    exceptional_closings: list[ExceptionalPeriod] | None = None


class EnergySource(OcpiModel):
    """Share of one energy source in an energy mix, in percent."""

    source: EnergySourceCategory
    percentage: Number


class EnvironmentalImpact(OcpiModel):
    """Amount of one environmental impact, in g/kWh."""

    category: EnvironmentalImpactCategory
    amount: Number


class EnergyMix(OcpiModel):
    """Where the energy delivered at a location (or under a tariff) comes from."""

    is_green_energy: Boolean
    energy_sources: list[EnergySource] | None = None
    environ_impact: list[EnvironmentalImpact] | None = None
    supplier_name: Annotated[str, String(64)] | None = None
    energy_product_name: Annotated[str, String(64)] | None = None


class StatusSchedule(OcpiModel):
    """A planned EVSE status for a period."""

    period_begin: DateTime
    period_end: DateTime | None = None
    status: Status


class Connector(OcpiModel):
    """One socket or cable of an EVSE."""

    id: Id36
    standard: ConnectorType
    format: ConnectorFormat
    power_type: PowerType
    max_voltage: Integer
    max_amperage: Integer
    max_electric_power: Integer | None = None
    tariff_ids: list[Id36] | None = None
    terms_and_conditions: Url | None = None
    last_updated: DateTime


class EVSE(OcpiModel):
    """One charging point that can charge one vehicle at a time."""

    uid: Id36
    evse_id: Annotated[str, CiString(48)] | None = None
    status: Status
    status_schedule: list[StatusSchedule] | None = None
    capabilities: list[Capability] | None = None
    connectors: Annotated[list[Connector], Field(min_length=1)]
    floor_level: Annotated[str, String(4)] | None = None
    coordinates: GeoLocation | None = None
    physical_reference: Annotated[str, String(16)] | None = None
    directions: list[DisplayText] | None = None
    parking_restrictions: list[ParkingRestriction] | None = None
    images: list[Image] | None = None
    last_updated: DateTime


class Location(OcpiModel):
    """A charging location: address, coordinates, EVSEs and everything around them."""

    country_code: CountryCode
    party_id: PartyId
    id: Id36
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
    parking_type: ParkingType | None = None
    evses: list[EVSE] | None = None
    directions: list[DisplayText] | None = None
    operator: BusinessDetails | None = None
    suboperator: BusinessDetails | None = None
    owner: BusinessDetails | None = None
    facilities: list[Facility] | None = None
    time_zone: Annotated[str, String(255)]
    opening_times: Hours | None = None
    charging_when_closed: Boolean | None = None
    images: list[Image] | None = None
    energy_mix: EnergyMix | None = None
    last_updated: DateTime


LocationPatch = partial_model(Location, required=["last_updated"])
"""PATCH body of a Location: any subset of fields, ``last_updated`` always present."""

EVSEPatch = partial_model(EVSE, required=["last_updated"])
"""PATCH body of an EVSE: any subset of fields, ``last_updated`` always present."""

ConnectorPatch = partial_model(Connector, required=["last_updated"])
"""PATCH body of a Connector: any subset of fields, ``last_updated`` always present."""
