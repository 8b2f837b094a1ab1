"""OCPI 2.1.1 Tokens module: Token, AuthorizationInfo, LocationReferences.

In 2.1.1 a Token has ``auth_id`` (later ``contract_id``) and no owner fields; the authorize
answer carries no ``token`` and no ``authorization_reference``; LocationReferences still has
``connector_ids`` (digest §4.3 Tokens). LocationReferences is also the optional request body of
a real-time authorization, so it is a top-level body model too.
"""

from __future__ import annotations

from typing import Annotated

from ocpihub.ocpi.fields import Boolean, DateTime, LanguageCode, OcpiModel, String, partial_model
from ocpihub.ocpi.v2_1_1.common import DisplayText
from ocpihub.ocpi.v2_1_1.enums import Allowed, TokenType, WhitelistType

__all__ = ["AuthorizationInfo", "LocationReferences", "Token", "TokenPatch"]


class Token(OcpiModel):
    """A driver's charging token (RFID card or other), owned by an eMSP."""

    uid: Annotated[str, String(36)]
    type: TokenType
    auth_id: Annotated[str, String(36)]
    visual_number: Annotated[str, String(64)] | None = None
    issuer: Annotated[str, String(64)]
    valid: Boolean
    whitelist: WhitelistType
    language: LanguageCode | None = None
    last_updated: DateTime


TokenPatch = partial_model(Token)
"""PATCH body for a Token (CPO interface)."""


class LocationReferences(OcpiModel):
    """A location and optionally some of its EVSEs and connectors."""

    location_id: Annotated[str, String(39)]
    evse_uids: list[Annotated[str, String(39)]] | None = None
    connector_ids: list[Annotated[str, String(36)]] | None = None


class AuthorizationInfo(OcpiModel):
    """The eMSP's answer to a real-time authorization request."""

    allowed: Allowed
    location: LocationReferences | None = None
    info: DisplayText | None = None
