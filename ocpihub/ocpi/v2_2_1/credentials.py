"""Credentials module of OCPI 2.2.1: the registration body and the roles a platform hosts.

A 2.2.1 platform lists every party it hosts in ``roles``; a 2.2.1 hub lists only itself with
role ``HUB`` (digest §7 item 2). The token in the body is the raw token, never Base64.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ocpihub.ocpi.fields import OcpiModel, String, Url

from .common import BusinessDetails, CountryCode, PartyId
from .enums import Role

__all__ = ["Credentials", "CredentialsRole"]


class CredentialsRole(OcpiModel):
    """One party hosted by a platform: its role, identity and business details."""

    role: Role
    business_details: BusinessDetails
    party_id: PartyId
    country_code: CountryCode


class Credentials(OcpiModel):
    """Token and versions URL for the other platform, and the parties this platform hosts."""

    token: Annotated[str, String(64)]
    url: Url
    roles: Annotated[list[CredentialsRole], Field(min_length=1)]
