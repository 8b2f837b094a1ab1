"""Versions module of OCPI 2.2.1: the version list and one version's endpoint list.

The versions endpoint answers a list of :class:`Version`; a version-details endpoint answers one
:class:`VersionDetails` (``{version, endpoints}``). ``ModuleID`` is a closed enum in 2.2.1, so an
endpoint with a custom module id is refused by this model; the hub reads partners' documents
through the version details handler, which decides what to do with unknown modules (digest §5).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ocpihub.ocpi.fields import OcpiModel, Url

from .enums import InterfaceRole, ModuleID, VersionNumber

__all__ = ["Endpoint", "Version", "VersionDetails"]


class Version(OcpiModel):
    """One OCPI version a platform supports, and where its details are."""

    version: VersionNumber
    url: Url


class Endpoint(OcpiModel):
    """One module interface of a version: identifier, Sender or Receiver side, and URL."""

    identifier: ModuleID
    role: InterfaceRole
    url: Url


class VersionDetails(OcpiModel):
    """The endpoints a platform offers for one version."""

    version: VersionNumber
    endpoints: Annotated[list[Endpoint], Field(min_length=1)]
