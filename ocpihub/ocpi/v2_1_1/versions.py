"""OCPI 2.1.1 version information: the versions list and the version details document.

A 2.1.1 ``Endpoint`` has no ``role``: a 2.1.1 platform is a single CPO or a single eMSP and the
meaning of each endpoint follows from that role (digest §1.1, §4.3).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ocpihub.ocpi.fields import OcpiModel, String, Url
from ocpihub.ocpi.v2_1_1.enums import VersionNumber

__all__ = ["Endpoint", "Version", "VersionDetails"]


class Version(OcpiModel):
    """One OCPI version a platform supports, and where its details are."""

    version: VersionNumber
    url: Url


class Endpoint(OcpiModel):
    """One module endpoint of a version.

    ``identifier`` is a plain string rather than :class:`~ocpihub.ocpi.v2_1_1.enums.ModuleID`:
    2.1.1 explicitly allows parties to add custom module ids (e.g. ``nltnm-tokens``), and a
    partner's whole version details must not be refused because of one of them (digest §5:
    unknown module ids are ignored). Compare it with ``ModuleID`` members, which are strings.
    """

    identifier: Annotated[str, String(255)]
    url: Url


class VersionDetails(OcpiModel):
    """The version details document: a version and its endpoints."""

    version: VersionNumber
    endpoints: Annotated[list[Endpoint], Field(min_length=1)]
