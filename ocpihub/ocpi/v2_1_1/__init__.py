"""Wire models of OCPI 2.1.1: one pydantic class per spec object, one file per module.

2.1.1 is the oldest version the hub bridges. Its objects carry no owner fields (the party is
known from the URL and the credentials), its enums are all closed, its money is a plain number
excluding VAT, and its Sessions and CDRs embed a whole Location. :data:`MODELS` names every
object that travels as a request or response body, including PATCH bodies and command requests.
"""

from __future__ import annotations

from ocpihub.ocpi.fields import OcpiModel
from ocpihub.ocpi.v2_1_1 import (
    cdrs,
    commands,
    credentials,
    locations,
    sessions,
    tariffs,
    tokens,
    versions,
)

__all__ = ["MODELS", "VERSION"]

VERSION = "2.1.1"

MODELS: dict[str, type[OcpiModel]] = {
    "Version": versions.Version,
    "VersionDetails": versions.VersionDetails,
    "Credentials": credentials.Credentials,
    "Location": locations.Location,
    "EVSE": locations.EVSE,
    "Connector": locations.Connector,
    "LocationPatch": locations.LocationPatch,
    "EVSEPatch": locations.EVSEPatch,
    "ConnectorPatch": locations.ConnectorPatch,
    "Session": sessions.Session,
    "SessionPatch": sessions.SessionPatch,
    "CDR": cdrs.CDR,
    "Tariff": tariffs.Tariff,
    "TariffPatch": tariffs.TariffPatch,
    "Token": tokens.Token,
    "TokenPatch": tokens.TokenPatch,
    "AuthorizationInfo": tokens.AuthorizationInfo,
    "LocationReferences": tokens.LocationReferences,
    "CommandResponse": commands.CommandResponse,
    "ReserveNow": commands.ReserveNow,
    "StartSession": commands.StartSession,
    "StopSession": commands.StopSession,
    "UnlockConnector": commands.UnlockConnector,
}
"""Every 2.1.1 body object by its spec name (PATCH twins named ``<Object>Patch``)."""
