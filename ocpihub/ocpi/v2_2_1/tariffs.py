"""Tariffs module of OCPI 2.2.1: Tariff, its elements, price components and restrictions.

2.2.1 removed PATCH from Tariffs (changes are full PUTs), so there is no ``TariffPatch``.
Prices are always excluding VAT here; ``vat`` is a percentage (digest §4.2). Restriction
formats (``HH:MM``, ``YYYY-MM-DD``) are held as length-limited strings, like the tables say.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ocpihub.ocpi.fields import CurrencyCode, DateTime, Integer, Number, OcpiModel, String, Url

from .common import CountryCode, DisplayText, Id36, PartyId, Price
from .enums import DayOfWeek, ReservationRestrictionType, TariffDimensionType, TariffType
from .locations import EnergyMix

__all__ = ["PriceComponent", "Tariff", "TariffElement", "TariffRestrictions"]


class PriceComponent(OcpiModel):
    """Price of one dimension (energy, time, parking, flat fee), billed per ``step_size``."""

    type: TariffDimensionType
    price: Number
    vat: Number | None = None
    step_size: Integer


class TariffRestrictions(OcpiModel):
    """Conditions under which a tariff element applies."""

    start_time: Annotated[str, String(5)] | None = None
    end_time: Annotated[str, String(5)] | None = None
    start_date: Annotated[str, String(10)] | None = None
    end_date: Annotated[str, String(10)] | None = None
    min_kwh: Number | None = None
    max_kwh: Number | None = None
    min_current: Number | None = None
    max_current: Number | None = None
    min_power: Number | None = None
    max_power: Number | None = None
    min_duration: Integer | None = None
    max_duration: Integer | None = None
    day_of_week: list[DayOfWeek] | None = None
    reservation: ReservationRestrictionType | None = None


class TariffElement(OcpiModel):
    """Price components that apply together, optionally under restrictions."""

    price_components: Annotated[list[PriceComponent], Field(min_length=1)]
    restrictions: TariffRestrictions | None = None


class Tariff(OcpiModel):
    """A CPO's tariff: currency, elements and validity."""

    country_code: CountryCode
    party_id: PartyId
    id: Id36
    currency: CurrencyCode
    type: TariffType | None = None
    tariff_alt_text: list[DisplayText] | None = None
    tariff_alt_url: Url | None = None
    min_price: Price | None = None
    max_price: Price | None = None
    elements: Annotated[list[TariffElement], Field(min_length=1)]
    start_date_time: DateTime | None = None
    end_date_time: DateTime | None = None
    energy_mix: EnergyMix | None = None
    last_updated: DateTime
