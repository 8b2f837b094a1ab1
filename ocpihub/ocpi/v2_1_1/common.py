"""OCPI 2.1.1 classes used by more than one module: display texts, images, business details
and energy mixes.

The spec defines ``BusinessDetails``, ``Image`` and ``EnergyMix`` in the Locations chapter, but
Credentials and Tariffs use them too, so they live here to keep module imports one-way.

2.1.1 ``string`` fields are printable ASCII by the letter of the spec; we only enforce their
length, because real 2.1.1 partners send UTF-8 names and addresses (digest §4.1).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ocpihub.ocpi.fields import Boolean, Integer, LanguageCode, Number, OcpiModel, String, Url
from ocpihub.ocpi.v2_1_1.enums import (
    EnergySourceCategory,
    EnvironmentalImpactCategory,
    ImageCategory,
)

__all__ = [
    "BusinessDetails",
    "DisplayText",
    "EnergyMix",
    "EnergySource",
    "EnvironmentalImpact",
    "Image",
]


class DisplayText(OcpiModel):
    """A text for end users in one language."""

    language: LanguageCode
    text: Annotated[str, String(512)]


class Image(OcpiModel):
    """A link to an image (photo or logo) and what it shows."""

    url: Url
    thumbnail: Url | None = None
    category: ImageCategory
    type: Annotated[str, String(4)]
    width: Annotated[Integer, Field(ge=0, le=99999)] | None = None
    height: Annotated[Integer, Field(ge=0, le=99999)] | None = None


class BusinessDetails(OcpiModel):
    """Name, website and logo of a company (operator, owner, or a party in credentials)."""

    name: Annotated[str, String(100)]
    website: Url | None = None
    logo: Image | None = None


class EnergySource(OcpiModel):
    """One energy source and its share of the mix, in percent."""

    source: EnergySourceCategory
    percentage: Number


class EnvironmentalImpact(OcpiModel):
    """One environmental impact in g/kWh (the field is ``source`` in 2.1.1, ``category`` later)."""

    source: EnvironmentalImpactCategory
    amount: Number


class EnergyMix(OcpiModel):
    """The energy supplied at a location or with a tariff."""

    is_green_energy: Boolean
    energy_sources: list[EnergySource] | None = None
    environ_impact: list[EnvironmentalImpact] | None = None
    supplier_name: Annotated[str, String(64)] | None = None
    energy_product_name: Annotated[str, String(64)] | None = None
