"""OCPI 2.3.0 Credentials object (digest §2, §4.4 "Credentials").

``roles`` lists every party the sending platform serves; a 2.3.0 hub lists every party reachable
through it and names itself in ``hub_party_id`` (digest §7 item 2). The token travels as plain
text here, never base64 (that encoding is only for the Authorization header).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ocpihub.ocpi.fields import CiString, OcpiModel, String, Url
from ocpihub.ocpi.v2_3_0.common import BusinessDetails, CountryCode, PartyId
from ocpihub.ocpi.v2_3_0.enums import Role

__all__ = ["Credentials", "CredentialsRole"]


class CredentialsRole(OcpiModel):
    """One party (role, country code, party id) a platform represents."""

    role: Role
    business_details: BusinessDetails
    party_id: PartyId
    country_code: CountryCode


class Credentials(OcpiModel):
    """What two platforms exchange at registration: a token, a versions URL and parties."""

    token: Annotated[str, String(64)]
    url: Url
    hub_party_id: Annotated[str, CiString(5)] | None = None
    roles: Annotated[list[CredentialsRole], Field(min_length=1)]
