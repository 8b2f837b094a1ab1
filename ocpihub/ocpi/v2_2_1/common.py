"""Classes of OCPI 2.2.1 shared by several modules.

``DisplayText`` and ``Price`` are the spec's own common types. ``BusinessDetails`` and ``Image``
are described in the Locations chapter but also travel in credentials, so they live here to keep
``credentials`` independent of ``locations`` (``locations`` re-exports them).

2.2.1 money is ``Price{excl_vat, incl_vat?}``; translating it to the 2.3.0
``{before_taxes, taxes}`` shape is the translator's job (digest §4.2).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ocpihub.ocpi.fields import CiString, Integer, LanguageCode, Number, OcpiModel, String, Url

from .enums import ImageCategory

__all__ = [
    "BusinessDetails",
    "CountryCode",
    "DisplayText",
    "Id36",
    "Image",
    "PartyId",
    "Price",
]

CountryCode = Annotated[str, CiString(2)]
"""ISO 3166 alpha-2 country code of a party, CiString(2)."""

PartyId = Annotated[str, CiString(3)]
"""Party id of a party (ISO 15118), CiString(3)."""

Id36 = Annotated[str, CiString(36)]
"""The common CiString(36) identifier (location, EVSE, connector, session, token, tariff ids)."""


class DisplayText(OcpiModel):
    """A text in one language, shown to end users (no markup)."""

    language: LanguageCode
    text: Annotated[str, String(512)]


class Price(OcpiModel):
    """An amount of money, excluding VAT and optionally including it (2.2.1 shape)."""

    excl_vat: Number
    incl_vat: Number | None = None


class Image(OcpiModel):
    """A reference to an image file (logo, photo of a charger, ...)."""

    url: Url
    thumbnail: Url | None = None
    category: ImageCategory
    type: Annotated[str, CiString(4)]
    # int(5): at most five digits
    width: Annotated[Integer, Field(ge=0, le=99999)] | None = None
    height: Annotated[Integer, Field(ge=0, le=99999)] | None = None


class BusinessDetails(OcpiModel):
    """Name, website and logo of a company (operator, owner, party in credentials)."""

    name: Annotated[str, String(100)]
    website: Url | None = None
    logo: Image | None = None
