"""OCPI 2.3.0 HubClientInfo module (digest §3.8, §4.4 "HubClientInfo").

The hub PUTs one :class:`ClientInfo` per reachable party to every connected platform. The spec
marks PATCH as n/a for this module (``mod_hub_client_info`` at tag v2.3.0), so there is no
``ClientInfoPatch``.
"""

from __future__ import annotations

from ocpihub.ocpi.fields import DateTime, OcpiModel
from ocpihub.ocpi.v2_3_0.common import CountryCode, PartyId
from ocpihub.ocpi.v2_3_0.enums import ConnectionStatus, Role

__all__ = ["ClientInfo"]


class ClientInfo(OcpiModel):
    """Connection status of one party reachable through the hub."""

    party_id: PartyId
    country_code: CountryCode
    role: Role
    status: ConnectionStatus
    last_updated: DateTime
