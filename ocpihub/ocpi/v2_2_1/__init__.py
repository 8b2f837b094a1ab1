"""Wire models of OCPI 2.2.1: one module per OCPI module, pydantic classes named as the spec
names its objects, closed enums in :mod:`.enums`, PATCH-body twins named ``<Object>Patch``.
:data:`MODELS` maps every object that travels on its own as a request or response body (command
requests and PATCH bodies included) to its class, so handlers and tests can look them up by name.
"""

from __future__ import annotations

from ocpihub.ocpi.fields import OcpiModel

from .cdrs import CDR
from .charging_profiles import (
    ActiveChargingProfile,
    ActiveChargingProfileResult,
    ChargingProfileResponse,
    ChargingProfileResult,
    ClearProfileResult,
    SetChargingProfile,
)
from .commands import (
    CancelReservation,
    CommandResponse,
    CommandResult,
    ReserveNow,
    StartSession,
    StopSession,
    UnlockConnector,
)
from .credentials import Credentials
from .hub_client_info import ClientInfo
from .locations import EVSE, Connector, ConnectorPatch, EVSEPatch, Location, LocationPatch
from .sessions import ChargingPreferences, Session, SessionPatch
from .tariffs import Tariff
from .tokens import AuthorizationInfo, LocationReferences, Token, TokenPatch
from .versions import Version, VersionDetails

__all__ = ["MODELS", "VERSION"]

VERSION = "2.2.1"

MODELS: dict[str, type[OcpiModel]] = {
    # versions and credentials
    "Version": Version,
    "VersionDetails": VersionDetails,
    "Credentials": Credentials,
    # locations
    "Location": Location,
    "EVSE": EVSE,
    "Connector": Connector,
    "LocationPatch": LocationPatch,
    "EVSEPatch": EVSEPatch,
    "ConnectorPatch": ConnectorPatch,
    # sessions
    "Session": Session,
    "SessionPatch": SessionPatch,
    "ChargingPreferences": ChargingPreferences,
    # cdrs
    "CDR": CDR,
    # tariffs
    "Tariff": Tariff,
    # tokens
    "Token": Token,
    "TokenPatch": TokenPatch,
    "AuthorizationInfo": AuthorizationInfo,
    "LocationReferences": LocationReferences,
    # commands
    "CancelReservation": CancelReservation,
    "ReserveNow": ReserveNow,
    "StartSession": StartSession,
    "StopSession": StopSession,
    "UnlockConnector": UnlockConnector,
    "CommandResponse": CommandResponse,
    "CommandResult": CommandResult,
    # charging profiles
    "SetChargingProfile": SetChargingProfile,
    "ActiveChargingProfile": ActiveChargingProfile,
    "ChargingProfileResponse": ChargingProfileResponse,
    "ActiveChargingProfileResult": ActiveChargingProfileResult,
    "ChargingProfileResult": ChargingProfileResult,
    "ClearProfileResult": ClearProfileResult,
    # hub client info
    "ClientInfo": ClientInfo,
}
"""Every top-level 2.2.1 body object by its spec name."""
