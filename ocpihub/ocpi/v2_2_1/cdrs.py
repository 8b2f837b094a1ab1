"""CDRs module of OCPI 2.2.1: the CDR and the classes it shares with Sessions.

``CdrToken``, ``ChargingPeriod`` and ``CdrDimension`` are described in the CDRs chapter and
reused by Sessions. 2.2.1 made ``CdrToken.country_code``/``party_id`` required (digest §4.3,
2.2 → 2.2.1 deltas), but the 2.2.1 tag's own examples (and partners still on 2.2) omit them.
For 2.2 compatibility both are optional here: the 2.2.1 translator fills them from the stored
Token's owner on the way in (or refuses for lack of context) and always emits them on the way
out. CDRs are never updated, so there is no PATCH twin.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ocpihub.ocpi.fields import (
    Boolean,
    CiString,
    CountryAlpha3,
    CurrencyCode,
    DateTime,
    Integer,
    Number,
    OcpiModel,
    String,
)

from .common import CountryCode, Id36, PartyId, Price
from .enums import (
    AuthMethod,
    CdrDimensionType,
    ConnectorFormat,
    ConnectorType,
    PowerType,
    TokenType,
)
from .locations import GeoLocation
from .tariffs import Tariff

__all__ = [
    "CDR",
    "CdrDimension",
    "CdrLocation",
    "CdrToken",
    "ChargingPeriod",
    "SignedData",
    "SignedValue",
]


class CdrToken(OcpiModel):
    """The token a session or CDR was charged to, with its owning eMSP.

    ``country_code``/``party_id`` are required by 2.2.1 but optional here, accepting the 2.2
    shape that the spec's own 2.2.1 examples still use (see the module docstring).
    """

    country_code: CountryCode | None = None
    party_id: PartyId | None = None
    uid: Id36
    type: TokenType
    contract_id: Id36


class CdrDimension(OcpiModel):
    """One measured quantity of a charging period."""

    type: CdrDimensionType
    volume: Number


class ChargingPeriod(OcpiModel):
    """A period of a session with constant tariff, and what was measured in it."""

    start_date_time: DateTime
    dimensions: Annotated[list[CdrDimension], Field(min_length=1)]
    tariff_id: Id36 | None = None


class CdrLocation(OcpiModel):
    """The location, EVSE and connector a CDR's session took place at (a flat snapshot)."""

    id: Id36
    name: Annotated[str, String(255)] | None = None
    address: Annotated[str, String(45)]
    city: Annotated[str, String(45)]
    postal_code: Annotated[str, String(10)] | None = None
    state: Annotated[str, String(20)] | None = None
    country: CountryAlpha3
    coordinates: GeoLocation
    evse_uid: Id36
    evse_id: Annotated[str, CiString(48)]
    connector_id: Id36
    connector_standard: ConnectorType
    connector_format: ConnectorFormat
    connector_power_type: PowerType


class SignedValue(OcpiModel):
    """One signed meter value (start, end, intermediate) with its plain-text twin."""

    nature: Annotated[str, CiString(32)]
    plain_data: Annotated[str, String(512)]
    signed_data: Annotated[str, String(5000)]


class SignedData(OcpiModel):
    """Calibration-law signed meter data of a session."""

    encoding_method: Annotated[str, CiString(36)]
    encoding_method_version: Integer | None = None
    public_key: Annotated[str, String(512)] | None = None
    signed_values: Annotated[list[SignedValue], Field(min_length=1)]
    url: Annotated[str, String(512)] | None = None


class CDR(OcpiModel):
    """Charge detail record: the final, billable account of a charging session."""

    country_code: CountryCode
    party_id: PartyId
    id: Annotated[str, CiString(39)]
    start_date_time: DateTime
    end_date_time: DateTime
    session_id: Id36 | None = None
    cdr_token: CdrToken
    auth_method: AuthMethod
    authorization_reference: Id36 | None = None
    cdr_location: CdrLocation
    meter_id: Annotated[str, String(255)] | None = None
    currency: CurrencyCode
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
    invoice_reference_id: Annotated[str, CiString(39)] | None = None
    credit: Boolean | None = None
    credit_reference_id: Annotated[str, CiString(39)] | None = None
    home_charging_compensation: Boolean | None = None
    last_updated: DateTime
