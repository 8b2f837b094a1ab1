"""HubClientInfo module of OCPI 2.2.1 (new in 2.2; absent from 2.1.1).

The hub tells each connected party about the others with :class:`ClientInfo` objects (GET list
from the hub, PUT ``{country_code}/{party_id}`` to a client). The spec marks PATCH as n/a for
both interfaces, so there is no ``ClientInfoPatch`` in 2.2.1. ``role`` may be ``HUB`` here;
2.3.0 has no such value (digest §4.3).
"""

from __future__ import annotations

from ocpihub.ocpi.fields import DateTime, OcpiModel

from .common import CountryCode, PartyId
from .enums import ConnectionStatus, Role

__all__ = ["ClientInfo"]


class ClientInfo(OcpiModel):
    """One party reachable through the hub, and its connection status."""

    party_id: PartyId
    country_code: CountryCode
    role: Role
    status: ConnectionStatus
    last_updated: DateTime
