"""OCPI 2.1.1 Tariffs module: Tariff, TariffElement, PriceComponent, TariffRestrictions.

2.1.1 prices are plain numbers excluding VAT; there is no ``vat``, ``type``, min/max price,
validity window, current or reservation restriction yet (digest §4.3 Tariffs). Unlike 2.2+,
the 2.1.1 eMSP interface accepts PATCH on tariffs, hence :data:`TariffPatch`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ocpihub.ocpi.fields import (
    CurrencyCode,
    DateTime,
    Integer,
    Number,
    OcpiModel,
    String,
    Url,
    partial_model,
)
from ocpihub.ocpi.v2_1_1.common import DisplayText, EnergyMix
from ocpihub.ocpi.v2_1_1.enums import DayOfWeek, TariffDimensionType

__all__ = [
    "PriceComponent",
    "Tariff",
    "TariffElement",
    "TariffPatch",
    "TariffRestrictions",
]


class PriceComponent(OcpiModel):
    """Price per unit of one dimension (excl. VAT), billed in blocks of ``step_size``."""

    type: TariffDimensionType
    price: Number
    step_size: Integer


class TariffRestrictions(OcpiModel):
    """Conditions under which a tariff element applies."""

    start_time: Annotated[str, String(5)] | None = None
    end_time: Annotated[str, String(5)] | None = None
    start_date: Annotated[str, String(10)] | None = None
    end_date: Annotated[str, String(10)] | None = None
    min_kwh: Number | None = None
    max_kwh: Number | None = None
    min_power: Number | None = None
    max_power: Number | None = None
    min_duration: Integer | None = None
    max_duration: Integer | None = None
    day_of_week: list[DayOfWeek] | None = None


class TariffElement(OcpiModel):
    """Price components that apply together, optionally restricted."""

    price_components: Annotated[list[PriceComponent], Field(min_length=1)]
    restrictions: TariffRestrictions | None = None


class Tariff(OcpiModel):
    """A CPO's tariff: the first element whose restrictions match applies."""

    id: Annotated[str, String(36)]
    currency: CurrencyCode
    tariff_alt_text: list[DisplayText] | None = None
    tariff_alt_url: Url | None = None
    elements: Annotated[list[TariffElement], Field(min_length=1)]
    energy_mix: EnergyMix | None = None
    last_updated: DateTime


TariffPatch = partial_model(Tariff)
"""PATCH body for a Tariff (eMSP interface; 2.1.1 only — 2.2 dropped tariff PATCH)."""
