"""OCPI 2.3.0 Tokens module (digest §3.5, §4.4 "Tokens").

Receivers accept PUT and PATCH of a Token; the PATCH twin :data:`TokenPatch` keeps
``last_updated`` required (digest §1.3). The real-time authorisation POST carries an optional
:class:`LocationReferences` body and answers :class:`AuthorizationInfo`. ``TokenType`` is open
in 2.3.0 and includes the bookings edition's ``LICENSE_PLATE``.
"""

from __future__ import annotations

from typing import Annotated

from ocpihub.ocpi.fields import Boolean, DateTime, LanguageCode, OcpiModel, String, partial_model
from ocpihub.ocpi.v2_3_0.common import CiString36, CountryCode, DisplayText, PartyId
from ocpihub.ocpi.v2_3_0.enums import AllowedType, ProfileType, TokenTypeField, WhitelistType

__all__ = [
    "AuthorizationInfo",
    "EnergyContract",
    "LocationReferences",
    "Token",
    "TokenPatch",
]


class EnergyContract(OcpiModel):
    """The driver's own energy supplier contract, for home-charging compensation."""

    supplier_name: Annotated[str, String(64)]
    contract_id: Annotated[str, String(64)] | None = None


class Token(OcpiModel):
    """A driver's means of authorisation (RFID card, app user, ...), owned by an eMSP."""

    country_code: CountryCode
    party_id: PartyId
    uid: CiString36
    type: TokenTypeField
    contract_id: CiString36
    visual_number: Annotated[str, String(64)] | None = None
    issuer: Annotated[str, String(64)]
    group_id: CiString36 | None = None
    valid: Boolean
    whitelist: WhitelistType
    language: LanguageCode | None = None
    default_profile_type: ProfileType | None = None
    energy_contract: EnergyContract | None = None
    last_updated: DateTime


class LocationReferences(OcpiModel):
    """The Location (and optionally EVSEs) a real-time authorisation is asked for."""

    location_id: CiString36
    evse_uids: list[CiString36] | None = None


class AuthorizationInfo(OcpiModel):
    """An eMSP's answer to a real-time authorisation request."""

    allowed: AllowedType
    token: Token
    location: LocationReferences | None = None
    authorization_reference: CiString36 | None = None
    info: DisplayText | None = None


TokenPatch = partial_model(Token, required=["last_updated"])
"""PATCH body of a Token: any subset of fields, ``last_updated`` always present."""
