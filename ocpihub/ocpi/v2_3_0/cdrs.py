"""OCPI 2.3.0 CDRs module (digest §3.3, §4.4 "CDRs").

CDRs are immutable (POST only, no PATCH twin). ``booking_id`` comes from the bookings edition
and is kept here because this package is the union of both 2.3.0 editions. The embedded
``tariffs`` are full :class:`~ocpihub.ocpi.v2_3_0.tariffs.Tariff` objects.
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
)
from ocpihub.ocpi.v2_3_0.common import (
    CdrToken,
    ChargingPeriod,
    CiString36,
    CiString39,
    CountryCode,
    Currency,
    GeoLocation,
    PartyId,
    Price,
)
from ocpihub.ocpi.v2_3_0.enums import AuthMethod, ConnectorFormat, ConnectorTypeField, PowerType
from ocpihub.ocpi.v2_3_0.tariffs import Tariff

__all__ = ["CDR", "CdrLocation", "SignedData", "SignedValue"]


class CdrLocation(OcpiModel):
    """Snapshot of the Location, EVSE and Connector a session used, as at its start."""

    id: CiString36
    name: Annotated[str, String(255)] | None = None
    address: Annotated[str, String(45)]
    city: Annotated[str, String(45)]
    postal_code: Annotated[str, String(10)] | None = None
    state: Annotated[str, String(20)] | None = None
    country: CountryAlpha3
    coordinates: GeoLocation
    evse_uid: CiString36
    evse_id: Annotated[str, CiString(48)]
    connector_id: CiString36
    connector_standard: ConnectorTypeField
    connector_format: ConnectorFormat
    connector_power_type: PowerType


class SignedValue(OcpiModel):
    """One signed meter value (start, end, intermediate ...)."""

    nature: Annotated[str, CiString(32)]
    plain_data: Annotated[str, String(512)]
    signed_data: Annotated[str, String(5000)]


class SignedData(OcpiModel):
    """Calibration-law signed meter data of a CDR."""

    encoding_method: CiString36
    encoding_method_version: Integer | None = None
    public_key: Annotated[str, String(512)] | None = None
    signed_values: Annotated[list[SignedValue], Field(min_length=1)]
    url: Annotated[str, String(512)] | None = None


class CDR(OcpiModel):
    """Charge detail record: the final, billable account of a session."""

    country_code: CountryCode
    party_id: PartyId
    id: CiString39
    start_date_time: DateTime
    end_date_time: DateTime
    booking_id: CiString36 | None = None
    session_id: CiString36 | None = None
    cdr_token: CdrToken
    auth_method: AuthMethod
    authorization_reference: CiString36 | None = None
    cdr_location: CdrLocation
    meter_id: Annotated[str, String(255)] | None = None
    currency: Currency
    tariffs: list[Tariff] | None = None
    charging_periods: Annotated[list[ChargingPeriod], Field(min_length=1)]
    signed_data: SignedData | None = None
    total_cost: Price
    total_fixed_cost: Price | None = None
    total_energy: Number
    total_energy_cost: Price | None = None
    total_time: Number
    total_time_cost: Price | None = None
    total_parking_time: Number | None = None
    total_parking_cost: Price | None = None
    total_reservation_cost: Price | None = None
    remark: Annotated[str, String(255)] | None = None
    invoice_reference_id: CiString39 | None = None
    credit: Boolean | None = None
    credit_reference_id: CiString39 | None = None
    home_charging_compensation: Boolean | None = None
    last_updated: DateTime
