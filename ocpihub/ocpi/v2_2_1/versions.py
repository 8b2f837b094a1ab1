"""Versions module of OCPI 2.2.1: the version list and one version's endpoint list.

The versions endpoint answers a list of :class:`Version`; a version-details endpoint answers one
:class:`VersionDetails` (``{version, endpoints}``).

``Endpoint.identifier`` is the one enum-typed field that is not closed: the 2.2.1 chapter on
custom modules lets parties extend ``ModuleID`` (e.g. ``nltnm-tokens``). Refusing a partner's
whole version details for one custom module would break registration, so any printable-ASCII id
is accepted here and the hub ignores modules it does not know (digest §5, ModuleID policy).
:class:`~.enums.ModuleID` still lists the standard ids.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ocpihub.ocpi.fields import CiString, OcpiModel, Url

from .enums import InterfaceRole, VersionNumber

__all__ = ["Endpoint", "ModuleIdentifier", "Version", "VersionDetails"]

ModuleIdentifier = Annotated[str, CiString(255)]
"""A module id: a :class:`~.enums.ModuleID` value or a custom module id."""


class Version(OcpiModel):
    """One OCPI version a platform supports, and where its details are."""

    version: VersionNumber
    url: Url


class Endpoint(OcpiModel):
    """One module interface of a version: identifier, Sender or Receiver side, and URL."""

    identifier: ModuleIdentifier
    role: InterfaceRole
    url: Url


class VersionDetails(OcpiModel):
    """The endpoints a platform offers for one version."""

    version: VersionNumber
    endpoints: Annotated[list[Endpoint], Field(min_length=1)]
