"""OCPI 2.1.1 Locations module: Location, EVSE, Connector and their parts.

Differences from later versions that matter when reading this file (digest §4.3 Locations):
no owner fields in the object; ``type`` (LocationType, required) instead of ``parking_type``;
``id``/``uid`` are case-sensitive string(39); ``postal_code`` is required and ``time_zone``
optional; a Connector has ``voltage``/``amperage`` and a single optional ``tariff_id``; Hours
is a choice between ``regular_hours`` and ``twentyfourseven``; EnvironmentalImpact uses
``source``.

The spec gives a regex with exactly six decimals for coordinates, but its own examples use
five; we check the length only, as real 2.1.1 data varies too.

``BusinessDetails``, ``Image`` and the energy-mix classes belong to this chapter of the spec;
they are defined in :mod:`.common` (credentials and tariffs use them too) and re-exported here.

The eMSP interface takes PATCH bodies for a Location, an EVSE or a Connector; they carry no
``last_updated`` requirement in 2.1.1 (digest §1.3).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from ocpihub.ocpi.fields import (
    Boolean,
    CountryAlpha3,
    DateTime,
    Integer,
    OcpiModel,
    String,
    Url,
    partial_model,
)
from ocpihub.ocpi.v2_1_1.common import (
    BusinessDetails,
    DisplayText,
    EnergyMix,
    EnergySource,
    EnvironmentalImpact,
    Image,
)
from ocpihub.ocpi.v2_1_1.enums import (
    Capability,
    ConnectorFormat,
    ConnectorType,
    Facility,
    LocationType,
    ParkingRestriction,
    PowerType,
    Status,
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
    "RegularHours",
    "StatusSchedule",
]


class GeoLocation(OcpiModel):
    """A WGS 84 point, as decimal-degree strings."""

    latitude: Annotated[str, String(10)]
    longitude: Annotated[str, String(11)]


class AdditionalGeoLocation(OcpiModel):
    """A related point of a location (e.g. a parking entrance), optionally named."""

    latitude: Annotated[str, String(10)]
    longitude: Annotated[str, String(11)]
    name: DisplayText | None = None


class RegularHours(OcpiModel):
    """One weekly opening period: weekday 1 (Monday) to 7 (Sunday), ``HH:MM`` times."""

    weekday: Annotated[Integer, Field(ge=1, le=7)]
    period_begin: Annotated[str, String(5)]
    period_end: Annotated[str, String(5)]


class ExceptionalPeriod(OcpiModel):
    """A dated exception to regular opening hours."""

    period_begin: DateTime
    period_end: DateTime


class Hours(OcpiModel):
    """Opening and access hours.

    2.1.1 makes ``regular_hours`` and ``twentyfourseven`` a choice; the spec's own example
    sends both (``twentyfourseven: false`` next to regular hours), so we accept both and only
    refuse an object that has neither.
    """

    regular_hours: list[RegularHours] | None = None
    twentyfourseven: Boolean | None = None
    exceptional_openings: list[ExceptionalPeriod] | None = None
    exceptional_closings: list[ExceptionalPeriod] | None = None

    @model_validator(mode="after")
    def _one_of_two(self) -> Hours:
        if self.regular_hours is None and self.twentyfourseven is None:
            raise ValueError("Hours needs regular_hours or twentyfourseven")
        return self


class StatusSchedule(OcpiModel):
    """A planned EVSE status for a future period."""

    period_begin: DateTime
    period_end: DateTime | None = None
    status: Status


class Connector(OcpiModel):
    """One socket or cable of an EVSE."""

    id: Annotated[str, String(36)]
    standard: ConnectorType
    format: ConnectorFormat
    power_type: PowerType
    voltage: Integer
    amperage: Integer
    tariff_id: Annotated[str, String(36)] | None = None
    terms_and_conditions: Url | None = None
    last_updated: DateTime


class EVSE(OcpiModel):
    """One charging point that serves one EV at a time, with one or more connectors."""

    uid: Annotated[str, String(39)]
    evse_id: Annotated[str, String(48)] | None = None
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
    """A charging location and its EVSEs (owned by a CPO)."""

    id: Annotated[str, String(39)]
    type: LocationType
    name: Annotated[str, String(255)] | None = None
    address: Annotated[str, String(45)]
    city: Annotated[str, String(45)]
    postal_code: Annotated[str, String(10)]
    country: CountryAlpha3
    coordinates: GeoLocation
    related_locations: list[AdditionalGeoLocation] | None = None
    evses: list[EVSE] | None = None
    directions: list[DisplayText] | None = None
    operator: BusinessDetails | None = None
    suboperator: BusinessDetails | None = None
    owner: BusinessDetails | None = None
    facilities: list[Facility] | None = None
    time_zone: Annotated[str, String(255)] | None = None
    opening_times: Hours | None = None
    charging_when_closed: Boolean | None = None
    images: list[Image] | None = None
    energy_mix: EnergyMix | None = None
    last_updated: DateTime


LocationPatch = partial_model(Location)
"""PATCH body for a Location (eMSP interface)."""

EVSEPatch = partial_model(EVSE)
"""PATCH body for an EVSE (eMSP interface)."""

ConnectorPatch = partial_model(Connector)
"""PATCH body for a Connector (eMSP interface)."""
