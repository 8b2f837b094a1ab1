"""Tokens module of OCPI 2.2.1: Token, real-time authorization and their classes.

``Token`` travels on its own (PUT/PATCH to the CPO, GET lists) and inside commands
(StartSession, ReserveNow) and AuthorizationInfo. PATCH bodies must carry ``last_updated``
(digest §1.3). ``LocationReferences`` is the optional body of POST ``{uid}/authorize``.
"""

from __future__ import annotations

from typing import Annotated

from ocpihub.ocpi.fields import Boolean, DateTime, LanguageCode, OcpiModel, String, partial_model

from .common import CountryCode, DisplayText, Id36, PartyId
from .enums import AllowedType, ProfileType, TokenType, WhitelistType

__all__ = [
    "AuthorizationInfo",
    "EnergyContract",
    "LocationReferences",
    "Token",
    "TokenPatch",
]


class EnergyContract(OcpiModel):
    """The driver's energy supplier contract, for home-charging compensation."""

    supplier_name: Annotated[str, String(64)]
    contract_id: Annotated[str, String(64)] | None = None


class Token(OcpiModel):
    """A driver's token (RFID card, app user, ...) as issued by an eMSP."""

    country_code: CountryCode
    party_id: PartyId
    uid: Id36
    type: TokenType
    contract_id: Id36
    visual_number: Annotated[str, String(64)] | None = None
    issuer: Annotated[str, String(64)]
    group_id: Id36 | None = None
    valid: Boolean
    whitelist: WhitelistType
    language: LanguageCode | None = None
    default_profile_type: ProfileType | None = None
    energy_contract: EnergyContract | None = None
    last_updated: DateTime


TokenPatch = partial_model(Token, required=["last_updated"])
"""PATCH body of a Token: any subset of fields, ``last_updated`` always present."""


class LocationReferences(OcpiModel):
    """Where a token is to be authorized: a location and optionally some of its EVSEs."""

    location_id: Id36
    evse_uids: list[Id36] | None = None


class AuthorizationInfo(OcpiModel):
    """The eMSP's answer to a real-time authorization request."""

    allowed: AllowedType
    token: Token
    location: LocationReferences | None = None
    authorization_reference: Id36 | None = None
    info: DisplayText | None = None
