"""OCPI 2.1.1 credentials: one party per connection.

In 2.1.1 the party's ``country_code``, ``party_id`` and ``business_details`` sit directly in
the credentials object (2.2 moved them into a ``roles`` list). 2.1.1 credentials cannot be
PATCHed, so there is no ``CredentialsPatch``.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from ocpihub.ocpi.fields import OcpiModel, String, Url
from ocpihub.ocpi.v2_1_1.common import BusinessDetails

__all__ = ["Credentials"]

_TOKEN = re.compile(r"^[\x21-\x7e]+$")


def _header_safe(value: str) -> str:
    # the token travels raw in "Authorization: Token <value>" in 2.1.1 (digest §1.2)
    if not _TOKEN.match(value):
        raise ValueError("a credentials token must be printable ASCII without whitespace")
    return value


class Credentials(OcpiModel):
    """The token for the other party, our versions URL, and who we are."""

    token: Annotated[str, String(64), AfterValidator(_header_safe)]
    url: Url
    business_details: BusinessDetails
    party_id: Annotated[str, String(3)]
    country_code: Annotated[str, String(2)]
