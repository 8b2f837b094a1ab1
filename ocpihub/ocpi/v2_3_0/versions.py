"""OCPI 2.3.0 version information and version details objects (digest §1.1).

The version information endpoint answers a list of :class:`Version`; a version details
endpoint answers one :class:`VersionDetails` (``{version, endpoints}``). ``ModuleID`` and
``VersionNumber`` are open enums in 2.3.0, so partners' custom modules pass when the enum
registry knows them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ocpihub.ocpi.fields import OcpiModel, Url
from ocpihub.ocpi.v2_3_0.enums import InterfaceRole, ModuleIDField, VersionNumberField

__all__ = ["Endpoint", "Version", "VersionDetails"]


class Version(OcpiModel):
    """One OCPI version a platform supports, and where its details live."""

    version: VersionNumberField
    url: Url


class Endpoint(OcpiModel):
    """One module interface of a platform: module id, which side it implements, its URL."""

    identifier: ModuleIDField
    role: InterfaceRole
    url: Url


class VersionDetails(OcpiModel):
    """The endpoints a platform offers for one version."""

    version: VersionNumberField
    endpoints: Annotated[list[Endpoint], Field(min_length=1)]
