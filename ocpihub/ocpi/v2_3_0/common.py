"""OCPI 2.3.0 types shared by several modules (digest §1.5, §4.4 "Types", "Locations", "CDRs").

Besides the spec's shared classes (DisplayText, Price, TaxAmount, PriceLimit, GeoLocation,
BusinessDetails, Image, EnergyMix, CdrToken, ChargingPeriod ...) this module names the string
shapes that recur in every object (``CountryCode``, ``PartyId``, ``CiString36`` ...), so each
module spells a field's type the way the spec table does.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ocpihub.ocpi.fields import (
    Boolean,
    CiString,
    CurrencyCode,
    DateTime,
    Integer,
    LanguageCode,
    Number,
    OcpiModel,
    String,
    Url,
)
from ocpihub.ocpi.v2_3_0.enums import (
    CdrDimensionType,
    EnergySourceCategory,
    EnvironmentalImpactCategoryField,
    ImageCategoryField,
    TokenTypeField,
)

__all__ = [
    "AdditionalGeoLocation",
    "BusinessDetails",
    "CdrDimension",
    "CdrToken",
    "ChargingPeriod",
    "CiString36",
    "CiString39",
    "CountryCode",
    "Currency",
    "DateTime",
    "DisplayText",
    "EnergyMix",
    "EnergySource",
    "EnvironmentalImpact",
    "GeoLocation",
    "Image",
    "PartyId",
    "Price",
    "PriceLimit",
    "TaxAmount",
    "Url",
]

CountryCode = Annotated[str, CiString(2)]
"""ISO 3166-1 alpha-2 country code of a party."""
PartyId = Annotated[str, CiString(3)]
"""Party id (ISO 15118 operator/provider id without the country code)."""
CiString36 = Annotated[str, CiString(36)]
"""The usual OCPI object id / reference shape."""
CiString39 = Annotated[str, CiString(39)]
"""CDR id shape (36 plus room for a credit-CDR suffix)."""
Currency = CurrencyCode
"""ISO 4217 currency code."""


class DisplayText(OcpiModel):
    """A text in one language (ISO 639-1 code)."""

    language: LanguageCode
    text: Annotated[str, String(512)]


class TaxAmount(OcpiModel):
    """One tax applied to a Price, as relevant for the receiver of the Session or CDR."""

    name: str
    account_number: str | None = None
    percentage: Number | None = None
    amount: Number


class Price(OcpiModel):
    """An amount before taxes plus the taxes on it (2.3.0 shape, digest §4.2)."""

    before_taxes: Number
    taxes: list[TaxAmount] | None = None


class PriceLimit(OcpiModel):
    """A minimum or maximum price of a Tariff."""

    before_taxes: Number
    after_taxes: Number | None = None


class GeoLocation(OcpiModel):
    """WGS 84 coordinates, as decimal strings."""

    latitude: Annotated[str, String(10)]
    longitude: Annotated[str, String(11)]


class AdditionalGeoLocation(OcpiModel):
    """An extra named point of a Location (an entrance, a parking-lot gate ...)."""

    latitude: Annotated[str, String(10)]
    longitude: Annotated[str, String(11)]
    name: DisplayText | None = None


class Image(OcpiModel):
    """A reference to an image, with its category and size."""

    url: Url
    thumbnail: Url | None = None
    category: ImageCategoryField
    type: Annotated[str, CiString(4)]
    width: Annotated[Integer, Field(ge=0, le=99999)] | None = None
    height: Annotated[Integer, Field(ge=0, le=99999)] | None = None


class BusinessDetails(OcpiModel):
    """Name, website and logo of a company."""

    name: Annotated[str, String(100)]
    website: Url | None = None
    logo: Image | None = None


class EnergySource(OcpiModel):
    """Share of one energy source in an EnergyMix."""

    source: EnergySourceCategory
    percentage: Number


class EnvironmentalImpact(OcpiModel):
    """Amount of one environmental impact of an EnergyMix, in g/kWh."""

    category: EnvironmentalImpactCategoryField
    amount: Number


class EnergyMix(OcpiModel):
    """Where the energy of a Location or Tariff comes from."""

    is_green_energy: Boolean
    energy_sources: list[EnergySource] | None = None
    environ_impact: list[EnvironmentalImpact] | None = None
    supplier_name: Annotated[str, String(64)] | None = None
    energy_product_name: Annotated[str, String(64)] | None = None


class CdrToken(OcpiModel):
    """The Token a Session or CDR was authorised with, as the CPO saw it."""

    country_code: CountryCode
    party_id: PartyId
    uid: CiString36
    type: TokenTypeField
    contract_id: CiString36


class CdrDimension(OcpiModel):
    """One measured quantity of a charging period."""

    type: CdrDimensionType
    volume: Number


class ChargingPeriod(OcpiModel):
    """A period of a Session or CDR in which one set of tariff conditions applied."""

    start_date_time: DateTime
    dimensions: Annotated[list[CdrDimension], Field(min_length=1)]
    tariff_id: CiString36 | None = None
