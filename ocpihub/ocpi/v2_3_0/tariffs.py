"""OCPI 2.3.0 Tariffs module (digest §3.4, §4.4 "Tariffs").

2.3.0 has no PATCH on tariffs (removed in 2.2), so there is no ``TariffPatch``. ``tax_included``
is required and decides whether ``PriceComponent.price`` includes taxes (digest §7 item 16).
``preauthorize_amount`` belongs to the core edition (Payments) and is kept although the
bookings edition dropped it: this package is the union of both editions.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ocpihub.ocpi.fields import DateTime, Integer, Number, OcpiModel, String, Url
from ocpihub.ocpi.v2_3_0.common import (
    CiString36,
    CountryCode,
    Currency,
    DisplayText,
    EnergyMix,
    PartyId,
    PriceLimit,
)
from ocpihub.ocpi.v2_3_0.enums import (
    DayOfWeek,
    ReservationRestrictionType,
    TariffDimensionType,
    TariffType,
    TaxIncluded,
)

__all__ = ["PriceComponent", "Tariff", "TariffElement", "TariffRestrictions"]


class PriceComponent(OcpiModel):
    """Price of one dimension (energy, time, parking time, flat) per unit and step."""

    type: TariffDimensionType
    price: Number
    vat: Number | None = None
    step_size: Integer


class TariffRestrictions(OcpiModel):
    """Conditions under which a TariffElement applies (all must hold)."""

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
    """Price components with the restrictions under which they apply."""

    price_components: Annotated[list[PriceComponent], Field(min_length=1)]
    restrictions: TariffRestrictions | None = None


class Tariff(OcpiModel):
    """A CPO's tariff: elements priced per dimension, in one currency."""

    country_code: CountryCode
    party_id: PartyId
    id: CiString36
    currency: Currency
    type: TariffType | None = None
    tariff_alt_text: list[DisplayText] | None = None
    tariff_alt_url: Url | None = None
    min_price: PriceLimit | None = None
    max_price: PriceLimit | None = None
    preauthorize_amount: Number | None = None
    elements: Annotated[list[TariffElement], Field(min_length=1)]
    tax_included: TaxIncluded
    start_date_time: DateTime | None = None
    end_date_time: DateTime | None = None
    energy_mix: EnergyMix | None = None
    last_updated: DateTime
